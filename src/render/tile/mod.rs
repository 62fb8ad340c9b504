//! Compute (tile) rasterizer: the alternative to the hardware draw pass.
//!
//! After project and depth sort, the splats are binned into 16x16-pixel tiles
//! (`shaders/tile_bin.wgsl`, `tile_offsets.wgsl`), the (tile, splat) pairs are
//! sorted by tile with the same radix sorter, each tile finds its range
//! (`tile_ranges.wgsl`) and one workgroup per tile blends its splats front to back
//! with early termination (`tile_raster.wgsl`), exactly as the reference CUDA
//! rasterizer. It writes the same accumulation texture as the draw pass, so compose
//! is shared. Everything is sized and dispatched by the GPU; nothing is read back.
//!
//! Why: the hardware path costs one instanced quad per splat, which datacenter GPUs
//! with few graphics units run slowly (docs/BENCHMARKS.md); this path is pure compute.
//!
//! `TileRasterizer` holds the pipelines; `TileBuffers` one scene's pair buffers
//! (created on first use, grown when the view needs more tiles).

pub mod choice;

pub use choice::{RasterChoice, RasterChooser};

use crate::gpu::GpuError;
use crate::gpu::UniformBuffer;
use crate::gpu::profiler::{FramePass, GpuProfiler};
use crate::gpu::shader::{ShaderError, create_shader_module};
use crate::render::sort::{RadixSorter, SortBuffers, SortCount, passes_for_key_bits};
use crate::render::splat::gpu_data::entry;
use crate::render::splat::{
    ACCUMULATION_FORMAT, SplatGpuData, buffer_entry, compute_pipeline, split_dispatch,
};

/// Pixels per tile side. Keep in sync with TILE_SIZE in shaders/common/tile_params.wgsl.
pub const TILE_SIZE: u32 = 16;
/// Pair capacity per splat slot to start with: measured 1.8-1.9 pairs per visible
/// splat on guitar and biker at 640x360; frames that need more grow the buffers.
const PAIRS_PER_SPLAT: u64 = 4;
const MIN_PAIRS: u64 = 1 << 16;

/// Per-frame parameters. Keep in sync with shaders/common/tile_params.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct TileParams {
    pub tiles_x: u32,
    pub tiles_y: u32,
    pub capacity: u32,
    pub splat_blocks: u32,
}
const _: () = assert!(size_of::<TileParams>() == 16);

/// How splats reach the accumulation texture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RasterMode {
    /// One instanced quad per splat through the hardware rasterizer, blended by
    /// the output merger.
    #[default]
    Hardware,
    /// Tile binning and per-tile blending in compute shaders.
    Compute,
}

impl RasterMode {
    pub fn name(self) -> &'static str {
        match self {
            Self::Hardware => "hardware",
            Self::Compute => "compute",
        }
    }
}

/// Pipelines and layouts of the compute rasterizer.
pub struct TileRasterizer {
    bin_layout: wgpu::BindGroupLayout,
    offsets_layout: wgpu::BindGroupLayout,
    ranges_layout: wgpu::BindGroupLayout,
    raster_layout: wgpu::BindGroupLayout,
    /// Group 1 of the raster kernel: the accumulation texture as storage.
    pub output_layout: wgpu::BindGroupLayout,
    count_pipeline: wgpu::ComputePipeline,
    emit_pipeline: wgpu::ComputePipeline,
    offsets_pipeline: wgpu::ComputePipeline,
    ranges_pipeline: wgpu::ComputePipeline,
    raster_pipeline: wgpu::ComputePipeline,
}

