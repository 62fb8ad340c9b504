// Compute rasterizer, raster pass kernel 3: one workgroup per chunk of a
// TILE_SIZE x TILE_SIZE tile's pairs (tile_chunks.wgsl; a tile with few pairs is one chunk) blends its
// splats front to back, exactly as the 3DGS reference rasterizer (and
// src/reference/render.rs): alpha = min(0.99, opacity * exp(power)), skipped when
// power > 0 or alpha < 1/255, and a pixel stops before its transmittance would
// drop below 1e-4. A splat counts only inside the rectangle around its ellipse
// (oriented along its axes, as the quads of splat_draw.wgsl). The splats are
// loaded into workgroup memory in batches of one per pixel; the workgroup stops as soon as
// every pixel is done. A tile of one chunk is written to the output, the same
// premultiplied colour and alpha the draw pass blends (compose.wgsl is shared);
// a chunk of a longer tile leaves its colour and transmittance for
// tile_merge.wgsl, negated where the pixel stopped in it; a chunk skips the
// pixels a chunk in front of it stopped (`chunk_stopped`). Where the compose pass is folded in, `output` is the view's
// 8-bit output instead (the same kernel with `rgba8unorm` in place of
// `rgba16float`, src/render/tile/output.rs) and a pixel is written over the
// background (`tile_output_value`). With a mesh depth buffer (frame.depth_test), a splat whose
// centre lies behind the mesh at a pixel is skipped there, the rule the quads'
// hardware depth test applies. In the analytic mode (common/analytic.wgsl) the
// rectangle is the splat's own in its eigenbasis and the weight the Gaussian
// integrated over the pixel, as in splat_draw.wgsl.

#include "common/frame.wgsl"
#include "common/splat_axes.wgsl"
#include "common/analytic.wgsl"
#include "common/tile_params.wgsl"

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<uniform> tiles: TileParams;
@group(0) @binding(2) var<storage, read> projected: array<ProjectedSplat>;
// Splat index of each (tile, splat) pair, sorted by tile, back to front in a tile.
@group(0) @binding(3) var<storage, read> sorted_values: array<u32>;
@group(0) @binding(4) var<storage, read> ranges: array<u32>;
@group(0) @binding(5) var<storage, read> chunk_base: array<u32>;
@group(0) @binding(6) var<storage, read> chunk_tiles: array<u32>;
// [8]: chunks (tile_chunks.wgsl).
@group(0) @binding(7) var<storage, read> tile_state: array<u32>;
// Per chunk and pixel: (colour rg, colour b and transmittance) as f16 pairs.
@group(0) @binding(8) var<storage, read_write> partials: array<vec2<u32>>;
// Per splat: the depth-test value of its centre (when frame.depth_test is 1).
@group(0) @binding(9) var<storage, read> splat_depths: array<f32>;
// Per chunk, STOP_WORDS words: a bit per pixel of its tile that this chunk or one in
// front of it stopped (cleared every frame). tile_merge.wgsl stops a pixel at
// the first chunk that stopped it, so the chunks behind skip such a pixel.
@group(0) @binding(10) var<storage, read_write> chunk_stopped: array<atomic<u32>>;
// The pipeline's anti-aliasing family (one pipeline per value, as in
// splat_draw.wgsl): analytic, or the point-sampled modes.
override ANALYTIC: bool = false;

@group(1) @binding(0) var output: texture_storage_2d<rgba16float, write>;
@group(1) @binding(1) var mesh_depth: texture_depth_2d;

// One splat per invocation and batch.
const BATCH: u32 = TILE_PIXELS;
const MIN_ALPHA: f32 = 0.003921568627451; // 1 / 255
const MAX_ALPHA: f32 = 0.99;
const MIN_TRANSMITTANCE: f32 = 1e-4;

