//! Mesh and point-cloud files: PLY ([`ply`]), OBJ + MTL ([`obj`]) and glTF 2.0 / GLB
//! ([`gltf`]), each turned into a [`MeshObject`].
//!
//! Files are treated as hostile: every file is read through [`read_file`] with a byte
//! limit, no count or length declared in a file is used to allocate before the bytes
//! behind it are known to exist, indices are checked against the vertices they refer
//! to, and images are decoded with explicit [`image::Limits`]. Parts that cannot be
//! used (a face with a bad index, a missing texture, an unsupported glTF extension)
//! are skipped and reported in [`MeshObject::warnings`]; a file with nothing usable is
//! an error. Layouts, axes and colour spaces: docs/FORMATS.md.

pub mod gltf;
mod gltf_data;
pub mod obj;
pub mod ply;
mod texture;

use std::io::Read;
use std::path::{Path, PathBuf};

pub use texture::decode_texture;

use super::LoadError;
use crate::scene::mesh::{MeshFormat, MeshObject};

/// The largest file (main file, external buffer or image) a mesh loader reads.
pub const MAX_FILE_BYTES: u64 = 16 << 30;
/// Bytes read between two progress reports.
const READ_PIECE: usize = 4 << 20;

/// What a mesh load is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeshLoadStage {
    /// Reading files from disk (the main file, then external buffers and images).
    Reading,
    /// Parsing the main file's content (`done` and `total` in bytes).
    Parsing,
    /// Decoding textures (`done` and `total` in images).
    Textures,
}

/// Where a mesh load stands, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeshLoadProgress {
    pub stage: MeshLoadStage,
    pub done: u64,
    /// 0 when not known yet.
    pub total: u64,
}

/// Receives progress reports; returning `false` cancels the load
/// ([`LoadError::Cancelled`]).
pub type ProgressFn<'a> = &'a mut dyn FnMut(MeshLoadProgress) -> bool;

/// Progress reporting for one load: names the file in a cancellation error.
pub struct Progress<'a> {
    path: PathBuf,
    callback: ProgressFn<'a>,
}

impl<'a> Progress<'a> {
    pub fn new(path: &Path, callback: ProgressFn<'a>) -> Self {
        Self {
            path: path.to_owned(),
            callback,
        }
    }

    /// Reports; `Err(Cancelled)` when the callback asks to stop.
    pub fn report(&mut self, stage: MeshLoadStage, done: u64, total: u64) -> Result<(), LoadError> {
        if (self.callback)(MeshLoadProgress { stage, done, total }) {
            Ok(())
        } else {
            Err(LoadError::Cancelled {
                path: self.path.clone(),
            })
        }
    }
}

/// Reads at most `limit` bytes of `path` (an error if the file is longer), in pieces,
/// reporting progress. The size on disk only sizes the first allocation, up to
/// `READ_PIECE`: the buffer grows as bytes actually arrive.
pub(crate) fn read_file(
    path: &Path,
    limit: u64,
    progress: &mut Progress<'_>,
) -> Result<Vec<u8>, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(LoadError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(format!(
                "the file is {size} bytes; at most {limit} are read"
            )),
        });
    }
    let mut reader = file.take(limit.saturating_add(1));
    let mut bytes = Vec::with_capacity((size as usize).min(READ_PIECE));
    loop {
        let before = bytes.len();
        (&mut reader)
            .take(READ_PIECE as u64)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        progress.report(MeshLoadStage::Reading, bytes.len() as u64, size)?;
        if bytes.len() == before {
            break;
        }
    }
    if bytes.len() as u64 > limit {
        return Err(LoadError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(format!("the file grew past {limit} bytes")),
        });
    }
    Ok(bytes)
}

/// Resolves a file name written inside a mesh file (an MTL `map_Kd`, an OBJ `mtllib`,
/// a PLY `TextureFile` comment, a glTF URI after percent-decoding) relative to the
/// directory `base`: Windows `\` separators become `/` and a leading `./` is dropped;
/// an absolute path is taken as it is.
pub(crate) fn resolve_relative(base: &Path, name: &str) -> PathBuf {
    let unified = name.trim().replace('\\', "/");
    let mut relative = unified.as_str();
    while let Some(rest) = relative.strip_prefix("./") {
        relative = rest;
    }
    let candidate = Path::new(relative);
    if candidate.is_absolute() {
        candidate.to_owned()
    } else {
        base.join(candidate)
    }
}

