//! GPU-side layouts of splat data and the per-scene buffers.
//!
//! `SplatGpuData` owns one scene's buffers (splat attributes, SH, projection output,
//! sort buffers, indirect draw arguments) and the bind groups over them. Pipelines
//! live in `SplatRenderer`; buffers are created once per scene and reused every frame.

use glam::{Mat4, Vec3};
use wgpu::util::DeviceExt;

use crate::gpu::GpuError;
use crate::render::sort::SortBuffers;
use crate::scene::{PinholeCamera, SplatCloud};

/// One splat as the project pass reads it: 32 bytes. Position and opacity logit
/// in f32; the unit quaternion (w, x, y, z) as four snorm16; log scales as f16.
/// Keep in sync with the `splats` binding in shaders/splat_project.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct GpuSplat {
    /// xyz: world position; w: opacity logit.
    pub position_opacity: [f32; 4],
    /// snorm16 pairs (w, x) and (y, z) of the rotation, then f16 pairs
    /// (log scale x, y) and (log scale z, 0).
    pub rotation_scale: [u32; 4],
}
const _: () = assert!(size_of::<GpuSplat>() == 32);

fn snorm16(v: f32) -> u32 {
    u32::from((v.clamp(-1.0, 1.0) * 32767.0).round() as i16 as u16)
}

fn f16_pair(a: f32, b: f32) -> u32 {
    u32::from(half::f16::from_f32(a).to_bits())
        | (u32::from(half::f16::from_f32(b).to_bits()) << 16)
}

/// Output of the project pass (centre and conic in f32, colour, opacity and quad
/// extent as f16 pairs). Keep in sync with `ProjectedSplat` in
/// shaders/common/frame.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ProjectedSplat {
    pub center_conic_ab: [f32; 4],
    pub packed: [u32; 4],
}
const _: () = assert!(size_of::<ProjectedSplat>() == 32);

/// Values the GPU computes per frame for itself. Keep in sync with `FrameState`
/// in shaders/common/frame.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct FrameState {
    pub min_depth_bits: u32,
    pub max_depth_bits: u32,
    pub visible_count: u32,
    pub importance_threshold: u32,
    pub importance_histogram: [u32; 256],
}
const _: () = assert!(size_of::<FrameState>() == 1040);

impl FrameState {
    /// The value each frame starts from (empty depth range, nothing visible).
    pub const RESET: Self = Self {
        min_depth_bits: u32::MAX,
        max_depth_bits: 0,
        visible_count: 0,
        importance_threshold: 0,
        importance_histogram: [0; 256],
    };
}

/// Splats per workgroup of the project and compact kernels.
pub const PROJECT_WORKGROUP_SIZE: u32 = 256;

/// Per-frame camera and scene parameters. Keep in sync with `FrameUniforms` in
/// shaders/common/frame.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct FrameUniforms {
    pub view_from_world: [[f32; 4]; 4],
    pub camera_position: [f32; 4],
    pub focal: [f32; 2],
    pub principal: [f32; 2],
    pub viewport: [f32; 2],
    pub splat_count: u32,
    pub sh_degree: u32,
    pub antialiased: u32,
    pub sh_words_per_splat: u32,
    pub sort_key_bits: u32,
    pub project_blocks: u32,
    pub opacity_cutoff: f32,
    pub min_splat_px: f32,
    pub splat_budget: u32,
    pub near_plane: f32,
    pub far_plane: f32,
    pub _pad: [u32; 3],
}
const _: () = assert!(size_of::<FrameUniforms>() == 160);

