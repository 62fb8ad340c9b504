#!/usr/bin/env bash
# The level-of-detail dolly of docs/LOD.md: a camera path straight at a scene
# from far to near, rendered with every splat and with LOD, compared frame by
# frame with `splatview metrics`; prints each frame's PSNR, the median and how
# far the worst frame is below it (issue 14's goal: at most 3 dB).
#
#   scripts/lod-dolly.sh BINARY SCENE OUT [LOD FLAGS...]
#
# Defaults match docs/LOD.md: biker's centre, 30 to 1.6 units, 16 frames at
# 320x240, `--lod-budget 38186` (25% of biker). Other LOD flags replace it, e.g.
# `--lod-threshold 2` for the threshold alone.
set -euo pipefail
bin=$1 scene=$2 out=$3
shift 3
lod=("$@")
[ ${#lod[@]} -eq 0 ] && lod=(--lod-budget 38186)
mkdir -p "$out"
cat >"$out/path.json" <<'JSON'
{"version":1,"duration_s":10.0,"looping":false,"interpolation":"catmull_rom","keyframes":[
{"position":[-0.06,-1.64,-30.0],"rotation":[0.0,0.0,0.0,1.0],"fov_y_degrees":50.0},
{"position":[-0.06,-1.64,-12.0],"rotation":[0.0,0.0,0.0,1.0],"fov_y_degrees":50.0},
{"position":[-0.06,-1.64,-4.0],"rotation":[0.0,0.0,0.0,1.0],"fov_y_degrees":50.0},
{"position":[-0.06,-1.64,-1.6],"rotation":[0.0,0.0,0.0,1.0],"fov_y_degrees":50.0}]}
JSON
common=(--path "$out/path.json" --frames 16 --width 320 --height 240)
"$bin" render "$scene" "${common[@]}" --out-dir "$out/full" >"$out/full.log" 2>&1
"$bin" render "$scene" "${common[@]}" "${lod[@]}" --out-dir "$out/lod" >"$out/lod.log" 2>&1
: >"$out/psnr.txt"
for frame in "$out"/full/frame_*.png; do
    name=$(basename "$frame")
    psnr=$("$bin" metrics "$frame" "$out/lod/$name" --json |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["psnr"])')
    echo "$name $psnr" >>"$out/psnr.txt"
done
python3 - "$out/psnr.txt" <<'PY'
import statistics, sys
values = [float(line.split()[1]) for line in open(sys.argv[1])]
median = statistics.median(values)
print(" ".join(f"{v:.2f}" for v in values))
print(f"median {median:.2f} dB, worst {min(values):.2f} dB, {median - min(values):.2f} dB below the median")
PY
