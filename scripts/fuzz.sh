#!/usr/bin/env bash
# Runs every scene-parser fuzz target in fuzz/ for a bounded time each.
#
#   scripts/fuzz.sh [seconds per target, default 30] [target ...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz passes nightly-only
# flags (-Zsanitizer=address); RUSTC_BOOTSTRAP=1 lets the stable toolchain accept
# them. Each target starts from its committed seeds (fuzz/seeds/<target>, read
# only) and keeps what it finds in fuzz/corpus/<target> (ignored by git); a
# crash is written to fuzz/artifacts/<target>/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-30}"
shift || true
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 1
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build -O
status=0
for target in "${targets[@]}"; do
    echo "== fuzz $target for ${seconds}s"
    mkdir -p "corpus/$target"
    log="$(mktemp)"
    if ! cargo fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"$log" 2>&1; then
        tail -40 "$log" >&2
        echo "fuzz target $target failed: see fuzz/artifacts/$target" >&2
        status=1
    fi
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$log" || true
    rm -f "$log"
done
[ "$status" -eq 0 ] && echo "fuzzed ${#targets[@]} targets for ${seconds}s each"
exit "$status"
