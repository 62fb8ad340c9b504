//! Reading a binary 3DGS PLY straight from the file, in pieces: the body is read
//! into one reused buffer and each piece is converted on all cores into memory
//! allocated once at its final size. No copy of the whole file is held, and nothing
//! is copied after decoding (figures in docs/FORMATS.md). The one-shot loader
//! ([`load_binary_ply`]) and the streaming loader (`io::stream`, one chunk per
//! piece, so the window shows splats while the file is still being read) share it.
//!
//! Only the common layout takes this path (binary, `vertex` records of fixed size,
//! no variable-size element before them); for anything else [`BinaryPlyReader::open`]
//! returns `None` and the file goes through [`super::open`], which also gives the
//! precise error messages (truncation, absurd counts, bad headers).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{body, compressed, header};
use crate::io::limits::MemoryBudget;
use crate::io::{LoadError, SceneFormat};
use crate::scene::splats::SplatSlicesMut;
use crate::scene::{AaHint, SplatCloud};

/// Body bytes read and converted at a time by [`load_binary_ply`].
const PIECE_BYTES: usize = 32 << 20;
/// Bytes read to find the header (`end_header`).
const HEADER_PROBE_BYTES: u64 = 1 << 20;
/// Splats below which a piece is converted on one thread.
const MIN_SPLATS_PER_THREAD: usize = 8 * 1024;

/// An open binary 3DGS PLY, positioned at its next unread vertex record.
pub(crate) struct BinaryPlyReader {
    path: PathBuf,
    file: File,
    header: header::PlyHeader,
    layout: header::VertexLayout,
    count: usize,
    /// Records read so far.
    read: usize,
    file_bytes: u64,
    buffer: Vec<u8>,
    threads: usize,
}

impl BinaryPlyReader {
    /// Opens `path` if it is a binary 3DGS PLY of the common layout whose records
    /// are all in the file; `None` if it needs the general loader.
    pub(crate) fn open(path: &Path) -> Result<Option<Self>, LoadError> {
        let io = |source| LoadError::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = File::open(path).map_err(io)?;
        let file_bytes = file.metadata().map_err(io)?.len();
        let mut probe = Vec::new();
        (&mut file)
            .take(HEADER_PROBE_BYTES)
            .read_to_end(&mut probe)
            .map_err(io)?;
        if !probe.starts_with(b"ply") {
            return Ok(None);
        }
        let Ok(header) = header::parse_header(path, &probe) else {
            return Ok(None);
        };
        if header.format == header::Format::Ascii || compressed::is_compressed(&header) {
            return Ok(None);
        }
        let Ok(layout) = header::vertex_layout(path, &header.elements[header.vertex]) else {
            return Ok(None);
        };
        // Offset of the vertex records: fixed-size elements before them only.
        let mut offset = header.body_offset as u64;
        for e in &header.elements[..header.vertex] {
            let Some(len) = e
                .fixed_stride()
                .and_then(|stride| e.count.checked_mul(stride as u64))
            else {
                return Ok(None);
            };
            offset = offset.saturating_add(len);
        }
        let count = header.elements[header.vertex].count;
        let fits = layout.stride > 0
            && count
                .checked_mul(layout.stride as u64)
                .and_then(|len| len.checked_add(offset))
                .is_some_and(|end| end <= file_bytes);
        if !fits {
            return Ok(None); // truncated or absurd: the general loader says which
        }
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        Ok(Some(Self {
            path: path.to_owned(),
            file,
            header,
            layout,
            count: count as usize,
            read: 0,
            file_bytes,
            buffer: Vec::new(),
            threads: std::thread::available_parallelism().map_or(1, |t| t.get()),
        }))
    }

