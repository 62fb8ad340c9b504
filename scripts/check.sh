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
cargo test --locked

if [ -n "$fuzz_seconds" ]; then
    echo "== fuzz ($fuzz_seconds s per target)"
    scripts/fuzz.sh "$fuzz_seconds"
fi
