//! One view's working buffers for one scene: camera uniforms, the frame state the
//! GPU computes for itself, projected splats, per-splat depths, sort keys and
//! values, indirect draw arguments, and the bind groups over them and the scene's
//! resident buffers. Rewritten every frame; made again when the view draws
//! another scene.

use wgpu::util::DeviceExt;

use super::SplatRenderer;
use super::gpu_data::{
    DRAW_ARGS_HEAD_BYTES, FrameState, FrameUniforms, PROJECT_WORKGROUP_SIZE, ProjectedSplat,
    QUAD_BATCH_ARGS_BYTES, quad_batches,
};
use crate::gpu::UniformBuffer;
use crate::gpu::pipeline::{bind_group, buffer};
use crate::render::scene::SplatScene;
use crate::render::sort::SortBuffers;

/// The per-view buffers the splat passes read and write.
pub struct SplatWorking {
    /// The scene (`SplatScene::id`) and sort path these were made for.
    pub(crate) key: (u64, crate::render::sort::SortPath),
    /// Splats (or draw list entries) the buffers have room for.
    pub(crate) capacity: u32,
    /// Draw list entries `draw_list` has room for.
    pub(crate) list_capacity: u32,
    /// The level-of-detail draw list (one zeroed entry when there is none).
    pub draw_list: wgpu::Buffer,
    pub uniforms: UniformBuffer<FrameUniforms>,
    pub projected: wgpu::Buffer,
    /// Per splat: `near_plane / z_view` of its centre (the depth-test value).
    pub splat_depths: wgpu::Buffer,
    /// Per project workgroup: visible count, then output offset.
    pub block_counts: wgpu::Buffer,
    pub frame_state: wgpu::Buffer,
    /// The visible count (word 1 of a 16-byte head), then one indexed draw per
    /// quad batch (`QUAD_BATCHES_OFFSET`), written by the compact pass.
    pub draw_args: wgpu::Buffer,
    /// Quad batches that cover `capacity` splats.
    pub(crate) quad_batches: u32,
    pub sort: SortBuffers,
    pub(crate) project_group: wgpu::BindGroup,
    pub(crate) budget_group: wgpu::BindGroup,
    pub(crate) compact_group: wgpu::BindGroup,
    /// Draw bind groups reading the sorted indices from `sort.values[0]` and `[1]`.
    pub(crate) draw_groups: [wgpu::BindGroup; 2],
}

impl SplatWorking {
    /// Working buffers for `scene`, sized by its capacity, or with a draw list
    /// of `list_len` entries (a level-of-detail cut) by the list, rounded up to
    /// a power of two (within the scene's capacity and what one view can draw)
    /// so that a growing cut seldom makes them again. A page pool can hold more
    /// splats than one view draws.
    pub fn new(
        device: &wgpu::Device,
        renderer: &SplatRenderer,
        scene: &SplatScene,
        list_len: u32,
    ) -> Self {
        let view_limit =
            u32::try_from(crate::render::scene::max_view_splats(device)).unwrap_or(u32::MAX);
        let (capacity, list_capacity) = if list_len == 0 {
            (scene.capacity().min(view_limit), 0)
        } else {
            let rounded = list_len
                .checked_next_power_of_two()
                .unwrap_or(list_len)
                .min(scene.capacity().min(view_limit).max(list_len));
            (rounded, rounded)
        };
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
        let batches = quad_batches(capacity);
        // Zeroed: no splat visible and every batch empty until the compact pass
        // writes them.
        let args_bytes = DRAW_ARGS_HEAD_BYTES + u64::from(batches) * QUAD_BATCH_ARGS_BYTES;
        let draw_args = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("splat draw args"),
            contents: &vec![0; args_bytes as usize],
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
        let draw_list = buffer(
            device,
            "draw list",
            u64::from(list_capacity.max(1)) * size_of::<super::gpu_data::DrawEntry>() as u64,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        );
        // Segments past the scene's own repeat its first.
        let segment = |k: usize| scene.segment(k);
        let mut project_entries = vec![
            uniforms.binding(),
            segment(0).splats.as_entire_binding(),
            segment(0).sh.as_entire_binding(),
            projected.as_entire_binding(),
            sort.keys[1].as_entire_binding(),
            block_counts.as_entire_binding(),
            frame_state.as_entire_binding(),
            sort.values[1].as_entire_binding(),
            splat_depths.as_entire_binding(),
            draw_list.as_entire_binding(),
        ];
        for k in 1..renderer.pool_segments as usize {
            project_entries.push(segment(k).splats.as_entire_binding());
            project_entries.push(segment(k).sh.as_entire_binding());
        }
        let project_group = bind_group(
            device,
            "splat project",
            &renderer.project_layout,
            &project_entries,
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
            list_capacity,
            draw_list,
            uniforms,
            projected,
            splat_depths,
            block_counts,
            frame_state,
            draw_args,
            quad_batches: batches,
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