impl FrameUniforms {
    pub fn new(
        camera: &PinholeCamera,
        data: &SplatGpuData,
        sort_key_bits: u32,
        lod: &RenderLod,
    ) -> Self {
        let view_from_world: Mat4 = camera.view_from_world();
        let position: Vec3 = camera.position();
        Self {
            view_from_world: view_from_world.to_cols_array_2d(),
            camera_position: position.extend(1.0).to_array(),
            focal: [camera.fx, camera.fy],
            principal: [camera.cx, camera.cy],
            viewport: [camera.width as f32, camera.height as f32],
            splat_count: data.splat_count,
            sh_degree: data.sh_degree.min(lod.sh_degree_cap),
            antialiased: u32::from(data.antialiased),
            sh_words_per_splat: data.sh_words_per_splat,
            sort_key_bits,
            project_blocks: data.splat_count.div_ceil(PROJECT_WORKGROUP_SIZE),
            opacity_cutoff: lod.opacity_cutoff,
            min_splat_px: lod.min_splat_px,
            splat_budget: lod.splat_budget.unwrap_or(0),
            near_plane: lod.near_plane,
            far_plane: lod.far_plane,
            _pad: [0; 3],
        }
    }
}

/// Level-of-detail parameters the splat passes apply each frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderLod {
    /// Highest SH degree evaluated.
    pub sh_degree_cap: u32,
    /// Splats less opaque than this are culled (values below 1/255 act as 1/255).
    pub opacity_cutoff: f32,
    /// Splats whose quad half-extent is below this many pixels are culled.
    pub min_splat_px: f32,
    /// Splats are rendered at this fraction of the output resolution, then scaled.
    pub resolution_scale: f32,
    /// Draw at most this many splats, the most important (opacity x area) first.
    pub splat_budget: Option<u32>,
    /// Clipping planes (camera-space depth); far may be infinite.
    pub near_plane: f32,
    pub far_plane: f32,
}

impl Default for RenderLod {
    fn default() -> Self {
        Self {
            sh_degree_cap: crate::scene::splats::MAX_SH_DEGREE,
            opacity_cutoff: 0.0,
            min_splat_px: 0.0,
            resolution_scale: 1.0,
            splat_budget: None,
            near_plane: crate::scene::camera::NEAR_PLANE,
            far_plane: f32::INFINITY,
        }
    }
}

/// Indirect draw arguments: a 4-vertex strip, `instance_count` written by the GPU.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct DrawIndirectArgs {
    pub vertex_count: u32,
    pub instance_count: u32,
    pub first_vertex: u32,
    pub first_instance: u32,
}
const _: () = assert!(size_of::<DrawIndirectArgs>() == 16);
/// Byte offset of `instance_count` (the visible splat count) in `DrawIndirectArgs`.
pub const INSTANCE_COUNT_OFFSET: u64 = 4;

/// u32 words per splat holding its SH coefficients as f16 pairs.
pub fn sh_words_per_splat(sh_degree: u32) -> u32 {
    let halves = crate::scene::splats::sh_coeffs_for_degree(sh_degree) as u32 * 3;
    halves.div_ceil(2)
}

/// Converts a cloud to the GPU attribute layout.
pub fn pack_splats(cloud: &SplatCloud) -> Vec<GpuSplat> {
    (0..cloud.len())
        .map(|i| {
            let p = cloud.positions[i];
            let s = cloud.log_scales[i];
            let q = cloud.rotations[i];
            GpuSplat {
                position_opacity: [p[0], p[1], p[2], cloud.opacity_logits[i]],
                rotation_scale: [
                    snorm16(q[0]) | (snorm16(q[1]) << 16),
                    snorm16(q[2]) | (snorm16(q[3]) << 16),
                    f16_pair(s[0], s[1]),
                    f16_pair(s[2], 0.0),
                ],
            }
        })
        .collect()
}

/// The cloud as the GPU sees it after packing (f16 log scales and SH, snorm16
/// quaternions), for measuring what the packed layout costs against f32.
pub fn quantized_like_gpu(cloud: &SplatCloud) -> SplatCloud {
    let f16 = |v: f32| half::f16::from_f32(v).to_f32();
    let snorm = |v: f32| (v.clamp(-1.0, 1.0) * 32767.0).round() / 32767.0;
    let mut out = cloud.clone();
    out.log_scales.iter_mut().for_each(|s| *s = s.map(f16));
    out.rotations
        .iter_mut()
        .for_each(|q| *q = crate::scene::splats::normalize_quat(q.map(snorm)));
    out.sh_dc.iter_mut().for_each(|c| *c = c.map(f16));
    out.sh_rest.iter_mut().for_each(|c| *c = f16(*c));
    out
}

