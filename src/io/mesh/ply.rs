//! PLY meshes and point clouds (Greg Turk's format, as written by MeshLab/VCG,
//! Blender, PyVista and COLMAP), read with ply-rs.
//!
//! The header goes through the same checks as the splat loader's
//! (`io::ply::parse_header_for_mesh`); ply-rs then reads the body one record at a
//! time (`read_*_element`) into [`Record`], which keeps only the properties used here,
//! and the records are appended to struct-of-arrays vectors whose capacity is capped
//! by what the remaining bytes can hold, never by the header's counts alone.
//!
//! Read from `vertex`: `x y z`; `nx ny nz`; colours `red green blue` (also
//! `diffuse_red...` and `r g b`), integers scaled by their type's maximum, floats as
//! they are; texture coordinates `s t`, `u v` or `texture_u texture_v` (flipped to a
//! top-left origin). From `face`: a `vertex_indices` or `vertex_index` list; polygons
//! become triangle fans. A `comment TextureFile NAME` header line names the texture.
//! Other elements are read and ignored.
//!
//! Bad data is skipped with a warning: faces with fewer than 3 vertices, out-of-range
//! or negative indices, triangles using a vertex with a non-finite position (and such
//! points of a point cloud); a body that ends early or cannot be parsed keeps the
//! records before the problem. A mesh left with no triangle, or a point cloud with no
//! point, is an error.

use std::io::{BufRead, Cursor};
use std::path::Path;

use ply_rs::parser::Parser;
use ply_rs::ply::{ElementDef, Encoding, Property, PropertyAccess, PropertyType, ScalarType};

use super::texture::TextureFiles;
use super::{MeshLoadStage, Progress, object_name, parent_dir, resolve_relative};
use crate::io::LoadError;
use crate::io::ply::{PlyContent, classify, parse_header_for_mesh};
use crate::scene::mesh::{
    ColorEncoding, Material, Mesh, MeshFormat, MeshInstance, MeshObject, PointCloud, Primitive,
};

/// Records between two progress reports.
const PROGRESS_RECORDS: u64 = 1 << 16;

/// Value slots of a vertex record.
const X: usize = 0;
const NX: usize = 3;
const RED: usize = 6;
const U: usize = 9;
const SLOTS: usize = 11;

/// The slot a vertex property fills, by name.
fn slot_of(name: &str) -> Option<usize> {
    Some(match name {
        "x" => X,
        "y" => X + 1,
        "z" => X + 2,
        "nx" => NX,
        "ny" => NX + 1,
        "nz" => NX + 2,
        "red" | "diffuse_red" | "r" => RED,
        "green" | "diffuse_green" | "g" => RED + 1,
        "blue" | "diffuse_blue" | "b" => RED + 2,
        "s" | "u" | "texture_u" | "texture_s" => U,
        "t" | "v" | "texture_v" | "texture_t" => U + 1,
        _ => return None,
    })
}

fn is_index_list(name: &str) -> bool {
    name == "vertex_indices" || name == "vertex_index"
}

/// One record of any element, as ply-rs hands it over: the values of the vertex slots
/// and a face's index list; everything else is dropped.
#[derive(Default)]
struct Record {
    values: [f32; SLOTS],
    indices: Vec<i64>,
}

/// A scalar property as f64, and the value that means "full" for a colour of that type.
fn scalar(p: &Property) -> Option<(f64, f64)> {
    Some(match *p {
        Property::Char(v) => (f64::from(v), f64::from(i8::MAX)),
        Property::UChar(v) => (f64::from(v), f64::from(u8::MAX)),
        Property::Short(v) => (f64::from(v), f64::from(i16::MAX)),
        Property::UShort(v) => (f64::from(v), f64::from(u16::MAX)),
        Property::Int(v) => (f64::from(v), f64::from(i32::MAX)),
        Property::UInt(v) => (f64::from(v), f64::from(u32::MAX)),
        Property::Float(v) => (f64::from(v), 1.0),
        Property::Double(v) => (v, 1.0),
        _ => return None,
    })
}

