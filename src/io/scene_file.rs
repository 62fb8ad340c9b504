//! Opening any scene file: splats, a mesh or a point cloud, told apart by content.
//!
//! [`detect_scene_file`] reads only the beginning of the file (the PLY header, a magic
//! number, the first OBJ statement), so a caller can choose the loader first: the
//! streaming splat loader (`io::stream`) for splats, [`mesh::load_mesh_file`] with a
//! progress callback for the rest. [`load_scene_file`] does both in one call. The
//! splat entry points (`load_splat_file`, `open_decoder`, `stream`) are unchanged.
//!
//! Rules, in order: a directory is an unbundled SOG (splats); a PLY is splats when its
//! `vertex` element has 3DGS properties or it is a compressed PLY, a mesh when it has
//! faces, a point cloud otherwise (`ply::classify`); the GLB magic, a JSON object
//! with an `"asset"` member (but not SOG's `"means"` and `"quats"`) or a
//! `.gltf`/`.glb` extension is glTF; an `.obj` extension
//! or text whose first statement is an OBJ keyword is OBJ; anything else goes to the
//! splat loaders, which recognise their formats or say that none matches.

use std::io::Read;
use std::path::Path;

use super::mesh::gltf::looks_like_gltf;
use super::mesh::{self, ProgressFn, looks_like_obj};
use super::ply::{PlyContent, classify};
use super::{
    LoadError, SUPPORTED_FORMATS, SceneFormat, load_splat_file, load_splat_file_with_format,
};
use crate::scene::SplatCloud;
use crate::scene::mesh::{MeshFormat, MeshObject};

/// Bytes read to detect a file's kind (a PLY header must fit).
const PROBE_BYTES: u64 = 1 << 20;

/// What a scene file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SceneFileKind {
    /// Gaussian splats, for the splat loaders.
    Splats,
    /// Triangles, for [`mesh::load_mesh_file`].
    Mesh(MeshFormat),
    /// Points only (a PLY without faces or Gaussian properties), for
    /// [`mesh::load_mesh_file`].
    PointCloud(MeshFormat),
}

impl SceneFileKind {
    /// The mesh format to load it with, unless it is splats.
    pub fn mesh_format(self) -> Option<MeshFormat> {
        match self {
            Self::Splats => None,
            Self::Mesh(f) | Self::PointCloud(f) => Some(f),
        }
    }
}

/// A loaded scene file.
#[derive(Clone, Debug)]
pub enum LoadedScene {
    Splats(SplatCloud),
    /// A mesh or point-cloud object (see [`MeshObject::warnings`]).
    Mesh(MeshObject),
}

fn has_extension(path: &Path, wanted: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| wanted.iter().any(|w| e.eq_ignore_ascii_case(w)))
}

/// Tells what `path` holds from its first bytes (see the module documentation).
pub fn detect_scene_file(path: &Path) -> Result<SceneFileKind, LoadError> {
    if path.is_dir() {
        return Ok(SceneFileKind::Splats);
    }
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let mut head = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(PROBE_BYTES)
        .read_to_end(&mut head)
        .map_err(io)?;
    detect_from_head(path, &head)
}

/// [`detect_scene_file`] on the first bytes of a file (at least the PLY header).
pub fn detect_from_head(path: &Path, head: &[u8]) -> Result<SceneFileKind, LoadError> {
    if head.starts_with(b"ply\n") || head.starts_with(b"ply\r\n") {
        return Ok(match classify(path, head)? {
            PlyContent::Splats => SceneFileKind::Splats,
            PlyContent::Mesh => SceneFileKind::Mesh(MeshFormat::Ply),
            PlyContent::PointCloud => SceneFileKind::PointCloud(MeshFormat::Ply),
        });
    }
    if looks_like_gltf(head) || has_extension(path, &["gltf", "glb"]) {
        return Ok(SceneFileKind::Mesh(MeshFormat::Gltf));
    }
    if has_extension(path, &["obj"]) || looks_like_obj(head) {
        return Ok(SceneFileKind::Mesh(MeshFormat::Obj));
    }
    Ok(SceneFileKind::Splats)
}