/// Packs SH coefficients (DC first, then the rest) as f16 pairs, coefficient-major.
pub fn pack_sh(cloud: &SplatCloud) -> Vec<u32> {
    let words = sh_words_per_splat(cloud.sh_degree) as usize;
    let mut out = vec![0u32; words * cloud.len()];
    let mut halves = Vec::with_capacity(words * 2);
    for (i, dst) in out.chunks_exact_mut(words.max(1)).enumerate() {
        halves.clear();
        halves.extend(cloud.sh_dc[i].iter().map(|&v| half::f16::from_f32(v)));
        halves.extend(cloud.sh_rest_of(i).iter().map(|&v| half::f16::from_f32(v)));
        halves.resize(words * 2, half::f16::ZERO);
        for (w, pair) in dst.iter_mut().zip(halves.chunks_exact(2)) {
            *w = u32::from(pair[0].to_bits()) | (u32::from(pair[1].to_bits()) << 16);
        }
    }
    out
}

/// One scene's GPU buffers and bind groups.
pub struct SplatGpuData {
    /// Splats uploaded so far.
    pub splat_count: u32,
    /// Splats the buffers have room for.
    pub(crate) capacity: u32,
    pub sh_degree: u32,
    pub antialiased: bool,
    pub sh_words_per_splat: u32,
    pub frame_uniforms: crate::gpu::UniformBuffer<FrameUniforms>,
    pub splats: wgpu::Buffer,
    pub sh: wgpu::Buffer,
    pub projected: wgpu::Buffer,
    /// Per project workgroup: visible count, then output offset.
    pub block_counts: wgpu::Buffer,
    pub frame_state: wgpu::Buffer,
    pub draw_args: wgpu::Buffer,
    pub sort: SortBuffers,
    pub project_bind_group: wgpu::BindGroup,
    pub budget_bind_group: wgpu::BindGroup,
    pub compact_bind_group: wgpu::BindGroup,
    /// Draw bind groups reading the sorted indices from `sort.values[0]` and `[1]`.
    pub draw_bind_groups: [wgpu::BindGroup; 2],
    /// Pair buffers of the compute rasterizer, made on its first frame.
    pub tiles: Option<crate::render::tile::TileBuffers>,
}