/// A list property as signed integers (floats are not valid indices: `None`).
fn int_list(p: Property) -> Option<Vec<i64>> {
    fn widen<T: Into<i64>>(v: Vec<T>) -> Vec<i64> {
        v.into_iter().map(Into::into).collect()
    }
    Some(match p {
        Property::ListChar(v) => widen(v),
        Property::ListUChar(v) => widen(v),
        Property::ListShort(v) => widen(v),
        Property::ListUShort(v) => widen(v),
        Property::ListInt(v) => widen(v),
        Property::ListUInt(v) => widen(v),
        _ => return None,
    })
}

impl PropertyAccess for Record {
    fn new() -> Self {
        Self::default()
    }

    fn set_property(&mut self, name: String, property: Property) {
        if is_index_list(&name) {
            // A float list is not an index list: leave it empty, the face is skipped.
            self.indices = int_list(property).unwrap_or_default();
        } else if let Some(slot) = slot_of(&name)
            && let Some((value, full)) = scalar(&property)
        {
            let is_color = (RED..RED + 3).contains(&slot);
            self.values[slot] = if is_color { value / full } else { value } as f32;
        }
    }
}

/// Which optional attributes the vertex element has (all components present).
struct VertexAttributes {
    normals: bool,
    colors: bool,
    uvs: bool,
}

impl VertexAttributes {
    fn of(vertex: &ElementDef) -> Self {
        let filled = |range: std::ops::Range<usize>| {
            range.clone().all(|slot| {
                vertex
                    .properties
                    .keys()
                    .any(|name| slot_of(name) == Some(slot))
            })
        };
        Self {
            normals: filled(NX..NX + 3),
            colors: filled(RED..RED + 3),
            uvs: filled(U..U + 2),
        }
    }
}

/// The fewest bytes one record of `e` can take in the body, to cap reservations.
fn min_record_bytes(e: &ElementDef, encoding: Encoding) -> usize {
    let per_property = |p: &PropertyType| match (encoding, p) {
        // A value and a separator.
        (Encoding::Ascii, _) => 2,
        (_, PropertyType::Scalar(s)) => scalar_size(s),
        (_, PropertyType::List(n, _)) => scalar_size(n),
    };
    e.properties
        .values()
        .map(|p| per_property(&p.data_type))
        .sum::<usize>()
        .max(1)
}

fn scalar_size(s: &ScalarType) -> usize {
    match s {
        ScalarType::Char | ScalarType::UChar => 1,
        ScalarType::Short | ScalarType::UShort => 2,
        ScalarType::Int | ScalarType::UInt | ScalarType::Float => 4,
        ScalarType::Double => 8,
    }
}

/// Everything read from the body.
#[derive(Default)]
struct Body {
    positions: Vec<[f32; 3]>,
    normals: Vec<[f32; 3]>,
    colors: Vec<[f32; 3]>,
    uvs: Vec<[f32; 2]>,
    /// Fan-triangulated faces, indices as written (checked later).
    triangles: Vec<[i64; 3]>,
    faces_read: u64,
    short_faces: u64,
    /// Why reading stopped early, if it did.
    stopped: Option<String>,
}

/// Reads the next record of `def`; `Ok(None)` at the end of an ASCII body.
fn read_record(
    parser: &Parser<Record>,
    encoding: Encoding,
    cursor: &mut Cursor<&[u8]>,
    line: &mut String,
    def: &ElementDef,
) -> std::io::Result<Option<Record>> {
    match encoding {
        Encoding::Ascii => loop {
            line.clear();
            if cursor.read_line(line)? == 0 {
                return Ok(None);
            }
            // Blank lines between records are tolerated.
            if !line.trim().is_empty() {
                return parser.read_ascii_element(line, def).map(Some);
            }
        },
        Encoding::BinaryLittleEndian => parser.read_little_endian_element(cursor, def).map(Some),
        Encoding::BinaryBigEndian => parser.read_big_endian_element(cursor, def).map(Some),
    }
}

