//! Wavefront OBJ with MTL materials, read with `tobj`.
//!
//! tobj triangulates polygons as fans and gives one index per vertex
//! (`single_index`), each object or group (`o`, `g`; split again where the material
//! changes) as one model. Models of the same name in a row become one [`Mesh`] with a
//! primitive per material, placed once. Points and lines are ignored.
//!
//! Before tobj sees the text, [`drop_bad_faces`] checks every face index against the
//! vertices, texture coordinates and normals declared above it (OBJ indices are
//! 1-based; negative ones count back from the last) and comments out faces that
//! refer to nothing: tobj rejects the whole file for them, and its index arithmetic
//! overflows on absurd values. Each dropped face is counted in a warning.
//!
//! Materials: `Kd` is the base colour (a display value, taken as given; white when
//! absent) and `map_Kd` its texture, multiplied (MTL specification). `mtllib` files are
//! found relative to the OBJ and `map_Kd` files relative to their MTL, with Windows
//! `\` separators and `.\` prefixes accepted; `map_Kd` options (`-s 1 1 1`, ...) are
//! skipped. A missing or unreadable MTL or texture is a warning. Texture coordinates
//! are flipped to a top-left origin.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::texture::TextureFiles;
use super::{MeshLoadStage, Progress, object_name, parent_dir, read_file, resolve_relative};
use crate::io::LoadError;
use crate::scene::mesh::{
    ColorEncoding, Material, Mesh, MeshFormat, MeshInstance, MeshObject, Primitive,
};

/// Largest MTL file read.
const MAX_MTL_BYTES: u64 = 64 << 20;

/// Loads an OBJ held in memory; `path` locates its MTL files and names it in messages.
pub fn load(
    path: &Path,
    bytes: &[u8],
    progress: &mut Progress<'_>,
) -> Result<MeshObject, LoadError> {
    let mut object = MeshObject::new(object_name(path), MeshFormat::Obj);
    let file = path.display().to_string();
    // tobj reads lines as UTF-8; a stray Latin-1 byte in a comment must not fail it.
    let text = String::from_utf8_lossy(bytes);
    progress.report(MeshLoadStage::Parsing, 0, bytes.len() as u64)?;
    let (text, dropped) = drop_bad_faces(&text);
    for (line, reason) in dropped.iter().take(3) {
        object
            .warnings
            .push(format!("{file}: line {line}: face skipped: {reason}"));
    }
    if dropped.len() > 3 {
        object.warnings.push(format!(
            "{file}: {} more faces with bad indices skipped",
            dropped.len() - 3
        ));
    }

    let dir = parent_dir(path);
    let mtl_state = RefCell::new(MtlState::default());
    let options = tobj::LoadOptions {
        triangulate: true,
        single_index: true,
        ignore_points: true,
        ignore_lines: true,
    };
    let loaded = tobj::load_obj_buf(&mut text.as_bytes(), &options, |mtl: &Path| {
        mtl_state.borrow_mut().load(&dir, mtl)
    });
    let (models, materials) = loaded.map_err(|e| {
        LoadError::invalid_mesh(path, MeshFormat::Obj, format!("{e} (as tobj reads it)"))
    })?;
    let mtl_state = mtl_state.into_inner();
    object.warnings.extend(mtl_state.warnings);
    let materials = materials.unwrap_or_default();
    progress.report(
        MeshLoadStage::Parsing,
        bytes.len() as u64,
        bytes.len() as u64,
    )?;

    let mut textures = TextureFiles::default();
    for m in &materials {
        let texture = match m.diffuse_texture.as_deref().and_then(map_file_name) {
            Some(name) => {
                let base = mtl_state
                    .dir_of
                    .get(&m.name)
                    .cloned()
                    .unwrap_or_else(|| dir.clone());
                let texture_path = resolve_relative(&base, name);
                textures.load(&texture_path, &mut object, progress)?
            }
            None => None,
        };
        let [r, g, b] = m.diffuse.unwrap_or([1.0; 3]);
        object.materials.push(Material {
            name: m.name.clone(),
            base_color: [r, g, b, 1.0],
            base_color_encoding: ColorEncoding::Display,
            base_color_texture: texture,
        });
    }

    let mut issues = PrimitiveIssues::default();
    for model in models {
        let Some(primitive) = primitive_from(&model.mesh, object.materials.len(), &mut issues)
        else {
            continue;
        };
        let same_as_last = object.meshes.last().is_some_and(|m| m.name == model.name);
        if same_as_last && let Some(mesh) = object.meshes.last_mut() {
            mesh.primitives.push(primitive);
            continue;
        }
        object.meshes.push(Mesh {
            name: model.name.clone(),
            primitives: vec![primitive],
        });
        object.instances.push(MeshInstance {
            name: model.name,
            mesh: object.meshes.len() - 1,
            object_from_mesh: glam::Mat4::IDENTITY,
        });
    }
    issues.warn(&file, &mut object.warnings);
    if object.triangle_count() == 0 {
        return Err(LoadError::invalid_mesh(
            path,
            MeshFormat::Obj,
            "no usable triangle (the file has no faces, or none with finite vertices)",
        ));
    }
    Ok(object)
}

