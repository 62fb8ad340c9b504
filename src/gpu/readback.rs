//! Reading GPU buffers and textures back to the CPU (blocking; tests and headless).

/// A read-back failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadbackError {
    #[error("mapping a GPU buffer for reading failed: {0}")]
    Map(String),
    #[error("waiting for the GPU failed: {0}")]
    Poll(#[from] wgpu::PollError),
    #[error("read-back returned an unexpected amount of data")]
    Size,
}

/// Copies `size` bytes of `buffer` from `offset` (both multiples of 4) to the CPU.
/// `buffer` needs `COPY_SRC`.
pub fn read_buffer(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    buffer: &wgpu::Buffer,
    offset: u64,
    size: u64,
) -> Result<Vec<u8>, ReadbackError> {
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback staging"),
        size: size.max(4),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(buffer, offset, &staging, 0, size);
    queue.submit([encoder.finish()]);
    map_and_copy(device, &staging, size as usize)
}

/// Reads a whole 4-byte-per-texel 2D texture (e.g. `Rgba8Unorm`) row by row,
/// without row padding. The texture needs `COPY_SRC`.
pub fn read_texture_rgba8(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    texture: &wgpu::Texture,
) -> Result<Vec<u8>, ReadbackError> {
    let (width, height) = (texture.width(), texture.height());
    let row_bytes = width * 4;
    let padded_row =
        row_bytes.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT) * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
    let size = u64::from(padded_row) * u64::from(height);
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("texture readback"),
        size,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_texture_to_buffer(
        texture.as_image_copy(),
        wgpu::TexelCopyBufferInfo {
            buffer: &staging,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded_row),
                rows_per_image: Some(height),
            },
        },
        texture.size(),
    );
    queue.submit([encoder.finish()]);
    let padded = map_and_copy(device, &staging, size as usize)?;
    let mut out = Vec::with_capacity((row_bytes * height) as usize);
    for row in padded.chunks_exact(padded_row as usize) {
        out.extend_from_slice(&row[..row_bytes as usize]);
    }
    Ok(out)
}

fn map_and_copy(
    device: &wgpu::Device,
    staging: &wgpu::Buffer,
    size: usize,
) -> Result<Vec<u8>, ReadbackError> {
    let slice = staging.slice(..);
    let (sender, receiver) = std::sync::mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |result| {
        let _ = sender.send(result);
    });
    device.poll(wgpu::PollType::Wait {
        submission_index: None,
        timeout: None,
    })?;
    receiver
        .recv()
        .map_err(|e| ReadbackError::Map(e.to_string()))?
        .map_err(|e| ReadbackError::Map(e.to_string()))?;
    let data = slice
        .get_mapped_range()
        .map_err(|e| ReadbackError::Map(e.to_string()))?;
    let out = data.get(..size).ok_or(ReadbackError::Size)?.to_vec();
    drop(data);
    staging.unmap();
    Ok(out)
}

/// A small non-blocking read-back: `record_copy` into the frame's encoder,
/// `after_submit` once submitted, then `poll` on later frames (after
/// `Device::poll`) until the values arrive. Frames never wait for it. It keeps a
/// few staging buffers, so a frame recorded while earlier copies are still on
/// their way is read too (the window must learn about its last frame, e.g. a
/// tile overflow, even when frames come quickly); only when every slot is in
/// flight is a copy skipped.
pub struct AsyncReadback {
    slots: Vec<Slot>,
    size: u64,
    /// Sequence number of the next copy.
    next_seq: u64,
    /// Sequence number of the newest copy returned by `poll`.
    returned_seq: u64,
}

