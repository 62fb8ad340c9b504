#!/usr/bin/env bash
# GPU cost per anti-aliasing mode (docs/ANTIALIASING.md): `splatview bench` on one
# scene for every mode x rasterizer, the configurations alternated round by round
# so that load from other processes spreads over all of them. Prints one line per
# run (mode, raster, project/sort/draw/frame ms) and, at the end, the median per
# configuration.
#
# Usage: scripts/bench-aa.sh SCENE [ROUNDS] [extra bench flags...]
#   SPLATVIEW=target/release/splatview (default)
set -euo pipefail

scene=${1:?usage: scripts/bench-aa.sh SCENE [ROUNDS] [bench flags...]}
rounds=${2:-3}
shift $(($# >= 2 ? 2 : 1))
bin=${SPLATVIEW:-target/release/splatview}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for round in $(seq "$rounds"); do
    for raster in hardware compute; do
        for mode in classic antialiased mip analytic; do
            "$bin" bench "$scene" --raster "$raster" --aa "$mode" --json "$@" |
                jq -c --arg round "$round" '{round: $round, aa, raster, project: .pass_ms.project,
                    sort: .pass_ms.sort, draw: .pass_ms.draw, frame: .frame_ms_median,
                    visible: .visible_splats}' | tee -a "$out"
        done
    done
done

echo "median and smallest over $rounds rounds (ms):"
summarize() {
    jq -s -r 'def r: . * 10 | round / 10;
        def med: sort | .[length / 2 | floor];
        group_by([.raster, .aa]) | .[] |
        "\(.[0].raster)\t\(.[0].aa)\tproject \(map(.project) | med | r)\tdraw \(map(.draw) | med | r) (min \(map(.draw) | min | r))\tframe \(map(.frame) | med | r) (min \(map(.frame) | min | r))"' "$1"
}
summarize "$out"
