#!/usr/bin/env bash
# The checks CI runs (.ci/run calls this after installing system packages):
# formatting, clippy with warnings as errors, and the full test suite (GPU tests
# on whatever adapter wgpu finds; lavapipe on machines without a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --locked
