#!/usr/bin/env bash
# Installs the system packages PilotScope links against, when missing (Debian/Ubuntu).
# Uses sudo when not root. Swift 6 itself is expected on PATH.
set -euo pipefail
packages=(libcsv-dev zlib1g-dev libisal-dev libssl-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "error: swift (6.1 or later) is not on PATH" >&2; exit 1; }
# Python checks of the test suite: openpyxl reads report.xlsx back, jsonschema (with PyYAML)
# validates the configs against `pilotscope schema`.
PYTHON=${PYTHON:-python3}
for pair in openpyxl:openpyxl jsonschema:jsonschema yaml:pyyaml; do
  module=${pair%%:*} package=${pair##*:}
  if ! "$PYTHON" -c "import $module" >/dev/null 2>&1; then
    echo "installing the Python package $package" >&2
    "$PYTHON" -m pip install -q "$package" >/dev/null
  fi
done
