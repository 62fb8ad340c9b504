#!/usr/bin/env bash
# splatview and web-splat side by side on one scene and camera (docs/BENCHMARKS.md,
# "Side by side with web-splat"): the two alternate, ROUNDS times, and each
# prints its frame median (submit + wait) and back-to-back throughput.
#
#   scripts/bench-peer.sh SPLATVIEW PEER_MEASURE SCENE CAMERAS_JSON [FRAMES] [ROUNDS]
#
# SPLATVIEW: a release build. PEER_MEASURE: web-splat's `peer_time` binary, built
# from scripts/peer_time.rs as its header says (camera 0 at its size, FRAMES from
# the environment, printing `frame_ms_median` and `throughput_fps`). splatview renders camera 0 of
# CAMERAS_JSON at 1280x720 with the quads and with the tiles.
set -uo pipefail
sv=$1 peer=$2 scene=$3 cams=$4 frames=${5:-6} rounds=${6:-2}
summary='import json, sys
text = sys.stdin.read()
r = json.loads(text[text.index("{"):])
print("frame_ms_median %.1f throughput_fps %.2f draw_ms %.1f" % (r["frame_ms_median"], r["throughput_fps"], r["pass_ms"]["draw"]))'
for round in $(seq 1 "$rounds"); do
    for raster in hardware compute; do
        printf 'round %s splatview %-8s ' "$round" "$raster"
        NODEVICE_SELECT=1 RUST_LOG=error "$sv" bench "$scene" --camera "$cams" --camera-index 0 \
            --raster "$raster" --frames "$frames" --width 1280 --height 720 --json 2>/dev/null |
            python3 -c "$summary"
    done
    printf 'round %s web-splat           ' "$round"
    FRAMES=$frames NODEVICE_SELECT=1 "$peer" "$scene" "$cams" 2>/dev/null |
        grep -E 'frame_ms_median|throughput_fps' | sed 's/ (of.*//' | tr '\n' ' '
    echo
done
