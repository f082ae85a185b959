#!/usr/bin/env bash
# Install what the PySpark driver and its test need, on Debian, when missing:
#   - a Java 17 runtime (openjdk-17-jre-headless) for Spark's JVM;
#   - pyspark for the python3 that runs the driver (PYTHON=... to choose another).
# Idempotent: prints nothing and changes nothing when everything is present.
set -euo pipefail

PYTHON=${PYTHON:-python3}
updated=0

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else echo "install-deps: need root (or sudo) to run: $*" >&2; return 1
    fi
}

apt_install() {
    if [ "$updated" -eq 0 ]; then
        as_root apt-get update -qq >/dev/null
        updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

java_major() {
    # Prints the major version of the java on PATH (or under JAVA_HOME), or nothing.
    local j=java
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then j="$JAVA_HOME/bin/java"; fi
    command -v "$j" >/dev/null 2>&1 || return 0
    "$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}

# --- Java ----------------------------------------------------------------
major=$(java_major)
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
    echo "install-deps: installing openjdk-17-jre-headless (found java: ${major:-none})" >&2
    apt_install openjdk-17-jre-headless
fi

# --- pyspark -------------------------------------------------------------
if ! "$PYTHON" -c 'import pyspark' >/dev/null 2>&1; then
    if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
        echo "install-deps: installing python3-pip" >&2
        apt_install python3-pip
    fi
    echo "install-deps: installing pyspark for $PYTHON" >&2
    pip_log=$(mktemp)
    trap 'rm -f "$pip_log"' EXIT
    if ! "$PYTHON" -m pip install -q --disable-pip-version-check pyspark >"$pip_log" 2>&1; then
        if grep -qi 'externally-managed' "$pip_log"; then
            # PEP 668: a distribution-managed Python. Prefer a user install, then override.
            if ! "$PYTHON" -m pip install -q --disable-pip-version-check --user --break-system-packages pyspark >"$pip_log" 2>&1 &&
               ! "$PYTHON" -m pip install -q --disable-pip-version-check --break-system-packages pyspark >"$pip_log" 2>&1; then
                cat "$pip_log" >&2
                exit 1
            fi
        elif ! "$PYTHON" -m pip install -q --disable-pip-version-check --user pyspark >>"$pip_log" 2>&1; then
            cat "$pip_log" >&2
            exit 1
        fi
    fi
    if ! "$PYTHON" -c 'import pyspark' >/dev/null 2>&1; then
        echo "install-deps: pyspark installed but '$PYTHON -c \"import pyspark\"' still fails" >&2
        exit 1
    fi
fi
