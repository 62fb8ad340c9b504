//! Texture formats shared by the passes of a view.

/// Format of the accumulation target the splats are blended into. Half floats keep
/// hundreds of blended layers accurate (8-bit targets lose ~1 LSB per layer).
pub const ACCUMULATION_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;

/// Format of the depth buffer splats are tested against (`ViewParams::depth`):
/// reversed depth `near_plane / z_view`, 0 where nothing was drawn.
pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;