/// Reads every element's records, keeping vertices and faces.
fn read_body(
    path: &Path,
    header: &ply_rs::ply::Header,
    body: &[u8],
    progress: &mut Progress<'_>,
) -> Result<Body, LoadError> {
    let parser = Parser::<Record>::new();
    let mut cursor = Cursor::new(body);
    let mut line = String::new();
    let mut out = Body::default();
    let total = body.len() as u64;
    'elements: for (name, def) in &header.elements {
        let is_vertex = name == "vertex";
        let is_face = name == "face";
        let attributes = VertexAttributes::of(def);
        let remaining = body.len() - (cursor.position() as usize).min(body.len());
        let capacity = (def.count).min(remaining / min_record_bytes(def, header.encoding));
        if is_vertex {
            out.positions.reserve(capacity);
            let reserve_if = |on: bool| if on { capacity } else { 0 };
            out.normals.reserve(reserve_if(attributes.normals));
            out.colors.reserve(reserve_if(attributes.colors));
            out.uvs.reserve(reserve_if(attributes.uvs));
        } else if is_face {
            out.triangles.reserve(capacity);
        }
        for k in 0..def.count as u64 {
            if k % PROGRESS_RECORDS == 0 {
                progress.report(MeshLoadStage::Parsing, cursor.position(), total)?;
            }
            let record = match read_record(&parser, header.encoding, &mut cursor, &mut line, def) {
                Ok(Some(r)) => r,
                Ok(None) => {
                    out.stopped = Some(format!(
                        "the file ends after {k} of {} `{name}` records",
                        def.count
                    ));
                    break 'elements;
                }
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    out.stopped = Some(format!(
                        "the file ends after {k} of {} `{name}` records",
                        def.count
                    ));
                    break 'elements;
                }
                Err(e) => {
                    let reason = e.to_string().replace(['\n', '\t'], " ");
                    out.stopped = Some(format!(
                        "`{name}` record {k} of {} cannot be read ({reason})",
                        def.count
                    ));
                    break 'elements;
                }
            };
            if is_vertex {
                push_vertex(&mut out, &record.values, &attributes);
            } else if is_face {
                out.faces_read += 1;
                let polygon = &record.indices;
                if polygon.len() < 3 {
                    out.short_faces += 1;
                }
                for i in 1..polygon.len().saturating_sub(1) {
                    out.triangles.push([polygon[0], polygon[i], polygon[i + 1]]);
                }
            }
        }
    }
    if out.stopped.is_some() && out.positions.is_empty() {
        return Err(LoadError::invalid_mesh(
            path,
            MeshFormat::Ply,
            out.stopped.unwrap_or_default(),
        ));
    }
    Ok(out)
}

fn push_vertex(out: &mut Body, v: &[f32; SLOTS], attributes: &VertexAttributes) {
    out.positions.push([v[X], v[X + 1], v[X + 2]]);
    if attributes.normals {
        let n = glam::Vec3::new(v[NX], v[NX + 1], v[NX + 2]);
        out.normals
            .push(n.try_normalize().unwrap_or(glam::Vec3::ZERO).to_array());
    }
    if attributes.colors {
        let c = [v[RED], v[RED + 1], v[RED + 2]];
        out.colors.push(c.map(|x| {
            if x.is_finite() {
                x.clamp(0.0, 1.0)
            } else {
                1.0
            }
        }));
    }
    if attributes.uvs {
        out.uvs.push([v[U], 1.0 - v[U + 1]]);
    }
}

/// Loads a PLY mesh or point cloud held in memory (`path` for messages and to find a
/// `TextureFile`).
pub fn load(
    path: &Path,
    bytes: &[u8],
    progress: &mut Progress<'_>,
) -> Result<MeshObject, LoadError> {
    let content = classify(path, bytes)?;
    if content == PlyContent::Splats {
        return Err(LoadError::invalid_mesh(
            path,
            MeshFormat::Ply,
            "it holds Gaussian splats, not a mesh or point cloud",
        ));
    }
    let (header, body_offset) = parse_header_for_mesh(path, bytes)?;
    let body = read_body(
        path,
        &header,
        bytes.get(body_offset..).unwrap_or_default(),
        progress,
    )?;
    let mut object = MeshObject::new(object_name(path), MeshFormat::Ply);
    if let Some(reason) = &body.stopped {
        object.warnings.push(format!(
            "{}: {reason}; the records before it are kept",
            path.display()
        ));
    }
    match content {
        PlyContent::Mesh => build_mesh(path, &header, body, &mut object, progress)?,
        _ => build_point_cloud(path, body, &mut object)?,
    }
    Ok(object)
}