struct Slot {
    staging: wgpu::Buffer,
    state: SlotState,
    /// Set by the map callback: `PENDING`, `MAPPED` or `FAILED`.
    status: std::sync::Arc<std::sync::atomic::AtomicU8>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SlotState {
    Idle,
    Copied(u64),
    Mapping(u64),
}

const PENDING: u8 = 0;
const MAPPED: u8 = 1;
const FAILED: u8 = 2;

/// Staging buffers per read-back.
const SLOTS: usize = 4;

impl AsyncReadback {
    /// Reads `size` bytes (a multiple of 4) per copy.
    pub fn new(device: &wgpu::Device, label: &str, size: u64) -> Self {
        let size = size.max(4);
        let slots = (0..SLOTS)
            .map(|_| Slot {
                staging: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(label),
                    size,
                    usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                }),
                state: SlotState::Idle,
                status: Default::default(),
            })
            .collect();
        Self {
            slots,
            size,
            next_seq: 1,
            returned_seq: 0,
        }
    }

    /// Every slot holds a copy recorded or being read: `record_copy` would do
    /// nothing.
    pub fn is_busy(&self) -> bool {
        self.slots.iter().all(|s| s.state != SlotState::Idle)
    }

    /// Whether copies are recorded or on their way back.
    pub fn is_pending(&self) -> bool {
        self.slots.iter().any(|s| s.state != SlotState::Idle)
    }

    /// Copies `source[offset..offset + size]` into a free slot and returns the
    /// copy's sequence number (what [`Self::poll_with_seq`] gives back with it);
    /// none free: the copy is skipped (`None`).
    pub fn record_copy(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        source: &wgpu::Buffer,
        offset: u64,
    ) -> Option<u64> {
        let seq = self.next_seq;
        let slot = self.slots.iter_mut().find(|s| s.state == SlotState::Idle)?;
        encoder.copy_buffer_to_buffer(source, offset, &slot.staging, 0, self.size);
        slot.state = SlotState::Copied(seq);
        self.next_seq += 1;
        Some(seq)
    }

    /// Call after submitting the encoder given to `record_copy`.
    pub fn after_submit(&mut self) {
        use std::sync::atomic::Ordering;
        for slot in &mut self.slots {
            if let SlotState::Copied(seq) = slot.state {
                slot.state = SlotState::Mapping(seq);
                let status = slot.status.clone();
                slot.status.store(PENDING, Ordering::Release);
                slot.staging
                    .slice(..)
                    .map_async(wgpu::MapMode::Read, move |result| {
                        status.store(
                            if result.is_ok() { MAPPED } else { FAILED },
                            Ordering::Release,
                        );
                    });
            }
        }
    }

    /// The words of the newest copy that has arrived since the last call (each
    /// copy is returned at most once; older ones that arrive later are dropped).
    pub fn poll(&mut self) -> Option<Vec<u32>> {
        self.poll_with_seq().map(|(_, words)| words)
    }

    /// [`Self::poll`] with the copy's sequence number (from `record_copy`).
    pub fn poll_with_seq(&mut self) -> Option<(u64, Vec<u32>)> {
        use std::sync::atomic::Ordering;
        let mut newest: Option<(u64, Vec<u32>)> = None;
        for slot in &mut self.slots {
            let SlotState::Mapping(seq) = slot.state else {
                continue;
            };
            match slot.status.load(Ordering::Acquire) {
                MAPPED => {
                    let words = slot
                        .staging
                        .slice(..)
                        .get_mapped_range()
                        .ok()
                        .map(|data| bytemuck::pod_collect_to_vec::<u8, u32>(&data[..]));
                    slot.staging.unmap();
                    slot.state = SlotState::Idle;
                    if let Some(words) = words
                        && seq > self.returned_seq
                        && newest.as_ref().is_none_or(|(n, _)| seq > *n)
                    {
                        newest = Some((seq, words));
                    }
                }
                FAILED => slot.state = SlotState::Idle,
                _ => {}
            }
        }
        let (seq, words) = newest?;
        self.returned_seq = seq;
        Some((seq, words))
    }
}

/// A non-blocking read-back of a whole 4-byte-per-texel 2D texture (a screenshot
/// taken on the window's device while the window keeps drawing): `record_copy`,
/// submit, `after_submit`, then `poll` on later frames.
pub struct AsyncTextureReadback {
    staging: wgpu::Buffer,
    width: u32,
    height: u32,
    padded_row: u32,
    mapping: bool,
    status: std::sync::Arc<std::sync::atomic::AtomicU8>,
}

impl AsyncTextureReadback {
    /// Records the copy of `texture` (which needs `COPY_SRC`) into a new staging
    /// buffer.
    pub fn record_copy(
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        texture: &wgpu::Texture,
    ) -> Self {
        let (width, height) = (texture.width(), texture.height());
        let padded_row = (width * 4).div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let staging = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("texture readback"),
            size: u64::from(padded_row) * u64::from(height),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &staging,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded_row),
                    rows_per_image: Some(height),
                },
            },
            texture.size(),
        );
        Self {
            staging,
            width,
            height,
            padded_row,
            mapping: false,
            status: Default::default(),
        }
    }

    /// Call after submitting the encoder given to `record_copy`.
    pub fn after_submit(&mut self) {
        if self.mapping {
            return;
        }
        self.mapping = true;
        let status = self.status.clone();
        self.staging
            .slice(..)
            .map_async(wgpu::MapMode::Read, move |result| {
                status.store(
                    if result.is_ok() { MAPPED } else { FAILED },
                    std::sync::atomic::Ordering::Release,
                );
            });
    }

    /// The texels as tightly packed rows, once they have arrived (needs a
    /// `Device::poll` in between).
    pub fn poll(&mut self) -> Option<Result<Vec<u8>, ReadbackError>> {
        match self.status.load(std::sync::atomic::Ordering::Acquire) {
            MAPPED => {}
            FAILED => {
                return Some(Err(ReadbackError::Map(
                    "mapping the screenshot buffer failed".into(),
                )));
            }
            _ => return None,
        }
        let row_bytes = (self.width * 4) as usize;
        let result = match self.staging.slice(..).get_mapped_range() {
            Ok(data) => {
                let mut out = Vec::with_capacity(row_bytes * self.height as usize);
                for row in data.chunks_exact(self.padded_row as usize) {
                    out.extend_from_slice(&row[..row_bytes]);
                }
                Ok(out)
            }
            Err(err) => Err(ReadbackError::Map(err.to_string())),
        };
        self.staging.unmap();
        self.status
            .store(FAILED + 1, std::sync::atomic::Ordering::Release);
        Some(result)
    }

    /// (width, height) of the texture read.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}
