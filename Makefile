# PilotScope — the two commands of the README, and a few helpers.
SWIFT ?= swift
PREFIX ?= /usr/local
BIN := .build/release/pilotscope
# The Swift runtime and Foundation are linked in: the binary runs on a machine without the
# Swift toolchain (servers, Spark nodes). It needs only libc, libstdc++, zlib, libcsv, ISA-L and
# libcrypto from the system.
RELEASE := -c release --product pilotscope --static-swift-stdlib

.PHONY: run test setup spark-deps build install sample-data bench lint format clean

## Set up, build in release, and run the main job on sample-data/ (prints the decision table).
run: setup build
	$(BIN) report -c sample-data/pilotscope.yaml --out out/sample --table decision --format md

## Set up and run the whole test suite, the Spark driver in local[2], then the pipeline tests
## under ThreadSanitizer.
test: setup spark-deps build
	./scripts/check-binary.sh $(BIN)
	$(SWIFT) test
	./scripts/check-xlsx.sh $(BIN)
	python3 scripts/check-schema.py $(BIN)
	./integrations/spark/test_local.sh $(BIN)
	./scripts/sanitize.sh thread "DeterminismTests|CSVDifferentialTests|GoldenReportTests|PresetTests|MapTests"

setup:
	./scripts/setup.sh

## Java 17 and pyspark, for the Spark driver and its local[2] test (integrations/spark/).
spark-deps:
	./integrations/spark/install-deps.sh

build:
	$(SWIFT) build $(RELEASE)

## Install the binary into $(PREFIX)/bin (and check it needs nothing of the toolchain).
install: setup build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/pilotscope
	./scripts/check-binary.sh $(DESTDIR)$(PREFIX)/bin/pilotscope

## Regenerate the committed sample dataset (deterministic).
sample-data: build
	rm -f sample-data/*.csv.gz
	$(BIN) generate --contacts 4000 --touches 60000 --seed 2026 --out sample-data

bench: build
	./Benchmarks/growth.sh

## Check the formatting of every Swift file (.swift-format); `make format` rewrites them.
LINTED := Sources Tests Fuzz/Sources Benchmarks/Benchmarks Package.swift Fuzz/Package.swift Benchmarks/Package.swift
lint:
	$(SWIFT) format lint --strict --recursive $(LINTED)

format:
	$(SWIFT) format format --in-place --recursive $(LINTED)

clean:
	rm -rf .build out
