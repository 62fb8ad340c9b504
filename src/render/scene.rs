//! `SplatScene`: one scene's resident GPU data, the packed splat attributes and
//! SH coefficients, uploaded once and read by every view of the scene. Nothing
//! per camera lives here (that is `render::view::SplatView`). A flat scene is
//! one segment (a buffer of attributes and one of SH); a level-of-detail page
//! pool may span several, each within one storage binding
//! (shaders/common/pool_segments.wgsl).

use std::sync::atomic::{AtomicU64, Ordering};

use wgpu::util::DeviceExt;

use crate::gpu::GpuError;
use crate::gpu::health::scoped;
use crate::render::splat::gpu_data::{
    GpuSplat, ProjectedSplat, pack_sh, pack_splats, sh_words_per_splat,
};
use crate::scene::{AaMode, SplatCloud};

/// Distinguishes scenes, so views rebuild their bind groups for a new one.
static NEXT_SCENE_ID: AtomicU64 = AtomicU64::new(1);

/// How many scenes this process has uploaded so far (tests check that
/// screenshots upload none).
pub fn scenes_created() -> u64 {
    NEXT_SCENE_ID.load(Ordering::Relaxed) - 1
}

/// One scene's splats on the GPU.
pub struct SplatScene {
    id: u64,
    /// Splats uploaded so far.
    splat_count: u32,
    /// Splats the buffers have room for.
    capacity: u32,
    sh_degree: u32,
    sh_words_per_splat: u32,
    /// The anti-aliasing mode the scene's file asks for.
    aa_mode: AaMode,
    /// Splats per segment (`u32::MAX` with one segment): splat `s` lies in
    /// segment `s / segment_splats`.
    segment_splats: u32,
    /// Segment 0, then the others (a flat scene has none).
    first: Segment,
    more: Vec<Segment>,
}

/// One segment of a scene: its splats' attributes and SH, each one binding.
pub(crate) struct Segment {
    pub(crate) splats: wgpu::Buffer,
    pub(crate) sh: wgpu::Buffer,
}

