#!/usr/bin/env bash
# The scripted GPU benchmark set of docs/BENCHMARKS.md, for a short run on a lent
# GPU machine: one JSON object per line into OUT/bench.jsonl, a log in OUT/bench.log
# (sort on both paths, frames with quads, tiles and Auto, loading a 1 GB PLY).
#
#   scripts/bench-device.sh BINARY DATA_DIR OUT [--quick]
#
# BINARY: a release build of splatview; DATA_DIR: holds biker.ply and
# guitar.decoded.ply; --quick: tiny sizes (to try the script on lavapipe).
set -uo pipefail
bin=$1 data=$2 out=$3 quick=${4:-}
mkdir -p "$out"
jsonl=$out/bench.jsonl log=$out/bench.log
: >"$jsonl"
sort_n=8388608 big=6000000 w=1920 h=1080 frames=100 big_frames=50
if [ "$quick" = --quick ]; then
    sort_n=65536 big=200000 w=320 h=180 frames=2 big_frames=2
fi

run() { # label, command... (the tiles at 8x8 unless the command says otherwise)
    local label=$1
    shift
    case " $* " in
    *" --raster hardware "*) ;; # no tiles: --tile-size is refused there
    *" bench "*) [[ " $* " == *" --tile-size "* ]] || set -- "$@" --tile-size 8 ;;
    esac
    echo "== $label: $*" >>"$log"
    if ! timeout 120 "$@" --json 2>>"$log" | tr -d '\n' | sed "s/^{/{\"label\":\"$label\",/" >>"$jsonl"; then
        echo "FAILED: $label" | tee -a "$log"
    fi
    echo >>"$jsonl"
}

for path in portable subgroup; do
    run "sort-$path-32" "$bin" bench-sort --count "$sort_n" --key-bits 32 --path "$path"
    run "sort-$path-24" "$bin" bench-sort --count "$sort_n" --key-bits 24 --path "$path"
done
for raster in hardware compute; do
    for scene in guitar.decoded.ply biker.ply; do
        run "$scene-$raster" "$bin" bench "$data/$scene" --width "$w" --height "$h" \
            --frames "$frames" --raster "$raster"
    done
    run "biker-x$big-$raster" "$bin" bench "$data/biker.ply" --scale-to "$big" \
        --width "$w" --height "$h" --frames "$big_frames" --raster "$raster"
done
# 16x16 tiles against the 8x8 above (Auto measures both on GPUs).
for scene in guitar.decoded.ply biker.ply; do
    run "$scene-compute16" "$bin" bench "$data/$scene" --width "$w" --height "$h" \
        --frames "$frames" --raster compute --tile-size 16
done
run "biker-x$big-compute16" "$bin" bench "$data/biker.ply" --scale-to "$big" \
    --width "$w" --height "$h" --frames "$big_frames" --raster compute --tile-size 16
run "biker-x$big-inside-compute16" "$bin" bench "$data/biker.ply" --scale-to "$big" \
    --width "$w" --height "$h" --frames "$big_frames" --raster compute --tile-size 16 --inside
# The 6M scene seen from above and closer (copies spread over the view, less
# overlap in depth), and what the window's default (Auto) picks on this GPU.
run "biker-x$big-spread-compute" "$bin" bench "$data/biker.ply" --scale-to "$big" \
    --width "$w" --height "$h" --frames "$big_frames" --raster compute --zoom 0.5 --pitch 45
run "biker-x$big-auto" "$bin" bench "$data/biker.ply" --scale-to "$big" \
    --width "$w" --height "$h" --frames "$big_frames" --raster auto --tile-size auto
run "guitar.decoded.ply-auto" "$bin" bench "$data/guitar.decoded.ply" \
    --width "$w" --height "$h" --frames "$frames" --raster auto --tile-size auto
run "biker-x$big-compute-subgroup" "$bin" bench "$data/biker.ply" --scale-to "$big" \
    --width "$w" --height "$h" --frames "$big_frames" --raster compute --sort-path subgroup