impl SplatGpuData {
    /// Uploads `cloud`. Fails with a clear error when a buffer would exceed the
    /// adapter's storage binding limit.
    pub fn new(
        device: &wgpu::Device,
        renderer: &super::SplatRenderer,
        cloud: &SplatCloud,
    ) -> Result<Self, GpuError> {
        check_capacity(device, cloud.len() as u64, cloud.sh_degree)?;
        // COPY_SRC: tests read the uploaded data back.
        let storage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_DST
            | wgpu::BufferUsages::COPY_SRC;
        // Empty scenes still get non-empty buffers (zero-sized bindings are invalid).
        let mut packed = pack_splats(cloud);
        if packed.is_empty() {
            packed.push(bytemuck::Zeroable::zeroed());
        }
        let splats = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("splat attributes"),
            contents: bytemuck::cast_slice(&packed),
            usage: storage,
        });
        let mut sh_packed = pack_sh(cloud);
        if sh_packed.is_empty() {
            sh_packed.push(0);
        }
        let sh = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("splat SH"),
            contents: bytemuck::cast_slice(&sh_packed),
            usage: storage,
        });
        let mut data = Self::with_attribute_buffers(
            device,
            renderer,
            splats,
            sh,
            cloud.len() as u32,
            cloud.sh_degree,
        );
        data.splat_count = cloud.len() as u32;
        data.antialiased = cloud.antialiased;
        Ok(data)
    }

    /// Empty buffers for up to `capacity` splats of `sh_degree`, to be filled
    /// chunk by chunk with `append` while a file streams in.
    pub fn with_capacity(
        device: &wgpu::Device,
        renderer: &super::SplatRenderer,
        capacity: usize,
        sh_degree: u32,
        antialiased: bool,
    ) -> Result<Self, GpuError> {
        check_capacity(device, capacity as u64, sh_degree)?;
        let make = |label: &str, size: u64| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: size.max(16),
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            })
        };
        let n = capacity as u64;
        let splats = make("splat attributes", n * size_of::<GpuSplat>() as u64);
        let sh = make("splat SH", n * u64::from(sh_words_per_splat(sh_degree)) * 4);
        let mut data =
            Self::with_attribute_buffers(device, renderer, splats, sh, capacity as u32, sh_degree);
        data.antialiased = antialiased;
        Ok(data)
    }

    /// Splats the buffers can hold.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Uploads `chunk` after the splats already present. Fails (changing nothing)
    /// when it does not fit or has another SH degree.
    pub fn append(&mut self, queue: &wgpu::Queue, chunk: &SplatCloud) -> Result<(), AppendError> {
        if chunk.sh_degree != self.sh_degree {
            return Err(AppendError::ShDegree {
                expected: self.sh_degree,
                found: chunk.sh_degree,
            });
        }
        let start = u64::from(self.splat_count);
        if start + chunk.len() as u64 > u64::from(self.capacity) {
            return Err(AppendError::Full {
                capacity: self.capacity,
            });
        }
        if chunk.is_empty() {
            return Ok(());
        }
        queue.write_buffer(
            &self.splats,
            start * size_of::<GpuSplat>() as u64,
            bytemuck::cast_slice(&pack_splats(chunk)),
        );
        queue.write_buffer(
            &self.sh,
            start * u64::from(self.sh_words_per_splat) * 4,
            bytemuck::cast_slice(&pack_sh(chunk)),
        );
        self.splat_count += chunk.len() as u32;
        Ok(())
    }

    /// The other buffers and bind groups around given attribute buffers holding
    /// room for `capacity` splats; `splat_count` starts at 0.
    fn with_attribute_buffers(
        device: &wgpu::Device,
        renderer: &super::SplatRenderer,
        splats: wgpu::Buffer,
        sh: wgpu::Buffer,
        capacity: u32,
        sh_degree: u32,
    ) -> Self {
        let n = u64::from(capacity);
        let splat_count = capacity;
        let words = sh_words_per_splat(sh_degree);
        let make = |label: &str, size: u64, usage: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: size.max(16),
                usage,
                mapped_at_creation: false,
            })
        };
        let projected = make(
            "projected splats",
            n * size_of::<ProjectedSplat>() as u64,
            wgpu::BufferUsages::STORAGE,
        );
        let block_counts = make(
            "visible counts per block",
            u64::from(splat_count.div_ceil(PROJECT_WORKGROUP_SIZE)) * 4,
            wgpu::BufferUsages::STORAGE,
        );
        let frame_state = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("frame state"),
            contents: bytemuck::bytes_of(&FrameState::RESET),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
        });
        let draw_args = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("splat draw args"),
            contents: bytemuck::bytes_of(&DrawIndirectArgs {
                vertex_count: 4,
                instance_count: 0,
                first_vertex: 0,
                first_instance: 0,
            }),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::INDIRECT
                | wgpu::BufferUsages::COPY_SRC,
        });
        // The sort's second buffers double as per-splat scratch before the sort
        // starts: keys[1] holds depths (project -> compact), values[1] importance
        // buckets (project -> budget).
        let sort = renderer
            .sorter
            .create_buffers(device, splat_count, wgpu::BufferUsages::empty());
        let frame_uniforms =
            crate::gpu::UniformBuffer::new(device, "frame uniforms", &bytemuck::Zeroable::zeroed());
        let project_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("splat project"),
            layout: &renderer.project_layout,
            entries: &[
                entry(0, frame_uniforms.binding()),
                entry(1, splats.as_entire_binding()),
                entry(2, sh.as_entire_binding()),
                entry(3, projected.as_entire_binding()),
                entry(4, sort.keys[1].as_entire_binding()),
                entry(5, block_counts.as_entire_binding()),
                entry(6, frame_state.as_entire_binding()),
                entry(7, sort.values[1].as_entire_binding()),
            ],
        });
        let budget_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("splat budget"),
            layout: &renderer.budget_layout,
            entries: &[
                entry(0, frame_uniforms.binding()),
                entry(1, sort.keys[1].as_entire_binding()),
                entry(2, sort.values[1].as_entire_binding()),
                entry(3, block_counts.as_entire_binding()),
                entry(4, frame_state.as_entire_binding()),
            ],
        });
        let compact_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("splat compact"),
            layout: &renderer.compact_layout,
            entries: &[
                entry(0, frame_uniforms.binding()),
                entry(1, sort.keys[1].as_entire_binding()),
                entry(2, block_counts.as_entire_binding()),
                entry(3, frame_state.as_entire_binding()),
                entry(4, sort.keys[0].as_entire_binding()),
                entry(5, sort.values[0].as_entire_binding()),
                entry(6, sort.params().as_entire_binding()),
                entry(7, sort.dispatch_args.as_entire_binding()),
                entry(8, draw_args.as_entire_binding()),
            ],
        });
        let draw_bind_groups = [0, 1].map(|result| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("splat draw"),
                layout: &renderer.draw_layout,
                entries: &[
                    entry(0, frame_uniforms.binding()),
                    entry(1, projected.as_entire_binding()),
                    entry(2, sort.values[result].as_entire_binding()),
                ],
            })
        });
        Self {
            capacity,
            splat_count: 0,
            sh_degree,
            antialiased: false,
            sh_words_per_splat: words,
            frame_uniforms,
            splats,
            sh,
            projected,
            block_counts,
            frame_state,
            draw_args,
            sort,
            project_bind_group,
            budget_bind_group,
            compact_bind_group,
            draw_bind_groups,
            tiles: None,
        }
    }

    /// Bytes of GPU memory held by this scene: [`Self::resident_bytes`] plus
    /// [`Self::working_bytes`].
    pub fn size_bytes(&self) -> u64 {
        self.resident_bytes() + self.working_bytes()
    }

    /// Bytes of the splat data itself (packed attributes and SH), what must stay
    /// resident for the scene to be drawn.
    pub fn resident_bytes(&self) -> u64 {
        self.splats.size() + self.sh.size()
    }

    /// Bytes of the per-frame working buffers (projected splats, sort keys and
    /// values, counts, indirect arguments), rewritten every frame.
    pub fn working_bytes(&self) -> u64 {
        self.projected.size()
            + self.block_counts.size()
            + self.frame_state.size()
            + self.draw_args.size()
            + self.sort.size_bytes()
            + self.tiles.as_ref().map_or(0, |t| t.size_bytes())
    }
}