/// The directory holding `path` (the current directory for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_owned)
}

/// The file name of `path`, to name a loaded object.
pub(crate) fn object_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Is this the start of a Wavefront OBJ file? OBJ has no magic number: the file must
/// be text whose first statement (after blank lines and `#` comments) is an OBJ
/// keyword.
pub fn looks_like_obj(head: &[u8]) -> bool {
    const KEYWORDS: [&str; 12] = [
        "v", "vn", "vt", "f", "o", "g", "s", "l", "p", "mtllib", "usemtl", "vp",
    ];
    // A cut in the middle of a UTF-8 sequence at the end of `head` is fine.
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.split_whitespace().next())
        .is_some_and(|word| KEYWORDS.contains(&word))
}

/// Loads a mesh or point-cloud file of a known format; `progress` hears about reading,
/// parsing and texture decoding and may cancel.
pub fn load_mesh_file(
    path: &Path,
    format: MeshFormat,
    progress: ProgressFn<'_>,
) -> Result<MeshObject, LoadError> {
    let mut progress = Progress::new(path, progress);
    let bytes = read_file(path, MAX_FILE_BYTES, &mut progress)?;
    let object = match format {
        MeshFormat::Ply => ply::load(path, &bytes, &mut progress)?,
        MeshFormat::Obj => obj::load(path, &bytes, &mut progress)?,
        MeshFormat::Gltf => gltf::load(path, &bytes, &mut progress)?,
    };
    debug_assert!(object.is_consistent());
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_dot_prefixed_names_resolve_against_the_base() {
        let base = Path::new("/data/meshes");
        assert_eq!(
            resolve_relative(base, ".\\wal67ar_small.jpg"),
            Path::new("/data/meshes/wal67ar_small.jpg")
        );
        assert_eq!(
            resolve_relative(base, "tex\\sub\\a.png "),
            Path::new("/data/meshes/tex/sub/a.png")
        );
        assert_eq!(
            resolve_relative(base, "././a.png"),
            Path::new("/data/meshes/a.png")
        );
        assert_eq!(
            resolve_relative(base, "/abs/a.png"),
            Path::new("/abs/a.png")
        );
        assert_eq!(parent_dir(Path::new("a.obj")), Path::new("."));
    }

    #[test]
    fn obj_is_recognised_by_its_first_statement() {
        assert!(looks_like_obj(b"# comment\n\nmtllib a.mtl\nv 1 2 3\n"));
        assert!(looks_like_obj(b"v 1 2 3\nf 1 2 3"));
        assert!(!looks_like_obj(b"ply\nformat ascii 1.0\n"));
        assert!(!looks_like_obj(b"\x00\x01\x02v 1 2 3"));
        assert!(!looks_like_obj(b"# only a comment\n"));
        // Cut inside a two-byte character at the end of the probe.
        assert!(looks_like_obj(b"v 1 2 3\n# caf\xc3"));
    }

    #[test]
    fn reading_past_the_limit_fails_and_cancelling_stops() {
        let dir = std::env::temp_dir().join(format!("splatview-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("should succeed");
        let file = dir.join("ten.bin");
        std::fs::write(&file, [7u8; 10]).expect("should succeed");
        let mut keep_going = |_: MeshLoadProgress| true;
        let mut p = Progress::new(&file, &mut keep_going);
        assert_eq!(
            read_file(&file, 10, &mut p).expect("should succeed"),
            vec![7u8; 10]
        );
        assert!(matches!(
            read_file(&file, 9, &mut p),
            Err(LoadError::Io { .. })
        ));
        let mut stop = |_: MeshLoadProgress| false;
        let mut p = Progress::new(&file, &mut stop);
        assert!(matches!(
            read_file(&file, 10, &mut p),
            Err(LoadError::Cancelled { .. })
        ));
        std::fs::remove_dir_all(&dir).ok();
    }
}