impl SplatScene {
    /// Uploads `cloud`. Fails with a clear error when a buffer would exceed the
    /// adapter's limits or the GPU runs out of memory.
    pub fn new(device: &wgpu::Device, cloud: &SplatCloud) -> Result<Self, GpuError> {
        check_capacity(device, cloud.len() as u64, cloud.sh_degree)?;
        // COPY_SRC: tests read the uploaded data back.
        let usage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_DST
            | wgpu::BufferUsages::COPY_SRC;
        // Empty scenes still get non-empty buffers (zero-sized bindings are invalid).
        let mut packed = pack_splats(cloud);
        if packed.is_empty() {
            packed.push(bytemuck::Zeroable::zeroed());
        }
        let mut sh_packed = pack_sh(cloud);
        if sh_packed.is_empty() {
            sh_packed.push(0);
        }
        let (splats, sh) = scoped(device, "scene buffers", || {
            let splats = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("splat attributes"),
                contents: bytemuck::cast_slice(&packed),
                usage,
            });
            let sh = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("splat SH"),
                contents: bytemuck::cast_slice(&sh_packed),
                usage,
            });
            (splats, sh)
        })?;
        let count = cloud.len() as u32;
        Ok(Self::around(
            Segment { splats, sh },
            Vec::new(),
            u32::MAX,
            count,
            count,
            cloud.sh_degree,
            scene_aa_mode(cloud),
        ))
    }

    /// Empty buffers for up to `capacity` splats of `sh_degree`, to be filled
    /// chunk by chunk with `append` while a file streams in.
    pub fn with_capacity(
        device: &wgpu::Device,
        capacity: usize,
        sh_degree: u32,
        aa_mode: AaMode,
    ) -> Result<Self, GpuError> {
        Self::with_segments(device, capacity, capacity, sh_degree, aa_mode)
    }

    /// Empty buffers for up to `capacity` splats of `sh_degree` in segments of
    /// `segment_splats` (each within the adapter's binding limit; the last may
    /// be shorter), filled with `write_at`: a level-of-detail page pool larger
    /// than one binding.
    pub fn with_segments(
        device: &wgpu::Device,
        capacity: usize,
        segment_splats: usize,
        sh_degree: u32,
        aa_mode: AaMode,
    ) -> Result<Self, GpuError> {
        let segment_splats = segment_splats.clamp(1, capacity.max(1));
        check_capacity(device, segment_splats as u64, sh_degree)?;
        let usage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_DST
            | wgpu::BufferUsages::COPY_SRC;
        let sh_bytes = u64::from(sh_words_per_splat(sh_degree)) * 4;
        let (first, more) = scoped(device, "scene buffers", || {
            let make = |splats: usize| Segment {
                splats: crate::gpu::pipeline::buffer(
                    device,
                    "splat attributes",
                    splats as u64 * size_of::<GpuSplat>() as u64,
                    usage,
                ),
                sh: crate::gpu::pipeline::buffer(
                    device,
                    "splat SH",
                    splats as u64 * sh_bytes,
                    usage,
                ),
            };
            let total = capacity.max(1);
            let first = make(segment_splats.min(total));
            let more: Vec<Segment> = (segment_splats..total)
                .step_by(segment_splats)
                .map(|start| make(segment_splats.min(total - start)))
                .collect();
            (first, more)
        })?;
        let segment_splats = if more.is_empty() {
            u32::MAX
        } else {
            segment_splats as u32
        };
        Ok(Self::around(
            first,
            more,
            segment_splats,
            0,
            capacity as u32,
            sh_degree,
            aa_mode,
        ))
    }

    fn around(
        first: Segment,
        more: Vec<Segment>,
        segment_splats: u32,
        splat_count: u32,
        capacity: u32,
        sh_degree: u32,
        aa_mode: AaMode,
    ) -> Self {
        Self {
            id: NEXT_SCENE_ID.fetch_add(1, Ordering::Relaxed),
            splat_count,
            capacity,
            sh_degree,
            sh_words_per_splat: sh_words_per_splat(sh_degree),
            aa_mode,
            segment_splats,
            first,
            more,
        }
    }

    /// Segment `k`; past the scene's own, the first (what the project pass
    /// binds for segments a scene does not have).
    pub(crate) fn segment(&self, k: usize) -> &Segment {
        match k {
            0 => &self.first,
            _ => self.more.get(k - 1).unwrap_or(&self.first),
        }
    }

    fn segments(&self) -> impl Iterator<Item = &Segment> {
        std::iter::once(&self.first).chain(&self.more)
    }

    /// Writes the packed `chunk` at splat `first`, split where it crosses from
    /// one segment into the next.
    fn write_packed(&self, queue: &wgpu::Queue, first: u64, chunk: &SplatCloud) {
        let splats = pack_splats(chunk);
        let sh = pack_sh(chunk);
        let words = self.sh_words_per_splat as usize;
        let per_segment = u64::from(self.segment_splats);
        let mut done = 0usize;
        while done < splats.len() {
            let at = first + done as u64;
            let (segment, local) = ((at / per_segment) as usize, at % per_segment);
            let n = ((per_segment - local) as usize).min(splats.len() - done);
            let Some(target) = self.segments().nth(segment) else {
                return;
            };
            queue.write_buffer(
                &target.splats,
                local * size_of::<GpuSplat>() as u64,
                bytemuck::cast_slice(&splats[done..done + n]),
            );
            if words > 0 {
                queue.write_buffer(
                    &target.sh,
                    local * words as u64 * 4,
                    bytemuck::cast_slice(&sh[done * words..(done + n) * words]),
                );
            }
            done += n;
        }
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
        self.write_packed(queue, start, chunk);
        self.splat_count += chunk.len() as u32;
        Ok(())
    }

    /// Overwrites splats `first..first + chunk.len()` (within the capacity) and
    /// counts every slot up to their end as drawable: a level-of-detail page
    /// pool fills its slots in any order. Fails (changing nothing) when the
    /// chunk does not fit or has another SH degree.
    pub fn write_at(
        &mut self,
        queue: &wgpu::Queue,
        first: u32,
        chunk: &SplatCloud,
    ) -> Result<(), AppendError> {
        if chunk.sh_degree != self.sh_degree {
            return Err(AppendError::ShDegree {
                expected: self.sh_degree,
                found: chunk.sh_degree,
            });
        }
        let end = u64::from(first) + chunk.len() as u64;
        if end > u64::from(self.capacity) {
            return Err(AppendError::Full {
                capacity: self.capacity,
            });
        }
        if chunk.is_empty() {
            return Ok(());
        }
        self.write_packed(queue, u64::from(first), chunk);
        self.splat_count = self.splat_count.max(end as u32);
        Ok(())
    }

    /// Identifies this scene among all scenes made in the process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Splats uploaded so far (those a view draws).
    pub fn splat_count(&self) -> u32 {
        self.splat_count
    }

    /// Splats the buffers can hold.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    pub fn sh_degree(&self) -> u32 {
        self.sh_degree
    }

    pub fn sh_words_per_splat(&self) -> u32 {
        self.sh_words_per_splat
    }

    /// The anti-aliasing mode the scene's file asks for (`AaChoice::Auto`).
    pub fn aa_mode(&self) -> AaMode {
        self.aa_mode
    }

    /// Bytes of resident splat data (packed attributes and SH).
    pub fn resident_bytes(&self) -> u64 {
        self.segments().map(|s| s.splats.size() + s.sh.size()).sum()
    }

    /// Splats per segment (`u32::MAX` when the scene is one segment).
    pub fn segment_splats(&self) -> u32 {
        self.segment_splats
    }

    /// Segments of the scene's buffers (one for a flat scene).
    pub fn segment_count(&self) -> usize {
        1 + self.more.len()
    }

    /// Segment `k`'s attribute and SH buffers, for tests that read them back.
    pub fn segment_buffers(&self, k: usize) -> Option<(&wgpu::Buffer, &wgpu::Buffer)> {
        self.segments().nth(k).map(|s| (&s.splats, &s.sh))
    }

    /// The first segment's attribute buffer (`GpuSplat` records), for tests
    /// that read it back.
    pub fn splat_buffer(&self) -> &wgpu::Buffer {
        &self.first.splats
    }

    /// The first segment's SH buffer (f16 pairs), for tests that read it back.
    pub fn sh_buffer(&self) -> &wgpu::Buffer {
        &self.first.sh
    }
}

