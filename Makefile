# PilotScope — the two commands of the README, and a few helpers.
SWIFT ?= swift
BIN := .build/release/pilotscope

.PHONY: run test setup build sample-data bench clean

## Set up, build in release, and run the main job on sample-data/ (prints the decision table).
run: setup build
	$(BIN) report -c sample-data/pilotscope.yaml --out out/sample --table decision --format md

## Set up and run the whole test suite, then the pipeline tests under ThreadSanitizer.
test: setup
	$(SWIFT) build -c release --product pilotscope
	$(SWIFT) test
	./scripts/sanitize.sh thread "DeterminismTests|CSVDifferentialTests|GoldenReportTests|PresetTests"

setup:
	./scripts/setup.sh

build:
	$(SWIFT) build -c release --product pilotscope

## Regenerate the committed sample dataset (deterministic).
sample-data: build
	rm -f sample-data/*.csv.gz
	$(BIN) generate --contacts 4000 --touches 60000 --seed 2026 --out sample-data

bench: build
	./Benchmarks/growth.sh

clean:
	rm -rf .build out