/// Why a streamed chunk could not be appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("chunk has SH degree {found}, the scene has {expected}")]
    ShDegree { expected: u32, found: u32 },
    #[error("chunk does not fit: the scene's GPU buffers hold {capacity} splats")]
    Full { capacity: u32 },
}

/// Fails with a clear error when `count` splats would exceed the adapter's
/// storage binding limit or the sort's dispatch limit.
fn check_capacity(device: &wgpu::Device, count: u64, sh_degree: u32) -> Result<(), GpuError> {
    let limit = device.limits().max_storage_buffer_binding_size;
    let check = |what: &'static str, bytes_per_splat: u64| {
        let needed = count * bytes_per_splat;
        if needed > limit {
            Err(GpuError::SceneTooLarge {
                what,
                needed,
                limit,
            })
        } else {
            Ok(())
        }
    };
    check("splat attributes", size_of::<GpuSplat>() as u64)?;
    check("projected splats", size_of::<ProjectedSplat>() as u64)?;
    check(
        "SH coefficients",
        u64::from(sh_words_per_splat(sh_degree)) * 4,
    )?;
    let max_count = u64::from(device.limits().max_compute_workgroups_per_dimension)
        * u64::from(crate::render::sort::SORT_BLOCK_SIZE);
    if count > max_count.min(u64::from(u32::MAX)) {
        return Err(GpuError::SceneTooLarge {
            what: "sort dispatch",
            needed: count,
            limit: max_count,
        });
    }
    Ok(())
}

pub(crate) fn entry(binding: u32, resource: wgpu::BindingResource<'_>) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry { binding, resource }
}