/// The mode a cloud's file asks for.
fn scene_aa_mode(cloud: &SplatCloud) -> AaMode {
    cloud.aa_hint.mode
}

/// Why a streamed chunk could not be appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("chunk has SH degree {found}, the scene has {expected}")]
    ShDegree { expected: u32, found: u32 },
    #[error("chunk does not fit: the scene's GPU buffers hold {capacity} splats")]
    Full { capacity: u32 },
}

/// The most splats of `sh_degree` one flat scene can hold on `device`: its
/// attributes, SH and a view's projected splats each in one storage binding, and
/// the sort's dispatch within the workgroup limit. A larger scene is drawn
/// through the level-of-detail page pool (`render::lod`).
pub fn max_scene_splats(device: &wgpu::Device, sh_degree: u32) -> u64 {
    let binding = binding_bytes(&device.limits());
    let per_binding = |bytes_per_splat: u64| binding / bytes_per_splat.max(1);
    max_view_splats(device)
        .min(per_binding(size_of::<GpuSplat>() as u64))
        .min(per_binding(u64::from(sh_words_per_splat(sh_degree)) * 4))
}

/// The most splats (or draw list entries) one view can draw on `device`: its
/// projected splats in one storage binding and the sort's dispatch within the
/// workgroup limit. A level-of-detail cut is kept within it.
pub fn max_view_splats(device: &wgpu::Device) -> u64 {
    let limits = device.limits();
    let sort = u64::from(limits.max_compute_workgroups_per_dimension)
        * u64::from(crate::render::sort::SORT_BLOCK_SIZE);
    (binding_bytes(&limits) / size_of::<ProjectedSplat>() as u64)
        .min(sort)
        .min(u64::from(u32::MAX))
}

/// Bytes one storage binding of one buffer can hold under `limits`.
pub fn binding_bytes(limits: &wgpu::Limits) -> u64 {
    limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size)
}

/// Fails with a clear error when `count` splats would exceed the adapter's
/// storage binding limit (for the scene or a view's working buffers) or the
/// sort's dispatch limit.
pub fn check_capacity(device: &wgpu::Device, count: u64, sh_degree: u32) -> Result<(), GpuError> {
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
