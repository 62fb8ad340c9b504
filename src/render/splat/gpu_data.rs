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

/// One splat as the project pass reads it: three vec4.
/// Keep in sync with the `splats` binding in shaders/splat_project.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct GpuSplat {
    /// xyz: world position; w: opacity logit.
    pub position_opacity: [f32; 4],
    /// Unit quaternion (w, x, y, z).
    pub rotation: [f32; 4],
    /// xyz: log scale; w: unused.
    pub log_scale: [f32; 4],
}
const _: () = assert!(size_of::<GpuSplat>() == 48);

/// Output of the project pass. Keep in sync with `ProjectedSplat` in
/// shaders/common/frame.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ProjectedSplat {
    pub center_conic_ab: [f32; 4],
    pub conic_c_opacity_extent: [f32; 4],
    pub color: [f32; 4],
}
const _: () = assert!(size_of::<ProjectedSplat>() == 48);

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
    pub _pad: [u32; 2],
}
const _: () = assert!(size_of::<FrameUniforms>() == 128);

impl FrameUniforms {
    pub fn new(camera: &PinholeCamera, data: &SplatGpuData) -> Self {
        let view_from_world: Mat4 = camera.view_from_world();
        let position: Vec3 = camera.position();
        Self {
            view_from_world: view_from_world.to_cols_array_2d(),
            camera_position: position.extend(1.0).to_array(),
            focal: [camera.fx, camera.fy],
            principal: [camera.cx, camera.cy],
            viewport: [camera.width as f32, camera.height as f32],
            splat_count: data.splat_count,
            sh_degree: data.sh_degree,
            antialiased: u32::from(data.antialiased),
            sh_words_per_splat: data.sh_words_per_splat,
            _pad: [0; 2],
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
/// Byte offset of `instance_count` in `DrawIndirectArgs`.
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
            GpuSplat {
                position_opacity: [p[0], p[1], p[2], cloud.opacity_logits[i]],
                rotation: cloud.rotations[i],
                log_scale: [s[0], s[1], s[2], 0.0],
            }
        })
        .collect()
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
    pub splat_count: u32,
    pub sh_degree: u32,
    pub antialiased: bool,
    pub sh_words_per_splat: u32,
    pub frame_uniforms: crate::gpu::UniformBuffer<FrameUniforms>,
    pub splats: wgpu::Buffer,
    pub sh: wgpu::Buffer,
    pub projected: wgpu::Buffer,
    pub draw_args: wgpu::Buffer,
    pub sort: SortBuffers,
    pub project_bind_group: wgpu::BindGroup,
    pub draw_bind_group: wgpu::BindGroup,
}

impl SplatGpuData {
    /// Uploads `cloud`. Fails with a clear error when a buffer would exceed the
    /// adapter's storage binding limit.
    pub fn new(
        device: &wgpu::Device,
        renderer: &super::SplatRenderer,
        cloud: &SplatCloud,
    ) -> Result<Self, GpuError> {
        let limit = device.limits().max_storage_buffer_binding_size;
        let n = cloud.len() as u64;
        let words = sh_words_per_splat(cloud.sh_degree);
        let check = |what: &'static str, bytes_per_splat: u64| {
            let needed = n * bytes_per_splat;
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
        check("SH coefficients", u64::from(words) * 4)?;
        let max_count = u64::from(device.limits().max_compute_workgroups_per_dimension)
            * u64::from(crate::render::sort::SORT_BLOCK_SIZE);
        if n > max_count.min(u64::from(u32::MAX)) {
            return Err(GpuError::SceneTooLarge {
                what: "sort dispatch",
                needed: n,
                limit: max_count,
            });
        }
        let splat_count = n as u32;

        let storage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
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
        let projected = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("projected splats"),
            size: n.max(1) * size_of::<ProjectedSplat>() as u64,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
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
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
        });
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
                entry(4, sort.keys[0].as_entire_binding()),
                entry(5, sort.values[0].as_entire_binding()),
                entry(6, draw_args.as_entire_binding()),
            ],
        });
        let draw_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("splat draw"),
            layout: &renderer.draw_layout,
            entries: &[
                entry(0, frame_uniforms.binding()),
                entry(1, projected.as_entire_binding()),
                entry(2, sort.values[0].as_entire_binding()),
            ],
        });
        Ok(Self {
            splat_count,
            sh_degree: cloud.sh_degree,
            antialiased: cloud.antialiased,
            sh_words_per_splat: words,
            frame_uniforms,
            splats,
            sh,
            projected,
            draw_args,
            sort,
            project_bind_group,
            draw_bind_group,
        })
    }

    /// Bytes of GPU memory held by this scene.
    pub fn size_bytes(&self) -> u64 {
        self.splats.size()
            + self.sh.size()
            + self.projected.size()
            + self.draw_args.size()
            + self.sort.size_bytes()
    }
}

fn entry(binding: u32, resource: wgpu::BindingResource<'_>) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry { binding, resource }
}
