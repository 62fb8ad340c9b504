//! glTF 2.0 (`.gltf` JSON with external or data-URI buffers, and binary `.glb`), parsed
//! and validated by the `gltf` crate; the binary data is read by [`super::gltf_data`].
//!
//! What is read: the default scene's node hierarchy (or every root node when there is
//! no scene), each node's transform (matrix, or translation x rotation x scale)
//! multiplied down to the nodes that carry meshes ([`MeshInstance`]); every mesh's
//! primitives (`TRIANGLES`, and `TRIANGLE_STRIP` / `TRIANGLE_FAN` turned into lists)
//! with `POSITION`, `NORMAL`, `COLOR_0` and `TEXCOORD_0` (float or normalised integer
//! components) and indices; materials' `baseColorFactor` (linear) and
//! `baseColorTexture` (sRGB, from a buffer view, a data URI or a file). Vertex
//! colours are linear in glTF and are sRGB-encoded to display values on load.
//!
//! Skipped with a warning: extensions named in `extensionsUsed` (none is honoured
//! except `KHR_mesh_quantization`, whose integer attributes the reader accepts),
//! point and line primitives, sparse accessors, primitives whose data is out of range,
//! triangles with out-of-range indices or non-finite vertices, textures on another UV
//! set than 0, images that cannot be had or decoded. Node trees deeper than
//! [`MAX_NODE_DEPTH`] or with more than [`MAX_INSTANCES`] placed meshes are cut there
//! (a node listed under several parents would otherwise multiply without end).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use glam::Mat4;
use gltf::accessor::Dimensions;
use gltf::mesh::Mode;

use super::gltf_data::{load_buffers, read_floats, read_indices, read_uri, view_bytes};
use super::texture::{MAX_TEXTURE_FILE_BYTES, TextureFiles, decode_texture};
use super::{MeshLoadStage, Progress, object_name, parent_dir, resolve_relative};
use crate::io::LoadError;
use crate::scene::mesh::shading::srgb_encode;
use crate::scene::mesh::{
    ColorEncoding, Material, Mesh, MeshFormat, MeshInstance, MeshObject, Primitive,
};

/// Deepest node nesting followed.
pub const MAX_NODE_DEPTH: usize = 256;
/// Most mesh placements made from one file.
pub const MAX_INSTANCES: usize = 1 << 20;
/// Extensions whose content the loader reads correctly.
const SUPPORTED_EXTENSIONS: [&str; 1] = ["KHR_mesh_quantization"];

/// GLB header: magic, version, total length.
const GLB_HEADER_BYTES: usize = 12;

/// Does `head` start like a glTF file: the GLB magic, or a JSON object with an
/// `"asset"` member that is not SOG's `meta.json`, the other JSON scene file
/// (version 1 has no `"asset"`; version 2 from splat-transform names its
/// generator in one, beside the `"means"` and `"quats"` that glTF never has)?
pub fn looks_like_gltf(head: &[u8]) -> bool {
    let has = |key: &[u8]| head.windows(key.len()).any(|w| w == key);
    let sog_meta = has(b"\"means\"") && has(b"\"quats\"");
    head.starts_with(b"glTF")
        || (head.trim_ascii_start().starts_with(b"{") && has(b"\"asset\"") && !sog_meta)
}

