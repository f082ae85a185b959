#!/usr/bin/env bash
# CI test of the PySpark driver in local[2] mode (SPEC §7: equivalence).
#
#   integrations/spark/test_local.sh BINARY [SAMPLE_DATA_DIR]
#
# For each dataset (the sample data, and a generated one split into 8 touch shards) it runs
#   BINARY report -c CFG --out direct       and
#   pilotscope_spark.py -c CFG --out spark --master local[2]
# and compares every *.csv table byte for byte. Then the failure paths: a touch shard cut in the
# middle and followed by garbage must fail the Spark job (non-zero exit, pilotscope's error text
# from the executor on stderr); a shard that is nothing but garbage must fail on the driver; a
# config without touch files must report without Spark.
# Needs java 17 and pyspark (install-deps.sh). PYTHON chooses the python (default python3).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 BINARY [SAMPLE_DATA_DIR]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
sample=${2:-$here/../../sample-data}
sample=$(cd "$sample" && pwd)
driver=$here/pilotscope_spark.py

[ -x "$bin" ] || { echo "FAIL: $bin is not an executable" >&2; exit 2; }
"$bin" partial --help >/dev/null 2>&1 || { echo "FAIL: $bin has no 'partial' command" >&2; exit 2; }

PYTHON=${PYTHON:-python3}
py=$("$PYTHON" -c 'import sys; print(sys.executable)')
"$py" -c 'import pyspark' 2>/dev/null || { echo "FAIL: $py cannot import pyspark (run $here/install-deps.sh)" >&2; exit 2; }
export PYSPARK_PYTHON="$py" PYSPARK_DRIVER_PYTHON="$py"
if [ -z "${JAVA_HOME:-}" ]; then
    java=$(command -v java) || { echo "FAIL: no java on PATH (run $here/install-deps.sh)" >&2; exit 2; }
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$java")")")
    export JAVA_HOME
fi
export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}

work=$(mktemp -d "${TMPDIR:-/tmp}/pilotscope-spark-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Spark's own log: errors only, on stderr.
cat >"$work/log4j2.properties" <<'EOF'
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
EOF
spark_opts=(--master 'local[2]' --binary "$bin" --log-level ERROR
    --conf "spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=file:$work/log4j2.properties"
    --conf spark.ui.enabled=false)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# compare NAME DIRECT_DIR SPARK_DIR: every *.csv table byte for byte, and the same set of tables.
compare() {
    local name=$1 a=$2 b=$3 bad=0 n=0 t
    for t in "$a"/*.csv; do
        [ -e "$t" ] || { fail "$name: the direct run wrote no *.csv table"; return; }
        n=$((n + 1))
        if [ ! -f "$b/$(basename "$t")" ]; then
            fail "$name: table $(basename "$t") is missing from the Spark run's output"
            bad=1
        elif ! cmp -s "$t" "$b/$(basename "$t")"; then
            fail "$name: table $(basename "$t") differs between the direct and the Spark run"
            diff "$t" "$b/$(basename "$t")" | head -10 >&2 || true
            bad=1
        fi
    done
    for t in "$b"/*.csv; do
        [ -f "$a/$(basename "$t")" ] || { fail "$name: table $(basename "$t") only in the Spark run's output"; bad=1; }
    done
    [ "$bad" -eq 0 ] && pass "$name: $n tables byte-identical"
    return 0
}

# equivalence NAME CFG [DRIVER-ARGS...]
equivalence() {
    local name=$1 cfg=$2
    shift 2
    local out=$work/out-$name start end
    mkdir -p "$out"
    if ! "$bin" report -c "$cfg" --out "$out/direct" --quiet 2>"$out/direct.err"; then
        fail "$name: the direct report failed:"; cat "$out/direct.err" >&2; return 0
    fi
    start=$(date +%s)
    if ! "$py" "$driver" -c "$cfg" --out "$out/spark" "${spark_opts[@]}" "$@" >"$out/spark.log" 2>&1; then
        fail "$name: the Spark driver failed:"; tail -40 "$out/spark.log" >&2; return 0
    fi
    end=$(date +%s)
    echo "   ($name: Spark run $((end - start)) s; $(grep -c '' "$out/spark.log") log line(s))"
    compare "$name" "$out/direct" "$out/spark"
}

# 1. The sample data: one touch file, one task.
cp -R "$sample" "$work/sample"
equivalence sample "$work/sample/pilotscope.yaml"

# 2. Generated data in 8 touch shards: 8 tasks, merges on executors (depth 3) and on the driver.
"$bin" generate --contacts 300 --touches 5000 --seed 11 --shards 8 --out "$work/gen" >/dev/null 2>&1
shards=$(ls "$work/gen"/touches-*.csv.gz | wc -l)
[ "$shards" -eq 8 ] || fail "generate wrote $shards touch shard(s), expected 8"
equivalence gen "$work/gen/pilotscope.yaml" --files-per-task 1 --merge-depth 3

# 3. A shard cut in the middle and followed by garbage: its header reads, its data does not, so
#    `partial` fails on an executor. The driver must exit non-zero with pilotscope's error.
cp -R "$work/gen" "$work/bad"
shard=$work/bad/touches-3.csv.gz
size=$(stat -c %s "$work/gen/touches-3.csv.gz")
{ head -c $((size / 2)) "$work/gen/touches-3.csv.gz"; for _ in $(seq 64); do printf 'not gzip'; done; } >"$shard"
set +e
"$py" "$driver" -c "$work/bad/pilotscope.yaml" --out "$work/bad-out" "${spark_opts[@]}" >"$work/bad.out" 2>"$work/bad.err"
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
    fail "corrupt shard: the driver exited 0"
elif ! grep -q "^pilotscope_spark: the Spark job failed: command failed with exit status 1 .* partial " "$work/bad.err" ||
     ! grep -q "^error: .*touches-3\.csv\.gz" "$work/bad.err"; then
    fail "corrupt shard: exit $rc, but stderr lacks the executor's pilotscope error naming touches-3.csv.gz:"
    tail -20 "$work/bad.err" >&2
elif [ -e "$work/bad-out" ]; then
    fail "corrupt shard: exit $rc, but the report folder was written"
else
    pass "corrupt shard: exit $rc, stderr has: $(grep -m1 '^error: .*touches-3\.csv\.gz' "$work/bad.err")"
fi

# 4. A shard that is only garbage: the header check of --list-files fails on the driver (exit 2).
printf 'not gzip' >"$shard"
set +e
"$py" "$driver" -c "$work/bad/pilotscope.yaml" --out "$work/bad-out" "${spark_opts[@]}" >"$work/bad.out" 2>"$work/bad.err"
rc=$?
set -e
if [ "$rc" -ne 0 ] && grep -q "touches-3\.csv\.gz" "$work/bad.err" && [ ! -e "$work/bad-out" ]; then
    pass "garbage shard: exit $rc on the driver, naming touches-3.csv.gz"
else
    fail "garbage shard: exit $rc; stderr:"; cat "$work/bad.err" >&2
fi

# 5. No touch files at all: the driver runs the report directly (no Spark job).
sed '/^  touches:$/,/^  [a-z_]*:$/{/^  touches:$/d;/^    /d;}' "$work/gen/pilotscope.yaml" >"$work/gen/no-touches.yaml"
if "$bin" partial -c "$work/gen/no-touches.yaml" --list-files | grep -q .; then
    fail "no touch files: the derived config still names touch files"
else
    equivalence no-touches "$work/gen/no-touches.yaml"
    if grep -q "touch file(s) in" "$work/out-no-touches/spark.log"; then
        fail "no touch files: the driver started a Spark job"
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