/// Loads a Gaussian-splat scene for a command that reads nothing else
/// (`lod-build`, `bench-load`, `compare`, `eval`, `scale`). When it fails on a
/// mesh or point cloud, the error says what the file is, rather than that no
/// splat format matched (the file is probed only then).
pub fn load_splat_scene(path: &Path) -> Result<(SplatCloud, SceneFormat), LoadError> {
    load_splat_file_with_format(path).map_err(|err| {
        let Some(kind) = detect_scene_file(path).ok().filter(|k| k.mesh_format().is_some())
        else {
            return err;
        };
        let what = match kind {
            SceneFileKind::PointCloud(_) => "point cloud",
            _ => "mesh",
        };
        let format = kind.mesh_format().map_or("", |f| f.name());
        LoadError::UnknownFormat {
            path: path.to_owned(),
            reason: format!(
                "it is a {what} ({format}), not Gaussian splats; this command reads splat scenes only ({SUPPORTED_FORMATS})"
            ),
        }
    })
}

/// Loads any scene file (splats, mesh or point cloud), choosing the loader by
/// content.
pub fn load_scene_file(path: &Path) -> Result<LoadedScene, LoadError> {
    load_scene_file_with_progress(path, &mut |_| true)
}

/// [`load_scene_file`] with progress reports for meshes and point clouds (splat files
/// report nothing here: the window streams them with `io::stream`). Returning `false`
/// from `progress` cancels a mesh load.
pub fn load_scene_file_with_progress(
    path: &Path,
    progress: ProgressFn<'_>,
) -> Result<LoadedScene, LoadError> {
    match detect_scene_file(path)?.mesh_format() {
        None => load_splat_file(path).map(LoadedScene::Splats),
        Some(format) => mesh::load_mesh_file(path, format, progress).map(LoadedScene::Mesh),
    }
}

/// Loads every file of `paths` as one object each (splats, a mesh or a point
/// cloud, detected from content), in order. The first file that fails stops it.
pub fn load_scene_objects(
    paths: &[std::path::PathBuf],
) -> Result<crate::scene::objects::SceneObjects, LoadError> {
    use crate::scene::objects::{ObjectContent, SceneObject, SceneObjects};
    let mut objects = SceneObjects::default();
    for path in paths {
        let content = match load_scene_file(path)? {
            LoadedScene::Splats(cloud) => ObjectContent::Splats(cloud),
            LoadedScene::Mesh(mesh) => {
                for warning in &mesh.warnings {
                    log::warn!("{warning}");
                }
                ObjectContent::Mesh(mesh)
            }
        };
        objects
            .objects
            .push(SceneObject::new(path.clone(), content));
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str, head: &[u8]) -> SceneFileKind {
        detect_from_head(Path::new(name), head).expect("should succeed")
    }

    #[test]
    fn ply_content_decides_splats_mesh_or_points() {
        let splats = b"ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty float x\n\
                       property float opacity\nend_header\n";
        assert_eq!(kind("a.ply", splats), SceneFileKind::Splats);
        let mesh = b"ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nelement face 1\n\
                     property list uchar int vertex_indices\nend_header\n";
        assert_eq!(kind("a.ply", mesh), SceneFileKind::Mesh(MeshFormat::Ply));
        let no_faces =
            b"ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nelement face 0\n\
                         property list uchar int vertex_indices\nend_header\n";
        assert_eq!(
            kind("a.ply", no_faces),
            SceneFileKind::PointCloud(MeshFormat::Ply)
        );
    }

    #[test]
    fn gltf_obj_and_splats_by_magic_or_extension() {
        assert_eq!(
            kind("x", b"glTF\x02\0\0\0"),
            SceneFileKind::Mesh(MeshFormat::Gltf)
        );
        assert_eq!(
            kind("x", b" {\"asset\": {\"version\": \"2.0\"}}"),
            SceneFileKind::Mesh(MeshFormat::Gltf)
        );
        assert_eq!(kind("a.GLTF", b"{}"), SceneFileKind::Mesh(MeshFormat::Gltf));
        // SOG's meta.json is JSON too, without "asset".
        assert_eq!(kind("meta.json", b"{\"means\": {}}"), SceneFileKind::Splats);
        assert_eq!(
            kind("x", b"# c\nv 0 0 0\n"),
            SceneFileKind::Mesh(MeshFormat::Obj)
        );
        assert_eq!(kind("a.obj", b"\0\0"), SceneFileKind::Mesh(MeshFormat::Obj));
        assert_eq!(kind("a.splat", &[0u8; 64]), SceneFileKind::Splats);
    }
}