/// Loads a glTF or GLB held in memory; `path` locates external buffers and images.
pub fn load(
    path: &Path,
    bytes: &[u8],
    progress: &mut Progress<'_>,
) -> Result<MeshObject, LoadError> {
    let invalid = |reason: String| LoadError::invalid_mesh(path, MeshFormat::Gltf, reason);
    check_glb_header(bytes).map_err(invalid)?;
    progress.report(MeshLoadStage::Parsing, 0, bytes.len() as u64)?;
    let gltf = gltf::Gltf::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
    let gltf::Gltf { document, blob } = gltf;

    let mut object = MeshObject::new(object_name(path), MeshFormat::Gltf);
    for ext in document.extensions_used() {
        if !SUPPORTED_EXTENSIONS.contains(&ext) {
            let required = document.extensions_required().any(|r| r == ext);
            object.warnings.push(format!(
                "glTF extension {ext}{} is not supported: ignored",
                if required {
                    " (required by the file)"
                } else {
                    ""
                }
            ));
        }
    }
    let base = parent_dir(path);
    let buffers = load_buffers(&document, blob, &base, progress, &mut object.warnings)?;
    progress.report(
        MeshLoadStage::Parsing,
        bytes.len() as u64,
        bytes.len() as u64,
    )?;

    let mut images = ImageLoader {
        base: &base,
        buffers: &buffers,
        by_image: HashMap::new(),
        files: TextureFiles::default(),
    };
    for material in document.materials() {
        let m = read_material(&material, &mut images, &mut object, progress)?;
        object.materials.push(m);
    }
    let mut issues = Vec::new();
    for mesh in document.meshes() {
        let primitives = mesh
            .primitives()
            .filter_map(
                |p| match read_primitive(&p, &buffers, object.materials.len()) {
                    Ok((primitive, skipped)) => {
                        if skipped > 0 {
                            issues.push(format!(
                                "mesh {} primitive {}: {skipped} triangles with out-of-range \
                             indices or non-finite vertices skipped",
                                mesh.index(),
                                p.index()
                            ));
                        }
                        Some(primitive)
                    }
                    Err(reason) => {
                        issues.push(format!(
                            "mesh {} primitive {}: {reason}; skipped",
                            mesh.index(),
                            p.index()
                        ));
                        None
                    }
                },
            )
            .collect();
        object.meshes.push(Mesh {
            name: mesh
                .name()
                .map_or_else(|| format!("mesh {}", mesh.index()), str::to_owned),
            primitives,
        });
    }
    summarize(&mut object.warnings, issues);
    place_nodes(&document, &mut object);
    if object.triangle_count() == 0 {
        let mut reason = "no triangle could be read".to_owned();
        if let Some(first) = object.warnings.first() {
            reason += &format!(" (first problem: {first})");
        }
        return Err(invalid(reason));
    }
    Ok(object)
}

/// Keeps the first problems with primitives and counts the rest, so one broken file
/// does not flood the user with thousands of lines.
fn summarize(warnings: &mut Vec<String>, issues: Vec<String>) {
    const SHOWN: usize = 5;
    let n = issues.len();
    warnings.extend(issues.into_iter().take(SHOWN));
    if n > SHOWN {
        warnings.push(format!("{} more primitives with problems", n - SHOWN));
    }
}

/// The `gltf` crate subtracts 12 from the GLB header's length unchecked; check it first.
fn check_glb_header(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(b"glTF") {
        return Ok(());
    }
    let field = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    };
    match (field(4), field(8)) {
        (Some(2), Some(length)) if (length as usize) >= GLB_HEADER_BYTES => Ok(()),
        (Some(version), Some(_)) if version != 2 => {
            Err(format!("GLB version {version}; only version 2 is read"))
        }
        (Some(_), Some(length)) => Err(format!("GLB header declares a total length of {length}")),
        _ => Err("the GLB header is cut short".into()),
    }
}

/// Decodes each glTF image once, on first use.
struct ImageLoader<'a> {
    base: &'a Path,
    buffers: &'a [Option<Vec<u8>>],
    /// glTF image index to texture index (`None`: could not be used).
    by_image: HashMap<usize, Option<usize>>,
    files: TextureFiles,
}