/// MTL files read while tobj parses, and what became of them.
#[derive(Default)]
struct MtlState {
    /// The directory of the MTL file each material came from (its textures are
    /// relative to it).
    dir_of: HashMap<String, PathBuf>,
    warnings: Vec<String>,
}

impl MtlState {
    fn load(&mut self, obj_dir: &Path, name: &Path) -> tobj::MTLLoadResult {
        let mtl_path = resolve_relative(obj_dir, &name.to_string_lossy());
        // Progress is not reported for the MTL: it is small and read once.
        let mut quiet = |_| true;
        let mut progress = Progress::new(&mtl_path, &mut quiet);
        let bytes = match read_file(&mtl_path, MAX_MTL_BYTES, &mut progress) {
            Ok(b) => b,
            Err(e) => {
                self.warnings
                    .push(format!("material library not loaded: {e}; using white"));
                return Err(tobj::LoadError::OpenFileFailed);
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let result = tobj::load_mtl_buf(&mut text.as_bytes());
        match &result {
            Ok((materials, _)) => {
                let dir = parent_dir(&mtl_path);
                for m in materials {
                    self.dir_of.insert(m.name.clone(), dir.clone());
                }
            }
            Err(e) => self.warnings.push(format!(
                "{}: material library not loaded: {e}; using white",
                mtl_path.display()
            )),
        }
        result
    }
}

/// The file name of a `map_Kd` value, after its options (`-o 0 0 0 -clamp on file.png`).
fn map_file_name(value: &str) -> Option<&str> {
    /// Options and their argument counts; `-o`, `-s` and `-t` take one to three numbers.
    fn arguments(option: &str) -> Option<(usize, usize)> {
        Some(match option {
            "-blendu" | "-blendv" | "-bm" | "-boost" | "-cc" | "-clamp" | "-imfchan"
            | "-texres" | "-type" => (1, 1),
            "-mm" => (2, 2),
            "-o" | "-s" | "-t" => (1, 3),
            _ => return None,
        })
    }
    let mut rest = value.trim();
    while rest.starts_with('-') {
        let (option, after) = rest.split_once(char::is_whitespace)?;
        let (min, max) = arguments(option)?;
        let mut after = after.trim_start();
        for k in 0..max {
            let (word, tail) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
            if k >= min && word.parse::<f32>().is_err() {
                break;
            }
            after = tail.trim_start();
        }
        rest = after;
    }
    (!rest.is_empty()).then_some(rest)
}

/// Counts of what [`primitive_from`] had to leave out.
#[derive(Default)]
struct PrimitiveIssues {
    non_finite_triangles: usize,
    dropped_attributes: usize,
}

impl PrimitiveIssues {
    fn warn(&self, file: &str, warnings: &mut Vec<String>) {
        if self.non_finite_triangles > 0 {
            warnings.push(format!(
                "{file}: {} triangles skipped: they use vertices with non-finite coordinates",
                self.non_finite_triangles
            ));
        }
        if self.dropped_attributes > 0 {
            warnings.push(format!(
                "{file}: {} normal, texture coordinate or colour arrays ignored: only some \
                 vertices of their group have them",
                self.dropped_attributes
            ));
        }
    }
}

/// A primitive from one tobj model, or `None` if it has no usable triangle.
fn primitive_from(
    mesh: &tobj::Mesh,
    material_count: usize,
    issues: &mut PrimitiveIssues,
) -> Option<Primitive> {
    let positions: Vec<[f32; 3]> = mesh
        .positions
        .chunks_exact(3)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let n = positions.len();
    let mut indices = Vec::with_capacity(mesh.indices.len());
    for tri in mesh.indices.chunks_exact(3) {
        let usable = tri.iter().all(|&i| {
            positions
                .get(i as usize)
                .is_some_and(|p| p.iter().all(|v| v.is_finite()))
        });
        if usable {
            indices.extend_from_slice(tri);
        } else {
            issues.non_finite_triangles += 1;
        }
    }
    if indices.is_empty() {
        return None;
    }
    // An attribute array that does not match the positions one to one is dropped.
    let mut matching = |values: &[f32], width: usize| {
        let ok = values.len() == n * width;
        if !ok && !values.is_empty() {
            issues.dropped_attributes += 1;
        }
        ok
    };
    let normals = if matching(&mesh.normals, 3) {
        mesh.normals
            .chunks_exact(3)
            .map(|v| {
                glam::Vec3::new(v[0], v[1], v[2])
                    .try_normalize()
                    .unwrap_or(glam::Vec3::ZERO)
                    .to_array()
            })
            .collect()
    } else {
        Vec::new()
    };
    let uvs = if matching(&mesh.texcoords, 2) {
        mesh.texcoords
            .chunks_exact(2)
            .map(|t| [t[0], 1.0 - t[1]])
            .collect()
    } else {
        Vec::new()
    };
    let colors = if matching(&mesh.vertex_color, 3) {
        mesh.vertex_color
            .chunks_exact(3)
            .map(|c| {
                let [r, g, b] = [c[0], c[1], c[2]].map(|v| {
                    if v.is_finite() {
                        v.clamp(0.0, 1.0)
                    } else {
                        1.0
                    }
                });
                [r, g, b, 1.0]
            })
            .collect()
    } else {
        Vec::new()
    };
    Some(Primitive {
        positions,
        normals,
        colors,
        uvs,
        indices,
        material: mesh.material_id.filter(|&m| m < material_count),
    })
}

/// Comments out face statements (`f`) whose indices refer to no element declared
/// before them, or are not integers; returns the text to parse and, per dropped face,
/// its line number and why.
pub(crate) fn drop_bad_faces(text: &str) -> (Cow<'_, str>, Vec<(usize, String)>) {
    // Counts of `v`, `vt`, `vn` so far.
    let mut counts = [0i64; 3];
    let mut dropped = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("v") => counts[0] += 1,
            Some("vt") => counts[1] += 1,
            Some("vn") => counts[2] += 1,
            Some("f") => {
                if let Err(reason) = check_face(words, counts) {
                    dropped.push((number + 1, reason));
                }
            }
            _ => {}
        }
    }
    if dropped.is_empty() {
        return (Cow::Borrowed(text), dropped);
    }
    let bad: std::collections::HashSet<usize> = dropped.iter().map(|(n, _)| *n).collect();
    let mut out = String::with_capacity(text.len() + dropped.len());
    for (number, line) in text.lines().enumerate() {
        if bad.contains(&(number + 1)) {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    (Cow::Owned(out), dropped)
}

/// Checks one face's `v`, `v/vt`, `v//vn` or `v/vt/vn` corners.
fn check_face<'a>(corners: impl Iterator<Item = &'a str>, counts: [i64; 3]) -> Result<(), String> {
    const KIND: [&str; 3] = ["vertex", "texture coordinate", "normal"];
    for corner in corners {
        let parts: Vec<&str> = corner.split('/').collect();
        if parts.len() > 3 {
            return Err(format!("`{corner}` has more than three indices"));
        }
        for (k, part) in parts.iter().enumerate() {
            if part.is_empty() && k > 0 {
                continue;
            }
            let index: i64 = part
                .parse()
                .map_err(|_| format!("`{part}` is not an index"))?;
            let count = counts[k];
            let valid = (1..=count).contains(&index) || (index < 0 && index >= -count);
            if !valid {
                return Err(format!(
                    "{} index {index} refers to none of the {count} declared before it",
                    KIND[k]
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_kd_options_are_skipped() {
        assert_eq!(map_file_name(".\\a b.jpg"), Some(".\\a b.jpg"));
        assert_eq!(map_file_name("-s 1 1 1 tex.png"), Some("tex.png"));
        assert_eq!(map_file_name("-s 2 tex.png"), Some("tex.png"));
        assert_eq!(map_file_name("-clamp on -o 0 0 tex.png"), Some("tex.png"));
        assert_eq!(map_file_name("-unknown x"), None);
        assert_eq!(map_file_name("-s 1 1 1"), None);
    }

    #[test]
    fn faces_with_bad_indices_are_commented_out() {
        let text = "v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1 2 3\nf 1 2 4\nf 1//1 2//1 3//-2\n\
                    f -1 -2 -3\nf 1 2 x\nf 1 2 99999999999999999999\nf 0 1 2\n";
        let (fixed, dropped) = drop_bad_faces(text);
        let lines: Vec<usize> = dropped.iter().map(|(n, _)| *n).collect();
        assert_eq!(lines, [6, 7, 9, 10, 11], "{dropped:?}");
        assert!(dropped[0].1.contains("vertex index 4"), "{}", dropped[0].1);
        assert!(dropped[1].1.contains("normal index -2"), "{}", dropped[1].1);
        let kept: Vec<&str> = fixed.lines().filter(|l| l.starts_with('f')).collect();
        assert_eq!(kept, ["f 1 2 3", "f -1 -2 -3"]);
        let (same, none) = drop_bad_faces("v 0 0 0\nf 1 1 1\n");
        assert!(matches!(same, Cow::Borrowed(_)) && none.is_empty());
    }
}
