// common/pool_segments.wgsl for adapters with fewer than 15 storage buffers
// per stage: the scene in one segment (`frame.segment_splats` covers it all).
@group(0) @binding(1) var<storage, read> splats: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> sh_words: array<u32>;

fn splat_word(segment: u32, i: u32) -> vec4<u32> {
    return splats[i];
}

fn sh_word(segment: u32, i: u32) -> u32 {
    return sh_words[i];
}