impl ImageLoader<'_> {
    fn texture(
        &mut self,
        image: &gltf::Image<'_>,
        object: &mut MeshObject,
        progress: &mut Progress<'_>,
    ) -> Result<Option<usize>, LoadError> {
        if let Some(&t) = self.by_image.get(&image.index()) {
            return Ok(t);
        }
        let name = image
            .name()
            .map_or_else(|| format!("image {}", image.index()), str::to_owned);
        let decoded = match image.source() {
            gltf::image::Source::View { view, .. } => {
                view_bytes(&view, self.buffers).and_then(|b| decode_texture(&name, b))
            }
            gltf::image::Source::Uri { uri, .. } if !uri.starts_with("data:") => {
                let path = resolve_relative(self.base, &percent_decoded(uri));
                let t = self.files.load(&path, object, progress)?;
                self.by_image.insert(image.index(), t);
                return Ok(t);
            }
            gltf::image::Source::Uri { uri, .. } => {
                read_uri(self.base, uri, MAX_TEXTURE_FILE_BYTES, progress)?
                    .and_then(|b| decode_texture(&name, &b))
            }
        };
        let t = match decoded {
            Ok(texture) => {
                object.textures.push(Arc::new(texture));
                Some(object.textures.len() - 1)
            }
            Err(reason) => {
                object.warnings.push(format!("{name} not used: {reason}"));
                None
            }
        };
        self.by_image.insert(image.index(), t);
        Ok(t)
    }
}

fn percent_decoded(uri: &str) -> String {
    percent_encoding::percent_decode_str(uri)
        .decode_utf8_lossy()
        .into_owned()
}

fn read_material(
    material: &gltf::Material<'_>,
    images: &mut ImageLoader<'_>,
    object: &mut MeshObject,
    progress: &mut Progress<'_>,
) -> Result<Material, LoadError> {
    let pbr = material.pbr_metallic_roughness();
    let name = material.name().map_or_else(
        || format!("material {}", material.index().unwrap_or(0)),
        str::to_owned,
    );
    let mut texture = None;
    if let Some(info) = pbr.base_color_texture() {
        if info.tex_coord() != 0 {
            object.warnings.push(format!(
                "{name}: its base colour texture uses TEXCOORD_{}; only TEXCOORD_0 is read, \
                 so it is not used",
                info.tex_coord()
            ));
        } else {
            texture = images.texture(&info.texture().source(), object, progress)?;
        }
    }
    let factor = pbr.base_color_factor();
    Ok(Material {
        name,
        base_color: factor.map(|v| {
            if v.is_finite() {
                v.clamp(0.0, 1.0)
            } else {
                1.0
            }
        }),
        base_color_encoding: ColorEncoding::Linear,
        base_color_texture: texture,
    })
}

/// One primitive as a triangle list, and how many of its triangles were skipped (bad
/// indices, non-finite vertices). `Err` says why nothing of it can be used.
fn read_primitive(
    p: &gltf::Primitive<'_>,
    buffers: &[Option<Vec<u8>>],
    material_count: usize,
) -> Result<(Primitive, usize), String> {
    let mode = p.mode();
    if !matches!(
        mode,
        Mode::Triangles | Mode::TriangleStrip | Mode::TriangleFan
    ) {
        return Err(format!("mode {mode:?} draws no triangles"));
    }
    let positions_accessor = p
        .get(&gltf::Semantic::Positions)
        .ok_or("no POSITION attribute")?;
    let positions: Vec<[f32; 3]> = read_floats(&positions_accessor, &[Dimensions::Vec3], buffers)?;
    let n = positions.len();
    let optional =
        |semantic: gltf::Semantic, what: &str| -> Result<Option<gltf::Accessor<'_>>, String> {
            match p.get(&semantic) {
                Some(a) if a.count() != n => Err(format!(
                    "{what} has {} entries for {n} positions",
                    a.count()
                )),
                other => Ok(other),
            }
        };
    let normals = match optional(gltf::Semantic::Normals, "NORMAL")? {
        Some(a) => read_floats::<3>(&a, &[Dimensions::Vec3], buffers)?
            .into_iter()
            .map(|v| {
                glam::Vec3::from_array(v)
                    .try_normalize()
                    .unwrap_or(glam::Vec3::ZERO)
                    .to_array()
            })
            .collect(),
        None => Vec::new(),
    };
    let colors = match optional(gltf::Semantic::Colors(0), "COLOR_0")? {
        Some(a) => read_floats::<4>(&a, &[Dimensions::Vec3, Dimensions::Vec4], buffers)?
            .into_iter()
            .map(|[r, g, b, a]| [srgb_encode(r), srgb_encode(g), srgb_encode(b), a])
            .collect(),
        None => Vec::new(),
    };
    let uvs = match optional(gltf::Semantic::TexCoords(0), "TEXCOORD_0")? {
        Some(a) => read_floats::<2>(&a, &[Dimensions::Vec2], buffers)?,
        None => Vec::new(),
    };
    let order = match p.indices() {
        Some(a) => read_indices(&a, buffers)?,
        None => (0..n as u32).collect(),
    };
    let triangles = match mode {
        Mode::TriangleStrip => (2..order.len())
            .map(|i| {
                // Every other triangle is flipped to keep the winding.
                if i % 2 == 0 {
                    [order[i - 2], order[i - 1], order[i]]
                } else {
                    [order[i - 1], order[i - 2], order[i]]
                }
            })
            .collect(),
        Mode::TriangleFan => (2..order.len())
            .map(|i| [order[0], order[i - 1], order[i]])
            .collect(),
        _ => order
            .chunks_exact(3)
            .map(|t| [t[0], t[1], t[2]])
            .collect::<Vec<_>>(),
    };
    let usable = |i: u32| {
        positions
            .get(i as usize)
            .is_some_and(|v| v.iter().all(|c| c.is_finite()))
    };
    let total = triangles.len();
    let indices: Vec<u32> = triangles
        .into_iter()
        .filter(|t| t.iter().all(|&i| usable(i)))
        .flatten()
        .collect();
    if indices.is_empty() {
        return Err(format!(
            "none of its {total} triangles has three in-range vertices with finite positions"
        ));
    }
    let skipped = total - indices.len() / 3;
    let primitive = Primitive {
        positions,
        normals,
        colors,
        uvs,
        indices,
        material: p.material().index().filter(|&m| m < material_count),
    };
    Ok((primitive, skipped))
}