// One batch of splats: (centre, opacity, conic a), (conic b, conic c, rectangle
// edge normal 1), (colour, edge normal 2 x), edge normal 2 y, depth-test value.
// Analytic: (centre, opacity · 2π σ1 σ2, h1 / σ1), (h2 / σ2, 0.5 / σ1, normal 1),
// (colour, normal 2 x), normal 2 y, batch_e: 0.5 / σ2, and batch_f: the cut-off
// 2 ln(255 o R²) of the early-out below.
var<workgroup> batch_a: array<vec4<f32>, BATCH>;
var<workgroup> batch_b: array<vec4<f32>, BATCH>;
var<workgroup> batch_c: array<vec4<f32>, BATCH>;
var<workgroup> batch_d: array<f32, BATCH>;
var<workgroup> batch_e: array<f32, BATCH>;
var<workgroup> batch_f: array<f32, BATCH>;
var<workgroup> batch_depth: array<f32, BATCH>;
var<workgroup> done_pixels: atomic<u32>;
var<workgroup> done_snapshot: u32;
var<workgroup> front_stopped: array<u32, STOP_WORDS>;

// Chunks in front of this one whose stopped pixels it reads each batch (each
// chunk's bits include those it read, so older stops arrive through them).
const FRONT_LOOKBACK: u32 = 4u;

fn load_splat(slot: u32, index: u32) {
    let splat = projected[index];
    let rg = unpack2x16float(splat.packed.y);
    let b_opacity = unpack2x16float(splat.packed.z);
    if ANALYTIC {
        // Offsets along the axes in standard deviations are (d . n) h / σ.
        let s = analytic_splat(splat);
        let normals = analytic_rect_normals(s);
        let inv_sigma = 1.0 / s.sigma;
        let reach = s.half_extents * inv_sigma;
        batch_a[slot] = vec4<f32>(s.center, analytic_peak(b_opacity.y, s.sigma), reach.x);
        batch_b[slot] = vec4<f32>(reach.y, 0.5 * inv_sigma.x, normals.xy);
        batch_c[slot] = vec4<f32>(rg, b_opacity.x, normals.z);
        batch_d[slot] = normals.w;
        batch_e[slot] = 0.5 * inv_sigma.y;
        let bound = 255.0 * b_opacity.y * ANALYTIC_DENSITY_MAX_RATIO * ANALYTIC_DENSITY_MAX_RATIO;
        batch_f[slot] = 2.0 * log(max(bound, 1e-30));
    } else {
        let conic = vec3<f32>(splat.center_conic_ab.zw, bitcast<f32>(splat.packed.x));
        // The rectangle the quads of splat_draw.wgsl cover.
        let normals = splat_rect_normals(conic, b_opacity.y);
        batch_a[slot] = vec4<f32>(splat.center_conic_ab.xy, b_opacity.y, conic.x);
        batch_b[slot] = vec4<f32>(conic.y, conic.z, normals.xy);
        batch_c[slot] = vec4<f32>(rg, b_opacity.x, normals.z);
        batch_d[slot] = normals.w;
    }
    if frame.depth_test != 0u {
        batch_depth[slot] = splat_depths[index];
    }
}