    /// Number of splats in the file.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Splats not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.count - self.read
    }

    pub(crate) fn sh_degree(&self) -> u32 {
        self.layout.sh_degree
    }

    /// The anti-aliasing mode the header asks for.
    pub(crate) fn aa_hint(&self) -> &AaHint {
        &self.header.aa_hint
    }

    pub(crate) fn file_bytes(&self) -> u64 {
        self.file_bytes
    }

    /// Fails with [`LoadError::TooLarge`] unless decoding the whole file, reading
    /// `piece_bytes` at a time, fits `budget`.
    pub(crate) fn check_budget(
        &self,
        budget: &MemoryBudget,
        piece_bytes: usize,
    ) -> Result<(), LoadError> {
        let buffer = (self.count as u64)
            .saturating_mul(self.layout.stride as u64)
            .min(piece_bytes as u64);
        let needed = crate::io::load_peak_bytes(buffer, self.count as u64, self.sh_degree());
        budget
            .check(needed)
            .map_err(|e| LoadError::limit(&self.path, SceneFormat::Ply, e))
    }

    /// Bytes of one vertex record.
    pub(crate) fn stride(&self) -> usize {
        self.layout.stride
    }

    /// Reads the next `out.len()` splats (at most [`Self::remaining`]) into `out`.
    pub(crate) fn read_into(&mut self, out: SplatSlicesMut<'_>) -> Result<(), LoadError> {
        let n = out.len().min(self.remaining());
        let bytes = n * self.layout.stride;
        if self.buffer.len() < bytes {
            self.buffer.resize(bytes, 0);
        }
        let data = &mut self.buffer[..bytes];
        self.file.read_exact(data).map_err(|source| LoadError::Io {
            path: self.path.clone(),
            source,
        })?;
        self.read += n;
        let (out, _) = out.split_at(n);
        convert_parallel(data, &self.header, &self.layout, out, self.threads);
        Ok(())
    }

    /// The next `n` splats (at most [`Self::remaining`]) as a cloud.
    pub(crate) fn read_cloud(&mut self, n: usize) -> Result<SplatCloud, LoadError> {
        let mut cloud = SplatCloud::zeroed(n.min(self.remaining()), self.sh_degree());
        cloud.set_aa_hint(self.aa_hint().clone());
        self.read_into(cloud.slices_mut())?;
        Ok(cloud)
    }
}

/// The cloud of a plain binary 3DGS PLY at `path`, or `None` if the file needs the
/// general loader. Fails with [`LoadError::TooLarge`] before allocating the cloud if
/// the load does not fit `budget`.
pub(crate) fn load_binary_ply(
    path: &Path,
    budget: &MemoryBudget,
) -> Result<Option<SplatCloud>, LoadError> {
    load_binary_ply_in_pieces(path, PIECE_BYTES, budget)
}

/// [`load_binary_ply`] with a given piece size (tests use small ones).
pub(super) fn load_binary_ply_in_pieces(
    path: &Path,
    piece_bytes: usize,
    budget: &MemoryBudget,
) -> Result<Option<SplatCloud>, LoadError> {
    let Some(mut reader) = BinaryPlyReader::open(path)? else {
        return Ok(None);
    };
    reader.check_budget(budget, piece_bytes)?;
    let mut cloud = SplatCloud::zeroed(reader.len(), reader.sh_degree());
    cloud.set_aa_hint(reader.aa_hint().clone());
    let per_piece = (piece_bytes / reader.stride()).max(1);
    let mut rest = cloud.slices_mut();
    while !rest.is_empty() {
        let (piece, later) = rest.split_at(per_piece);
        rest = later;
        reader.read_into(piece)?;
    }
    debug_assert!(cloud.is_consistent());
    Ok(Some(cloud))
}

/// Converts the records in `data` into `out` on up to `threads` threads.
fn convert_parallel(
    data: &[u8],
    h: &header::PlyHeader,
    layout: &header::VertexLayout,
    out: SplatSlicesMut<'_>,
    threads: usize,
) {
    let n = out.len();
    let threads = threads.min(n / MIN_SPLATS_PER_THREAD).max(1);
    if threads == 1 {
        body::decode_binary_records_into(data, h, layout, out);
        return;
    }
    let stride = layout.stride;
    std::thread::scope(|scope| {
        let mut rest = out;
        let mut data = data;
        for t in 0..threads {
            let take = n * (t + 1) / threads - n * t / threads;
            let (mine, later) = rest.split_at(take);
            rest = later;
            let (bytes, later_bytes) = data.split_at(take * stride);
            data = later_bytes;
            if t + 1 == threads {
                body::decode_binary_records_into(bytes, h, layout, mine);
            } else {
                scope.spawn(move || body::decode_binary_records_into(bytes, h, layout, mine));
            }
        }
    });
}