/// Places every mesh-carrying node of the default scene (or of every root node).
fn place_nodes(document: &gltf::Document, object: &mut MeshObject) {
    let roots: Vec<gltf::Node<'_>> = match document
        .default_scene()
        .or_else(|| document.scenes().next())
    {
        Some(scene) => scene.nodes().collect(),
        None => {
            let mut is_child = vec![false; document.nodes().len()];
            for node in document.nodes() {
                for child in node.children() {
                    if let Some(flag) = is_child.get_mut(child.index()) {
                        *flag = true;
                    }
                }
            }
            document
                .nodes()
                .filter(|n| !is_child.get(n.index()).copied().unwrap_or(false))
                .collect()
        }
    };
    let mut stack: Vec<(gltf::Node<'_>, Mat4, usize)> = roots
        .into_iter()
        .rev()
        .map(|n| (n, Mat4::IDENTITY, 0))
        .collect();
    let mut cut = false;
    let mut bad_transforms = 0usize;
    while let Some((node, parent, depth)) = stack.pop() {
        let local = Mat4::from_cols_array_2d(&node.transform().matrix());
        if !local.is_finite() {
            bad_transforms += 1;
            continue;
        }
        let object_from_node = parent * local;
        if let Some(mesh) = node.mesh() {
            if object.instances.len() >= MAX_INSTANCES {
                cut = true;
                break;
            }
            object.instances.push(MeshInstance {
                name: node
                    .name()
                    .map_or_else(|| format!("node {}", node.index()), str::to_owned),
                mesh: mesh.index(),
                object_from_mesh: object_from_node,
            });
        }
        if depth + 1 >= MAX_NODE_DEPTH {
            cut |= node.children().next().is_some();
            continue;
        }
        for child in node.children().collect::<Vec<_>>().into_iter().rev() {
            stack.push((child, object_from_node, depth + 1));
        }
    }
    if bad_transforms > 0 {
        object.warnings.push(format!(
            "{bad_transforms} nodes with non-finite transforms skipped, with their children"
        ));
    }
    if cut {
        object.warnings.push(format!(
            "the node tree is deeper than {MAX_NODE_DEPTH} levels or places more than \
             {MAX_INSTANCES} meshes (a node may be listed under several parents): cut there"
        ));
    }
}
