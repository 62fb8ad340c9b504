//! One view's working buffers for one scene: camera uniforms, the frame state the
//! GPU computes for itself, projected splats, per-splat depths, sort keys and
//! values, indirect draw arguments, and the bind groups over them and the scene's
//! resident buffers. Rewritten every frame; made again when the view draws
//! another scene.

use wgpu::util::DeviceExt;

use super::SplatRenderer;
use super::gpu_data::{
    DrawIndirectArgs, FrameState, FrameUniforms, PROJECT_WORKGROUP_SIZE, ProjectedSplat,
};
use crate::gpu::UniformBuffer;
use crate::gpu::pipeline::{bind_group, buffer};
use crate::render::scene::SplatScene;
use crate::render::sort::SortBuffers;

/// The per-view buffers the splat passes read and write.
pub struct SplatWorking {
    /// The scene (`SplatScene::id`) and sort path these were made for.
    pub(crate) key: (u64, crate::render::sort::SortPath),
    /// Splats the buffers have room for (the scene's capacity).
    pub(crate) capacity: u32,
    pub uniforms: UniformBuffer<FrameUniforms>,
    pub projected: wgpu::Buffer,
    /// Per splat: `near_plane / z_view` of its centre (the depth-test value).
    pub splat_depths: wgpu::Buffer,
    /// Per project workgroup: visible count, then output offset.
    pub block_counts: wgpu::Buffer,
    pub frame_state: wgpu::Buffer,
    pub draw_args: wgpu::Buffer,
    pub sort: SortBuffers,
    pub(crate) project_group: wgpu::BindGroup,
    pub(crate) budget_group: wgpu::BindGroup,
    pub(crate) compact_group: wgpu::BindGroup,
    /// Draw bind groups reading the sorted indices from `sort.values[0]` and `[1]`.
    pub(crate) draw_groups: [wgpu::BindGroup; 2],
}

impl SplatWorking {
    /// Working buffers for `scene`, sized by its capacity.
    pub fn new(device: &wgpu::Device, renderer: &SplatRenderer, scene: &SplatScene) -> Self {
        let capacity = scene.capacity();
        // At least one record per buffer: bindings must hold one whole element.
        let n = u64::from(capacity.max(1));
        let projected = buffer(
            device,
            "projected splats",
            n * size_of::<ProjectedSplat>() as u64,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        );
        let splat_depths = buffer(device, "splat depths", n * 4, wgpu::BufferUsages::STORAGE);
        let block_counts = buffer(
            device,
            "visible counts per block",
            u64::from(capacity.div_ceil(PROJECT_WORKGROUP_SIZE)) * 4,
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
            contents: bytemuck::bytes_of(&DrawIndirectArgs::quads(0)),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::INDIRECT
                | wgpu::BufferUsages::COPY_SRC,
        });
        // The sort's second buffers double as per-splat scratch before the sort
        // starts: keys[1] holds depths (project -> compact), values[1] importance
        // buckets (project -> budget).
        let sort = renderer
            .sorter
            .create_buffers(device, capacity, wgpu::BufferUsages::COPY_SRC);
        let uniforms = UniformBuffer::new(device, "frame uniforms", &bytemuck::Zeroable::zeroed());
        let project_group = bind_group(
            device,
            "splat project",
            &renderer.project_layout,
            &[
                uniforms.binding(),
                scene.splats.as_entire_binding(),
                scene.sh.as_entire_binding(),
                projected.as_entire_binding(),
                sort.keys[1].as_entire_binding(),
                block_counts.as_entire_binding(),
                frame_state.as_entire_binding(),
                sort.values[1].as_entire_binding(),
                splat_depths.as_entire_binding(),
            ],
        );
        let budget_group = bind_group(
            device,
            "splat budget",
            &renderer.budget_layout,
            &[
                uniforms.binding(),
                sort.keys[1].as_entire_binding(),
                sort.values[1].as_entire_binding(),
                block_counts.as_entire_binding(),
                frame_state.as_entire_binding(),
            ],
        );
        let compact_group = bind_group(
            device,
            "splat compact",
            &renderer.compact_layout,
            &[
                uniforms.binding(),
                sort.keys[1].as_entire_binding(),
                block_counts.as_entire_binding(),
                frame_state.as_entire_binding(),
                sort.keys[0].as_entire_binding(),
                sort.values[0].as_entire_binding(),
                sort.params().as_entire_binding(),
                sort.dispatch_args.as_entire_binding(),
                draw_args.as_entire_binding(),
            ],
        );
        let draw_groups = [0, 1].map(|result| {
            bind_group(
                device,
                "splat draw",
                &renderer.draw_layout,
                &[
                    uniforms.binding(),
                    projected.as_entire_binding(),
                    sort.values[result].as_entire_binding(),
                    splat_depths.as_entire_binding(),
                ],
            )
        });
        Self {
            key: (scene.id(), renderer.sort_path()),
            capacity,
            uniforms,
            projected,
            splat_depths,
            block_counts,
            frame_state,
            draw_args,
            sort,
            project_group,
            budget_group,
            compact_group,
            draw_groups,
        }
    }

    /// Bytes of GPU memory these buffers hold.
    pub fn size_bytes(&self) -> u64 {
        self.projected.size()
            + self.splat_depths.size()
            + self.block_counts.size()
            + self.frame_state.size()
            + self.draw_args.size()
            + self.sort.size_bytes()
    }
}