@compute @workgroup_size(TILE_SIZE, TILE_SIZE)
fn tile_raster(
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) num_groups: vec3<u32>,
) {
    let chunk = group.x + group.y * num_groups.x;
    if chunk >= tile_state[8] {
        return;
    }
    let tile = chunk_tiles[chunk];
    let tile_xy = vec2<u32>(tile % tiles.tiles_x, tile / tiles.tiles_x);
    let pixel = tile_xy * TILE_SIZE + local.xy;
    let inside = f32(pixel.x) < frame.viewport.x && f32(pixel.y) < frame.viewport.y;
    let pixel_center = vec2<f32>(pixel) + 0.5;
    // The mesh depth at this pixel; 0 (nothing) hides no splat.
    let depth_test = frame.depth_test != 0u;
    let analytic = ANALYTIC;
    var surface_depth = 0.0;
    if depth_test && inside {
        surface_depth = textureLoad(mesh_depth, vec2<i32>(pixel), 0);
    }
    let first = ranges[2u * tile];
    let end = max(ranges[2u * tile + 1u], first);
    let chunks = tile_chunk_count(end - first, tiles.chunk_pairs);
    // This chunk's pairs, counted front to back from the tile's front.
    let chunk_start = (chunk - chunk_base[tile]) * tiles.chunk_pairs;
    let chunk_end = min(end - first, chunk_start + tiles.chunk_pairs);

    if lid == 0u {
        atomicStore(&done_pixels, 0u);
    }
    workgroupBarrier();
    var done = !inside;
    if done {
        atomicAdd(&done_pixels, 1u);
    }
    var transmittance = 1.0;
    var color = vec3<f32>(0.0);
    // This pixel's transmittance fell below the cut-off within this chunk.
    var stopped_here = false;
    let chunk_in_tile = chunk - chunk_base[tile];
    let stop_word = STOP_WORDS * chunk + lid / 32u;
    let stop_bit = 1u << (lid % 32u);
    for (var start = chunk_start; start < chunk_end; start += BATCH) {
        // The pairs run back to front: load them from the end (front first).
        if start + lid < chunk_end {
            load_splat(lid, sorted_values[end - 1u - start - lid]);
        }
        if lid == 0u {
            done_snapshot = atomicLoad(&done_pixels);
        }
        if lid < STOP_WORDS {
            // The pixels the chunks in front stopped (none for a tile's first
            // chunk), a word per invocation, read under the same barrier as
            // the count.
            var stopped = 0u;
            for (var c = chunk - min(chunk_in_tile, FRONT_LOOKBACK); c < chunk; c++) {
                stopped |= atomicLoad(&chunk_stopped[STOP_WORDS * c + lid]);
            }
            front_stopped[lid] = stopped;
        }
        if workgroupUniformLoad(&done_snapshot) == TILE_PIXELS {
            break;
        }
        // A pixel a chunk in front stopped: its value here is never read (the
        // count above takes it from the next batch on).
        if !done && (front_stopped[lid / 32u] & stop_bit) != 0u {
            done = true;
            atomicAdd(&done_pixels, 1u);
            atomicOr(&chunk_stopped[stop_word], stop_bit);
        }
        if !done {
            let n = min(BATCH, chunk_end - start);
            for (var j = 0u; j < n; j++) {
                let a = batch_a[j];
                let b = batch_b[j];
                let d = pixel_center - a.xy;
                let along = vec2<f32>(dot(d, b.zw), dot(d, vec2<f32>(batch_c[j].w, batch_d[j])));
                if abs(along.x) > 1.0 || abs(along.y) > 1.0 {
                    continue;
                }
                if depth_test && batch_depth[j] < surface_depth {
                    continue;
                }
                var alpha: f32;
                if analytic {
                    let x = abs(along) * vec2<f32>(a.w, b.x);
                    let half_pixel = vec2<f32>(b.y, batch_e[j]);
                    // Each window integral is at most R exp(-t²/2), t its window's
                    // distance from the centre in σ: skip, without an exp, the
                    // corners of the rectangle where o R² exp(-|t|²/2) < 1/255.
                    let t = max(x - half_pixel, vec2<f32>(0.0));
                    if dot(t, t) > batch_f[j] {
                        continue;
                    }
                    alpha = min(MAX_ALPHA, a.z * analytic_window(x, half_pixel));
                } else {
                    let power = -0.5 * (a.w * d.x * d.x + b.y * d.y * d.y) - b.x * d.x * d.y;
                    if power > 0.0 {
                        continue;
                    }
                    alpha = min(MAX_ALPHA, a.z * exp(power));
                }
                if alpha < MIN_ALPHA {
                    continue;
                }
                let next = transmittance * (1.0 - alpha);
                if next < MIN_TRANSMITTANCE {
                    done = true;
                    stopped_here = true;
                    break;
                }
                color += batch_c[j].rgb * alpha * transmittance;
                transmittance = next;
            }
            if done {
                atomicAdd(&done_pixels, 1u);
                if chunks > 1u {
                    atomicOr(&chunk_stopped[stop_word], stop_bit);
                }
            }
        }
        workgroupBarrier();
    }
    if inside {
        if chunks == 1u {
            textureStore(output, pixel, tile_output_value(color, transmittance, tiles));
        } else {
            // A pixel that stopped here stores its transmittance negated: the
            // merge ends it at this chunk, as the reference ends it here.
            partials[chunk * TILE_PIXELS + lid] = vec2<u32>(
                pack2x16float(color.rg),
                pack2x16float(vec2<f32>(color.b, select(transmittance, -transmittance, stopped_here))),
            );
        }
    }
}