# A bigger scene (16M splats, 64 copies).
huge=16000000
[ "$quick" = --quick ] && huge=300000
run "biker-x$huge-compute" "$bin" bench "$data/biker.ply" --scale-to "$huge" \
    --width "$w" --height "$h" --frames "$big_frames" --raster compute
# Inside views (issue 17): the camera among the copies, looking along the rows,
# the depth complexity of a capture seen from inside; and level of detail
# (issue 14): a 30M scene under a 2.5M budget against a 2.5M scene.
for n in "$big" "$huge"; do
    for raster in hardware compute; do
        run "biker-x$n-inside-$raster" "$bin" bench "$data/biker.ply" --scale-to "$n" \
            --width "$w" --height "$h" --frames "$big_frames" --raster "$raster" --inside
    done
done
lod_big=30000000 lod_budget=2500000
[ "$quick" = --quick ] && lod_big=400000 lod_budget=50000
run "biker-x$lod_budget-compute" "$bin" bench "$data/biker.ply" --scale-to "$lod_budget" \
    --width "$w" --height "$h" --frames "$big_frames" --raster compute
run "biker-x$lod_big-lod$lod_budget-compute" "$bin" bench "$data/biker.ply" --scale-to "$lod_big" \
    --width "$w" --height "$h" --frames "$big_frames" --raster compute --lod-budget "$lod_budget"
# The same with each frame waiting for its cut (the CPU cut on the frame's path).
run "biker-x$lod_big-lod$lod_budget-compute-wait" "$bin" bench "$data/biker.ply" --scale-to "$lod_big" \
    --width "$w" --height "$h" --frames "$big_frames" --raster compute --lod-budget "$lod_budget" --lod-wait
# The compute rasterizer's chunk size (most pairs one workgroup blends).
for chunk in 512 1024 4096 16384; do
    run "biker-x$big-compute-chunk$chunk" "$bin" bench "$data/biker.ply" --scale-to "$big" \
        --width "$w" --height "$h" --frames "$big_frames" --raster compute --tile-chunk-pairs "$chunk"
    run "biker.ply-compute-chunk$chunk" "$bin" bench "$data/biker.ply" \
        --width "$w" --height "$h" --frames "$frames" --raster compute --tile-chunk-pairs "$chunk"
done
# Large splats binned by a whole workgroup (64 tiles, the GPU default) or by
# one invocation (never), and every splat so (0), on the small scenes at 1080p
# where the H100 runs had binning as the largest stage.
for spread in never 16 0; do
    for scene in guitar.decoded.ply biker.ply; do
        run "$scene-compute-spread-$spread" "$bin" bench "$data/$scene" \
            --width "$w" --height "$h" --frames "$frames" --raster compute --tile-spread-tiles "$spread"
    done
done
# The compose pass: the tiles fold it into their kernels by default (against
# --separate-compose), the quads compose by default (against --fold-quads).
for scene in guitar.decoded.ply biker.ply; do
    run "$scene-compute-separate-compose" "$bin" bench "$data/$scene" \
        --width "$w" --height "$h" --frames "$frames" --raster compute --separate-compose
    run "$scene-hardware-fold-quads" "$bin" bench "$data/$scene" \
        --width "$w" --height "$h" --frames "$frames" --raster hardware --fold-quads
done
run "biker-x$big-compute-separate-compose" "$bin" bench "$data/biker.ply" --scale-to "$big" \
    --width "$w" --height "$h" --frames "$big_frames" --raster compute --separate-compose
# Loading a 1 GB SH3 PLY (made here from biker; 4.33M splats of 236 bytes).
load_splats=4330000
[ "$quick" = --quick ] && load_splats=100000
if "$bin" scale "$data/biker.ply" --to "$load_splats" --sh-degree 3 --out "$out/big.ply" >>"$log" 2>&1; then
    run "load-big-ply" "$bin" bench-load "$out/big.ply" --repeats 5
    rm -f "$out/big.ply"
fi
grep -c label "$jsonl" | xargs echo "results:"
