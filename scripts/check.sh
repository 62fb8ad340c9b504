#!/usr/bin/env bash
# The checks CI runs (.ci/run calls this after installing system packages):
# formatting, clippy with warnings as errors, and the full test suite (GPU tests
# on whatever adapter wgpu finds; lavapipe on machines without a GPU).
#
#   scripts/check.sh              # what CI runs
#   scripts/check.sh --fuzz 30    # then every fuzz target for 30 s (needs cargo-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz_seconds=""
if [ "${1:-}" = "--fuzz" ]; then
    fuzz_seconds="${2:-30}"
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

echo "== cargo test"
# Doc tests first, so the run ends on the real suites; then one summary line.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo test --locked --doc 2>&1 | tee -a "$log"
cargo test --locked --all-targets 2>&1 | tee -a "$log"
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"

if [ -n "$fuzz_seconds" ]; then
    echo "== fuzz ($fuzz_seconds s per target)"
    scripts/fuzz.sh "$fuzz_seconds"
fi
