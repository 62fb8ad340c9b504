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

/// A small non-blocking read-back, at most one in flight: `record_copy` into the
/// frame's encoder, `after_submit` once submitted, then `poll` on later frames
/// (after `Device::poll`) until the values arrive. Frames never wait for it.
pub struct AsyncReadback {
    staging: wgpu::Buffer,
    size: u64,
    copied: bool,
    in_flight: bool,
    /// Set by the map callback: `PENDING`, `MAPPED` or `FAILED`.
    status: std::sync::Arc<std::sync::atomic::AtomicU8>,
}

const PENDING: u8 = 0;
const MAPPED: u8 = 1;
const FAILED: u8 = 2;

impl AsyncReadback {
    /// Reads `size` bytes (a multiple of 4) per copy.
    pub fn new(device: &wgpu::Device, label: &str, size: u64) -> Self {
        Self {
            staging: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: size.max(4),
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            size: size.max(4),
            copied: false,
            in_flight: false,
            status: Default::default(),
        }
    }

    /// A copy is recorded or being read: `record_copy` would do nothing.
    pub fn is_busy(&self) -> bool {
        self.copied || self.in_flight
    }

    /// Copies `source[offset..offset + size]` unless a read is already under way.
    pub fn record_copy(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        source: &wgpu::Buffer,
        offset: u64,
    ) {
        if !self.in_flight && !self.copied {
            encoder.copy_buffer_to_buffer(source, offset, &self.staging, 0, self.size);
            self.copied = true;
        }
    }

    /// Call after submitting the encoder given to `record_copy`.
    pub fn after_submit(&mut self) {
        if self.copied {
            use std::sync::atomic::Ordering;
            self.copied = false;
            self.in_flight = true;
            let status = self.status.clone();
            self.status.store(PENDING, Ordering::Release);
            self.staging
                .slice(..)
                .map_async(wgpu::MapMode::Read, move |result| {
                    status.store(
                        if result.is_ok() { MAPPED } else { FAILED },
                        Ordering::Release,
                    );
                });
        }
    }

    /// The words read, once they have arrived (each arrival is returned once).
    pub fn poll(&mut self) -> Option<Vec<u32>> {
        use std::sync::atomic::Ordering;
        if !self.in_flight {
            return None;
        }
        match self.status.swap(PENDING, Ordering::Acquire) {
            MAPPED => {}
            FAILED => {
                self.in_flight = false;
                return None;
            }
            _ => return None,
        }
        let words = self
            .staging
            .slice(..)
            .get_mapped_range()
            .ok()
            .map(|data| bytemuck::pod_collect_to_vec(&data[..]));
        self.staging.unmap();
        self.in_flight = false;
        words
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