/// One scene's pair buffers and bind groups.
pub struct TileBuffers {
    params: UniformBuffer<TileParams>,
    block_sums: wgpu::Buffer,
    /// Pairs wanted, pairs stored, and the indirect dispatch of `tile_ranges`.
    pub state: wgpu::Buffer,
    ranges: wgpu::Buffer,
    /// The (tile, splat) pairs; sorted in place by the radix sorter.
    pub pairs: SortBuffers,
    /// Bind groups by the parity of the depth sort's passes.
    bin_groups: [wgpu::BindGroup; 2],
    offsets_group: wgpu::BindGroup,
    /// By the parity of the tile sort's passes.
    ranges_groups: [wgpu::BindGroup; 2],
    raster_groups: [wgpu::BindGroup; 2],
    capacity: u32,
    /// The most pairs the adapter's binding limit allows.
    max_capacity: u32,
    /// Pairs a past frame needed (see [`TileBuffers::request_pairs`]).
    wanted_pairs: u32,
    max_tiles: u32,
}

impl TileRasterizer {
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        use wgpu::BufferBindingType::{Storage, Uniform};
        let compute = wgpu::ShaderStages::COMPUTE;
        let read = Storage { read_only: true };
        let write = Storage { read_only: false };
        let layout = |label: &str, types: &[wgpu::BufferBindingType]| {
            let entries: Vec<_> = types
                .iter()
                .enumerate()
                .map(|(i, ty)| buffer_entry(i as u32, compute, *ty))
                .collect();
            device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(label),
                entries: &entries,
            })
        };
        let bin_layout = layout(
            "tile bin",
            &[Uniform, Uniform, read, read, read, write, write, write],
        );
        let offsets_layout = layout("tile offsets", &[Uniform, write, write, write, write]);
        let ranges_layout = layout("tile ranges", &[Uniform, read, read, write]);
        let raster_layout = layout("tile raster", &[Uniform, Uniform, read, read, read]);
        let output_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("tile raster output"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: compute,
                ty: wgpu::BindingType::StorageTexture {
                    access: wgpu::StorageTextureAccess::WriteOnly,
                    format: ACCUMULATION_FORMAT,
                    view_dimension: wgpu::TextureViewDimension::D2,
                },
                count: None,
            }],
        });
        let bin = create_shader_module(device, "tile_bin.wgsl")?;
        let offsets = create_shader_module(device, "tile_offsets.wgsl")?;
        let ranges = create_shader_module(device, "tile_ranges.wgsl")?;
        let raster = create_shader_module(device, "tile_raster.wgsl")?;
        let raster_pipeline_layout =
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("tile raster"),
                bind_group_layouts: &[Some(&raster_layout), Some(&output_layout)],
                immediate_size: 0,
            });
        let raster_pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("tile raster"),
            layout: Some(&raster_pipeline_layout),
            module: &raster,
            entry_point: Some("tile_raster"),
            compilation_options: Default::default(),
            cache: None,
        });
        Ok(Self {
            count_pipeline: compute_pipeline(device, &bin_layout, &bin, "tile_count"),
            emit_pipeline: compute_pipeline(device, &bin_layout, &bin, "tile_emit"),
            offsets_pipeline: compute_pipeline(device, &offsets_layout, &offsets, "tile_offsets"),
            ranges_pipeline: compute_pipeline(device, &ranges_layout, &ranges, "tile_ranges"),
            raster_pipeline,
            bin_layout,
            offsets_layout,
            ranges_layout,
            raster_layout,
            output_layout,
        })
    }

    /// The group-1 bind group of the raster kernel for an accumulation texture
    /// (created with `STORAGE_BINDING`).
    pub fn output_bind_group(
        &self,
        device: &wgpu::Device,
        accumulation: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("tile raster output"),
            layout: &self.output_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(accumulation),
            }],
        })
    }

    /// Pair buffers for `scene` and a view of `tiles` tiles.
    fn create_buffers(
        &self,
        device: &wgpu::Device,
        sorter: &RadixSorter,
        scene: &SplatGpuData,
        tiles: u32,
        wanted_pairs: u32,
    ) -> Result<TileBuffers, GpuError> {
        let max_capacity = (device
            .limits()
            .max_storage_buffer_binding_size
            .min(device.limits().max_buffer_size)
            / 4)
        .min(u64::from(u32::MAX / 2));
        // A quarter more than a past frame needed, so a moving camera rarely
        // regrows them.
        let capacity = (u64::from(scene.capacity) * PAIRS_PER_SPLAT)
            .max(u64::from(wanted_pairs) * 5 / 4)
            .max(MIN_PAIRS)
            .min(max_capacity) as u32;
        if u64::from(tiles) * 8 > device.limits().max_storage_buffer_binding_size {
            return Err(GpuError::SceneTooLarge {
                what: "tile ranges",
                needed: u64::from(tiles) * 8,
                limit: device.limits().max_storage_buffer_binding_size,
            });
        }
        let make = |label: &str, size: u64, usage: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: size.max(16),
                usage,
                mapped_at_creation: false,
            })
        };
        let storage = wgpu::BufferUsages::STORAGE;
        let splat_blocks = scene.capacity.div_ceil(256).max(1);
        let params = UniformBuffer::new(device, "tile params", &bytemuck::Zeroable::zeroed());
        let block_sums = make("tile block sums", u64::from(splat_blocks) * 4, storage);
        let state = make(
            "tile state",
            32,
            storage | wgpu::BufferUsages::INDIRECT | wgpu::BufferUsages::COPY_SRC,
        );
        let ranges = make(
            "tile ranges",
            u64::from(tiles) * 8,
            storage | wgpu::BufferUsages::COPY_DST,
        );
        let pairs = sorter.create_buffers(device, capacity, wgpu::BufferUsages::empty());
        let bin_groups = [0, 1].map(|depth_result| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("tile bin"),
                layout: &self.bin_layout,
                entries: &[
                    entry(0, scene.frame_uniforms.binding()),
                    entry(1, params.binding()),
                    entry(2, scene.projected.as_entire_binding()),
                    entry(3, scene.sort.values[depth_result].as_entire_binding()),
                    entry(4, scene.draw_args.as_entire_binding()),
                    entry(5, block_sums.as_entire_binding()),
                    entry(6, pairs.keys[0].as_entire_binding()),
                    entry(7, pairs.values[0].as_entire_binding()),
                ],
            })
        });
        let offsets_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("tile offsets"),
            layout: &self.offsets_layout,
            entries: &[
                entry(0, params.binding()),
                entry(1, block_sums.as_entire_binding()),
                entry(2, state.as_entire_binding()),
                entry(3, pairs.params().as_entire_binding()),
                entry(4, pairs.dispatch_args.as_entire_binding()),
            ],
        });
        let ranges_groups = [0, 1].map(|tile_result| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("tile ranges"),
                layout: &self.ranges_layout,
                entries: &[
                    entry(0, params.binding()),
                    entry(1, state.as_entire_binding()),
                    entry(2, pairs.keys[tile_result].as_entire_binding()),
                    entry(3, ranges.as_entire_binding()),
                ],
            })
        });
        let raster_groups = [0, 1].map(|tile_result| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("tile raster"),
                layout: &self.raster_layout,
                entries: &[
                    entry(0, scene.frame_uniforms.binding()),
                    entry(1, params.binding()),
                    entry(2, scene.projected.as_entire_binding()),
                    entry(3, pairs.values[tile_result].as_entire_binding()),
                    entry(4, ranges.as_entire_binding()),
                ],
            })
        });
        Ok(TileBuffers {
            params,
            block_sums,
            state,
            ranges,
            pairs,
            bin_groups,
            offsets_group,
            ranges_groups,
            raster_groups,
            capacity,
            max_capacity: max_capacity as u32,
            wanted_pairs,
            max_tiles: tiles,
        })
    }

    /// Records binning, the tile sort and per-tile blending into the accumulation
    /// texture bound by `output` (`width` x `height`), after the depth sort of
    /// `depth_passes` passes. Creates or grows the scene's pair buffers when needed.
    #[allow(clippy::too_many_arguments)]
    pub fn encode(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        sorter: &RadixSorter,
        scene: &mut SplatGpuData,
        depth_passes: u32,
        size: (u32, u32),
        output: &wgpu::BindGroup,
        mut profiler: Option<&mut GpuProfiler>,
    ) -> Result<(), GpuError> {
        let tiles_x = size.0.div_ceil(TILE_SIZE).max(1);
        let tiles_y = size.1.div_ceil(TILE_SIZE).max(1);
        let tiles = tiles_x * tiles_y;
        let wanted = scene.tiles.as_ref().map_or(0, |t| t.wanted_pairs);
        if scene.tiles.as_ref().is_none_or(|t| {
            t.max_tiles < tiles || (t.wanted_pairs > t.capacity && t.capacity < t.max_capacity)
        }) {
            scene.tiles = Some(self.create_buffers(device, sorter, scene, tiles, wanted)?);
        }
        let Some(buffers) = scene.tiles.as_mut() else {
            return Ok(());
        };
        let splat_blocks = scene.splat_count.div_ceil(256);
        buffers.params.write(
            queue,
            &TileParams {
                tiles_x,
                tiles_y,
                capacity: buffers.capacity,
                splat_blocks,
            },
        );
        encoder.clear_buffer(&buffers.ranges, 0, Some(u64::from(tiles) * 8));
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("tile bin"),
                timestamp_writes: profiler
                    .as_deref_mut()
                    .map(|p| p.compute_begin(FramePass::Draw)),
            });
            // Count, turn the counts into offsets, emit the pairs.
            let (groups_x, groups_y) = split_dispatch(splat_blocks);
            let bin_group = &buffers.bin_groups[SortBuffers::result_index(depth_passes)];
            if splat_blocks > 0 {
                pass.set_bind_group(0, bin_group, &[]);
                pass.set_pipeline(&self.count_pipeline);
                pass.dispatch_workgroups(groups_x, groups_y, 1);
            }
            pass.set_bind_group(0, &buffers.offsets_group, &[]);
            pass.set_pipeline(&self.offsets_pipeline);
            pass.dispatch_workgroups(1, 1, 1);
            if splat_blocks > 0 {
                pass.set_bind_group(0, bin_group, &[]);
                pass.set_pipeline(&self.emit_pipeline);
                pass.dispatch_workgroups(groups_x, groups_y, 1);
            }
        }
        let tile_passes = passes_for_key_bits(u32::BITS - (tiles - 1).max(1).leading_zeros());
        sorter.encode(
            queue,
            encoder,
            &mut buffers.pairs,
            SortCount::Gpu,
            tile_passes,
            None,
        );
        let result = SortBuffers::result_index(tile_passes);
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("tile raster"),
            timestamp_writes: profiler.map(|p| p.compute_end(FramePass::Draw)),
        });
        pass.set_bind_group(0, &buffers.ranges_groups[result], &[]);
        pass.set_pipeline(&self.ranges_pipeline);
        pass.dispatch_workgroups_indirect(&buffers.state, 16);
        pass.set_bind_group(0, &buffers.raster_groups[result], &[]);
        pass.set_bind_group(1, output, &[]);
        pass.set_pipeline(&self.raster_pipeline);
        pass.dispatch_workgroups(tiles_x, tiles_y, 1);
        Ok(())
    }
}

impl TileBuffers {
    /// Most (tile, splat) pairs a frame can hold.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// A frame needed `pairs` pairs (read back from [`Self::state`]: word 0): the
    /// next frame grows the buffers if they hold fewer (up to the adapter's limit).
    pub fn request_pairs(&mut self, pairs: u32) {
        self.wanted_pairs = self.wanted_pairs.max(pairs);
    }

    /// Whether a frame needing `pairs` pairs had to drop some.
    pub fn overflows(&self, pairs: u32) -> bool {
        pairs > self.capacity
    }

    /// Bytes of GPU memory these buffers hold.
    pub fn size_bytes(&self) -> u64 {
        self.block_sums.size() + self.state.size() + self.ranges.size() + self.pairs.size_bytes()
    }
}