fn build_mesh(
    path: &Path,
    header: &ply_rs::ply::Header,
    body: Body,
    object: &mut MeshObject,
    progress: &mut Progress<'_>,
) -> Result<(), LoadError> {
    let n = body.positions.len();
    let finite: Vec<bool> = body
        .positions
        .iter()
        .map(|p| p.iter().all(|v| v.is_finite()))
        .collect();
    let mut indices = Vec::with_capacity(body.triangles.len() * 3);
    let (mut out_of_range, mut non_finite) = (0u64, 0u64);
    for tri in &body.triangles {
        let Some(t) = tri
            .iter()
            .map(|&i| u32::try_from(i).ok().filter(|&i| (i as usize) < n))
            .collect::<Option<Vec<u32>>>()
        else {
            out_of_range += 1;
            continue;
        };
        if t.iter().any(|&i| !finite[i as usize]) {
            non_finite += 1;
            continue;
        }
        indices.extend_from_slice(&t);
    }
    let file = path.display();
    if body.short_faces > 0 {
        object.warnings.push(format!(
            "{file}: {} faces with fewer than 3 vertices skipped",
            body.short_faces
        ));
    }
    if out_of_range > 0 {
        object.warnings.push(format!(
            "{file}: {out_of_range} triangles skipped: they use vertex indices outside 0..{n}"
        ));
    }
    if non_finite > 0 {
        object.warnings.push(format!(
            "{file}: {non_finite} triangles skipped: they use vertices with non-finite coordinates"
        ));
    }
    if indices.is_empty() {
        return Err(LoadError::invalid_mesh(
            path,
            MeshFormat::Ply,
            format!(
                "no usable triangle among {} faces read ({} vertices)",
                body.faces_read, n
            ),
        ));
    }
    let mut material = Material::default();
    if let Some(name) = texture_file_comment(header) {
        let texture = resolve_relative(&parent_dir(path), name);
        material.base_color_texture = TextureFiles::default().load(&texture, object, progress)?;
        if body.uvs.is_empty() && material.base_color_texture.is_some() {
            object.warnings.push(format!(
                "{file}: names texture {name} but its vertices have no texture coordinates"
            ));
        }
    }
    material.base_color_encoding = ColorEncoding::Display;
    object.materials.push(material);
    object.meshes.push(Mesh {
        name: object.name.clone(),
        primitives: vec![Primitive {
            positions: body.positions,
            normals: body.normals,
            colors: body
                .colors
                .into_iter()
                .map(|[r, g, b]| [r, g, b, 1.0])
                .collect(),
            uvs: body.uvs,
            indices,
            material: Some(0),
        }],
    });
    object.instances.push(MeshInstance {
        name: object.name.clone(),
        mesh: 0,
        object_from_mesh: glam::Mat4::IDENTITY,
    });
    Ok(())
}

/// `comment TextureFile NAME` (MeshLab's way to name a PLY's texture).
fn texture_file_comment(header: &ply_rs::ply::Header) -> Option<&str> {
    header.comments.iter().find_map(|c| {
        let (key, rest) = c.trim().split_once(char::is_whitespace)?;
        key.eq_ignore_ascii_case("TextureFile")
            .then(|| rest.trim())
            .filter(|r| !r.is_empty())
    })
}

fn build_point_cloud(path: &Path, body: Body, object: &mut MeshObject) -> Result<(), LoadError> {
    let read = body.positions.len();
    let has_colors = !body.colors.is_empty();
    let mut cloud = PointCloud {
        name: object.name.clone(),
        positions: Vec::with_capacity(read),
        colors: Vec::with_capacity(read),
    };
    for (i, p) in body.positions.iter().enumerate() {
        if p.iter().all(|v| v.is_finite()) {
            cloud.positions.push(*p);
            let color = if has_colors {
                body.colors.get(i).copied()
            } else {
                None
            };
            cloud.colors.push(color.unwrap_or([1.0; 3]));
        }
    }
    let dropped = read - cloud.len();
    if dropped > 0 {
        object.warnings.push(format!(
            "{}: {dropped} points with non-finite coordinates skipped",
            path.display()
        ));
    }
    if cloud.is_empty() {
        return Err(LoadError::invalid_mesh(
            path,
            MeshFormat::Ply,
            format!("no point with finite coordinates among {read} vertices"),
        ));
    }
    object.point_clouds.push(cloud);
    Ok(())
}
