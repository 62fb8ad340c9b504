//! Generic helpers for building pipelines, bind groups and dispatches, shared by
//! every renderer (splats, sort, tiles, compose).

/// A compute pipeline with one bind group layout.
pub fn compute_pipeline(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    module: &wgpu::ShaderModule,
    entry_point: &str,
) -> wgpu::ComputePipeline {
    compute_pipeline_with_groups(device, &[layout], module, entry_point)
}

/// A compute pipeline whose bind groups 0, 1, ... have `layouts`.
pub fn compute_pipeline_with_groups(
    device: &wgpu::Device,
    layouts: &[&wgpu::BindGroupLayout],
    module: &wgpu::ShaderModule,
    entry_point: &str,
) -> wgpu::ComputePipeline {
    compute_pipeline_with_constants(device, layouts, module, entry_point, &[])
}

/// [`compute_pipeline_with_groups`] with values for the shader's `override`
/// constants.
pub fn compute_pipeline_with_constants(
    device: &wgpu::Device,
    layouts: &[&wgpu::BindGroupLayout],
    module: &wgpu::ShaderModule,
    entry_point: &str,
    constants: &[(&str, f64)],
) -> wgpu::ComputePipeline {
    let bind_group_layouts: Vec<_> = layouts.iter().map(|&layout| Some(layout)).collect();
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(entry_point),
        bind_group_layouts: &bind_group_layouts,
        immediate_size: 0,
    });
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry_point),
        layout: Some(&pipeline_layout),
        module,
        entry_point: Some(entry_point),
        compilation_options: wgpu::PipelineCompilationOptions {
            constants,
            ..Default::default()
        },
        cache: None,
    })
}

/// A buffer entry of a bind group layout.
pub fn buffer_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    ty: wgpu::BufferBindingType,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A compute bind group layout whose bindings 0, 1, ... have `types`.
pub fn compute_buffer_layout(
    device: &wgpu::Device,
    label: &str,
    types: &[wgpu::BufferBindingType],
) -> wgpu::BindGroupLayout {
    let entries: Vec<_> = types
        .iter()
        .enumerate()
        .map(|(i, ty)| buffer_entry(i as u32, wgpu::ShaderStages::COMPUTE, *ty))
        .collect();
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries: &entries,
    })
}

/// A compute bind group layout: a uniform buffer at binding 0, then `storage_count`
/// read-write storage buffers at bindings 1..=storage_count.
pub fn uniform_then_rw_storage_layout(
    device: &wgpu::Device,
    label: &str,
    storage_count: u32,
) -> wgpu::BindGroupLayout {
    let types: Vec<_> = std::iter::once(wgpu::BufferBindingType::Uniform)
        .chain((0..storage_count).map(|_| wgpu::BufferBindingType::Storage { read_only: false }))
        .collect();
    compute_buffer_layout(device, label, &types)
}

/// A bind group whose bindings 0, 1, ... are `resources`.
pub fn bind_group(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::BindGroupLayout,
    resources: &[wgpu::BindingResource<'_>],
) -> wgpu::BindGroup {
    let entries: Vec<_> = resources
        .iter()
        .enumerate()
        .map(|(i, resource)| wgpu::BindGroupEntry {
            binding: i as u32,
            resource: resource.clone(),
        })
        .collect();
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout,
        entries: &entries,
    })
}

/// A buffer of `size` bytes (at least 16: zero-sized bindings are invalid).
pub fn buffer(
    device: &wgpu::Device,
    label: &str,
    size: u64,
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: size.max(16),
        usage,
        mapped_at_creation: false,
    })
}

/// Splits a workgroup count over x and y so that neither exceeds the WebGPU limit
/// of 65535 per dimension (shaders rebuild the linear index).
pub fn split_dispatch(groups: u32) -> (u32, u32) {
    const MAX: u32 = 65535;
    if groups <= MAX {
        (groups, 1)
    } else {
        let y = groups.div_ceil(MAX);
        (groups.div_ceil(y), y)
    }
}

#[cfg(test)]
mod tests {
    use super::split_dispatch;

    #[test]
    fn split_dispatch_stays_within_the_limit_and_covers_every_group() {
        for groups in [0, 1, 65535, 65536, 200_000, 16_000_000] {
            let (x, y) = split_dispatch(groups);
            assert!(x <= 65535 && y <= 65535, "{groups}: {x} x {y}");
            assert!(u64::from(x) * u64::from(y) >= u64::from(groups), "{groups}");
        }
    }
}

/// A render pipeline drawing one full-screen triangle (`vs_main` and `fs_main`
/// of `module`) into `format`, without blending: the compose and difference
/// passes.
pub fn fullscreen_pipeline(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::PipelineLayout,
    module: &wgpu::ShaderModule,
    format: wgpu::TextureFormat,
) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(layout),
        vertex: wgpu::VertexState {
            module,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &[],
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend: None,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// Records one full-screen triangle of `pipeline` with `bind_group` into
/// `output`, cleared to black first.
pub fn encode_fullscreen(
    encoder: &mut wgpu::CommandEncoder,
    label: &str,
    output: &wgpu::TextureView,
    pipeline: &wgpu::RenderPipeline,
    bind_group: &wgpu::BindGroup,
    timestamp_writes: Option<wgpu::RenderPassTimestampWrites<'_>>,
) {
    let mut pass = color_pass(
        encoder,
        label,
        output,
        wgpu::LoadOp::Clear(wgpu::Color::BLACK),
        timestamp_writes,
    );
    pass.set_pipeline(pipeline);
    pass.set_bind_group(0, bind_group, &[]);
    pass.draw(0..3, 0..1);
}

/// A render pass writing the one colour target `output`, loaded or cleared
/// as `load` says, and stored; no depth.
pub fn color_pass<'e>(
    encoder: &'e mut wgpu::CommandEncoder,
    label: &str,
    output: &wgpu::TextureView,
    load: wgpu::LoadOp<wgpu::Color>,
    timestamp_writes: Option<wgpu::RenderPassTimestampWrites<'_>>,
) -> wgpu::RenderPass<'e> {
    encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some(label),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view: output,
            depth_slice: None,
            resolve_target: None,
            ops: wgpu::Operations {
                load,
                store: wgpu::StoreOp::Store,
            },
        })],
        depth_stencil_attachment: None,
        timestamp_writes,
        occlusion_query_set: None,
        multiview_mask: None,
    })
}

/// Render pipelines made on first use, one per output format (a view can
/// draw into the window's surface format or an offscreen one).
#[derive(Default)]
pub struct PipelinesByFormat(std::sync::Mutex<Vec<(wgpu::TextureFormat, wgpu::RenderPipeline)>>);

impl PipelinesByFormat {
    /// The pipeline for `format`, made by `make` the first time.
    pub fn get_or_make(
        &self,
        format: wgpu::TextureFormat,
        make: impl FnOnce() -> wgpu::RenderPipeline,
    ) -> wgpu::RenderPipeline {
        let mut pipelines = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, pipeline)) = pipelines.iter().find(|(f, _)| *f == format) {
            return pipeline.clone();
        }
        let pipeline = make();
        pipelines.push((format, pipeline.clone()));
        pipeline
    }
}
