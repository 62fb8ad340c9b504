// The scene's splats, in up to four segments of a pair of storage bindings
// each (attributes and SH): a level-of-detail page pool larger than one
// binding (`max_storage_buffer_binding_size`) spans several. Splat `s` lies in
// segment `s / frame.segment_splats`; bindings of unused segments repeat
// segment 0. Adapters with fewer than 15 storage buffers per stage compile
// common/pool_segment_single.wgsl in place of this file
// (src/render/splat/mod.rs). Keep the count in sync with
// `POOL_SEGMENT_BINDINGS` in src/render/splat/gpu_data.rs.
//
// Attributes: two vec4<u32> per splat (32 bytes): (position.xyz, opacity
// logit) as f32 bits; then the quaternion (w, x, y, z) as two snorm16 pairs
// and the log scales as two f16 pairs. Keep in sync with `GpuSplat` in
// gpu_data.rs. SH: coefficients as pairs of f16, coefficient-major then
// channel, padded to `frame.sh_words_per_splat` u32 words per splat.
@group(0) @binding(1) var<storage, read> splats: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> sh_words: array<u32>;
@group(0) @binding(10) var<storage, read> splats_1: array<vec4<u32>>;
@group(0) @binding(11) var<storage, read> sh_words_1: array<u32>;
@group(0) @binding(12) var<storage, read> splats_2: array<vec4<u32>>;
@group(0) @binding(13) var<storage, read> sh_words_2: array<u32>;
@group(0) @binding(14) var<storage, read> splats_3: array<vec4<u32>>;
@group(0) @binding(15) var<storage, read> sh_words_3: array<u32>;

// Word `i` (a vec4) of segment `segment`'s attributes.
fn splat_word(segment: u32, i: u32) -> vec4<u32> {
    switch segment {
        case 1u: { return splats_1[i]; }
        case 2u: { return splats_2[i]; }
        case 3u: { return splats_3[i]; }
        default: { return splats[i]; }
    }
}

// Word `i` of segment `segment`'s SH coefficients.
fn sh_word(segment: u32, i: u32) -> u32 {
    switch segment {
        case 1u: { return sh_words_1[i]; }
        case 2u: { return sh_words_2[i]; }
        case 3u: { return sh_words_3[i]; }
        default: { return sh_words[i]; }
    }
}
