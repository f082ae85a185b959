#!/usr/bin/env bash
# Checks that a built pilotscope needs nothing from the Swift toolchain at run time: no library
# it loads and no runpath points into the toolchain's folder. Where mount namespaces are allowed,
# it also runs a copy of the binary with the toolchain's folder hidden (an empty tmpfs over it).
# Usage: scripts/check-binary.sh BINARY
set -euo pipefail
bin=${1:?usage: check-binary.sh BINARY}
swift_bin=$(command -v swift || true)
if [ -z "$swift_bin" ]; then echo "check-binary: no swift on PATH, nothing to compare with"; exit 0; fi
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$swift_bin")")")")
fail=0
if ldd "$bin" | grep -F "$toolchain/"; then
  echo "check-binary: $bin loads libraries from the toolchain ($toolchain)" >&2; fail=1
fi
if readelf -d "$bin" | grep -E 'R(UN)?PATH' | grep -F "$toolchain"; then
  echo "check-binary: $bin has a runpath into the toolchain ($toolchain)" >&2; fail=1
fi
if ldd "$bin" | grep -q "not found"; then
  ldd "$bin" | grep "not found" >&2
  echo "check-binary: $bin needs libraries this machine lacks" >&2; fail=1
fi
[ "$fail" -eq 0 ] || exit 1
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp "$bin" "$copy/pilotscope"
for u in "unshare -m" "unshare -rm"; do
  if $u true 2>/dev/null; then
    $u sh -c "mount -t tmpfs none '$toolchain' && '$copy/pilotscope' --version >/dev/null" \
      || { echo "check-binary: a copy of $bin does not run with $toolchain hidden" >&2; exit 1; }
    echo "check-binary: ok ($bin runs with $toolchain hidden from the loader)"
    exit 0
  fi
done
echo "check-binary: ok (libraries and runpath checked; mount namespaces unavailable here)"
