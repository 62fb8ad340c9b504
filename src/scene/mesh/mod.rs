//! `MeshObject`: the CPU data model of a mesh or point-cloud scene object (a PLY, OBJ
//! or glTF file), drawn beside splats.
//!
//! An object holds geometry ([`Mesh`], made of [`Primitive`]s: indexed triangle lists
//! with one material each), where that geometry is placed ([`MeshInstance`]: a named
//! part with an `object_from_mesh` transform; glTF nodes, OBJ objects and groups),
//! [`Material`]s, decoded [`TextureImage`]s and [`PointCloud`]s. The whole object is
//! placed in the world by `world_from_object`, which the user edits; loaders set it to
//! the identity.
//!
//! Colours: vertex and point colours are display values (sRGB-encoded, 0..1) whatever
//! the file stored; a material's base colour keeps the encoding of its file
//! ([`ColorEncoding`]) so nothing is lost, and [`Material::base_color_display`] gives
//! the display value. How a renderer combines them: [`shading`].
//!
//! Axes and units are the file's, unchanged (see docs/FORMATS.md).

mod bounds;
pub mod shading;

use std::sync::Arc;

use glam::Mat4;

/// How a material colour is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorEncoding {
    /// Display values (sRGB-encoded), used as given: PLY vertex colours, MTL `Kd`.
    Display,
    /// Linear values, to be sRGB-encoded for display: glTF `baseColorFactor` and
    /// `COLOR_0`.
    Linear,
}

/// An RGBA8 image whose colour channels are display values (sRGB-encoded), row-major
/// from the top-left texel, as textures are stored in OBJ/MTL and glTF files.
#[derive(Clone, Debug, PartialEq)]
pub struct TextureImage {
    /// Where it came from (file name or glTF image name/index), for the UI and messages.
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// `width * height * 4` bytes.
    pub rgba8: Vec<u8>,
}

impl TextureImage {
    /// The texel at integer coordinates (clamped to the image) as 0..1 display values.
    pub fn texel(&self, x: i64, y: i64) -> [f32; 4] {
        if self.width == 0 || self.height == 0 {
            return [1.0; 4];
        }
        let x = x.clamp(0, i64::from(self.width) - 1) as usize;
        let y = y.clamp(0, i64::from(self.height) - 1) as usize;
        let i = (y * self.width as usize + x) * 4;
        match self.rgba8.get(i..i + 4) {
            Some(p) => [p[0], p[1], p[2], p[3]].map(|v| f32::from(v) / 255.0),
            None => [1.0; 4],
        }
    }
}

/// A surface material: a base colour, optionally multiplied by a texture.
#[derive(Clone, Debug, PartialEq)]
pub struct Material {
    pub name: String,
    /// RGBA, in `base_color_encoding`.
    pub base_color: [f32; 4],
    pub base_color_encoding: ColorEncoding,
    /// Index into [`MeshObject::textures`]; sampled with the primitive's UVs.
    pub base_color_texture: Option<usize>,
}

impl Default for Material {
    fn default() -> Self {
        Self {
            name: "default".into(),
            base_color: [1.0; 4],
            base_color_encoding: ColorEncoding::Display,
            base_color_texture: None,
        }
    }
}

impl Material {
    /// The base colour as a display value (alpha unchanged).
    pub fn base_color_display(&self) -> [f32; 4] {
        let [r, g, b, a] = self.base_color;
        match self.base_color_encoding {
            ColorEncoding::Display => [r, g, b, a],
            ColorEncoding::Linear => {
                let [r, g, b] = [r, g, b].map(shading::srgb_encode);
                [r, g, b, a]
            }
        }
    }
}

/// An indexed triangle list with one material. Attribute vectors are empty when the
/// file has no such attribute, otherwise they have one entry per position.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Primitive {
    /// Vertex positions in mesh space.
    pub positions: Vec<[f32; 3]>,
    /// Unit normals in mesh space (empty: flat shading from the triangle).
    pub normals: Vec<[f32; 3]>,
    /// RGBA display values 0..1.
    pub colors: Vec<[f32; 4]>,
    /// Texture coordinates, (0, 0) at the top-left of the image (glTF and Vulkan's
    /// convention; OBJ and PLY `v`/`t` are flipped by their loaders).
    pub uvs: Vec<[f32; 2]>,
    /// Three per triangle, each `< positions.len()` (loaders check).
    pub indices: Vec<u32>,
    /// Index into [`MeshObject::materials`]; `None` draws white.
    pub material: Option<usize>,
}

impl Primitive {
    pub fn triangle_count(&self) -> usize {
        self.indices.len() / 3
    }

    /// Bytes held by the vertex and index arrays.
    pub fn memory_bytes(&self) -> usize {
        self.positions.len() * 12
            + self.normals.len() * 12
            + self.colors.len() * 16
            + self.uvs.len() * 8
            + self.indices.len() * 4
    }

    /// Every attribute has 0 or `positions.len()` entries, indices come in threes and
    /// are in range.
    pub fn is_consistent(&self) -> bool {
        let n = self.positions.len();
        let fits = |len: usize| len == 0 || len == n;
        fits(self.normals.len())
            && fits(self.colors.len())
            && fits(self.uvs.len())
            && self.indices.len().is_multiple_of(3)
            && self.indices.iter().all(|&i| (i as usize) < n)
    }
}

/// Geometry drawn together: a glTF mesh, an OBJ object or group, a PLY file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mesh {
    pub name: String,
    pub primitives: Vec<Primitive>,
}

/// A placed copy of a mesh: a glTF node with a mesh, an OBJ object or group, a PLY file.
#[derive(Clone, Debug, PartialEq)]
pub struct MeshInstance {
    pub name: String,
    /// Index into [`MeshObject::meshes`].
    pub mesh: usize,
    /// Mesh space to object space (the product of the glTF node transforms down to this
    /// node; identity for OBJ and PLY).
    pub object_from_mesh: Mat4,
}

/// Points with colours, drawn as dots of a chosen size.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointCloud {
    pub name: String,
    pub positions: Vec<[f32; 3]>,
    /// RGB display values 0..1, one per position (white where the file has none).
    pub colors: Vec<[f32; 3]>,
}

impl PointCloud {
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}

/// The file format an object came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MeshFormat {
    /// PLY with faces (a mesh) or with vertices only (a point cloud).
    Ply,
    /// Wavefront OBJ, with its MTL materials.
    Obj,
    /// glTF 2.0, as `.gltf` JSON or binary `.glb`.
    Gltf,
}

impl MeshFormat {
    pub fn name(self) -> &'static str {
        match self {
            Self::Ply => "PLY",
            Self::Obj => "OBJ",
            Self::Gltf => "glTF",
        }
    }
}

impl std::fmt::Display for MeshFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A scene object loaded from a mesh or point-cloud file.
#[derive(Clone, Debug, PartialEq)]
pub struct MeshObject {
    /// Shown in the scene panel (the file name when loaded).
    pub name: String,
    pub format: MeshFormat,
    /// Object space to world space: the user's placement (identity when loaded).
    pub world_from_object: Mat4,
    pub meshes: Vec<Mesh>,
    pub instances: Vec<MeshInstance>,
    pub materials: Vec<Material>,
    /// Shared so that copies of an object (and the GPU upload) need not copy pixels.
    pub textures: Vec<Arc<TextureImage>>,
    pub point_clouds: Vec<PointCloud>,
    /// What the loader skipped or could not find (missing textures, unsupported
    /// extensions, bad faces), for the user.
    pub warnings: Vec<String>,
}

impl MeshObject {
    /// An empty object of `format` called `name`.
    pub fn new(name: impl Into<String>, format: MeshFormat) -> Self {
        Self {
            name: name.into(),
            format,
            world_from_object: Mat4::IDENTITY,
            meshes: Vec::new(),
            instances: Vec::new(),
            materials: Vec::new(),
            textures: Vec::new(),
            point_clouds: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Triangles drawn, counting every instance.
    pub fn triangle_count(&self) -> usize {
        self.instances
            .iter()
            .filter_map(|inst| self.meshes.get(inst.mesh))
            .flat_map(|m| &m.primitives)
            .map(Primitive::triangle_count)
            .sum()
    }

    /// Points in all point clouds.
    pub fn point_count(&self) -> usize {
        self.point_clouds.iter().map(PointCloud::len).sum()
    }

    /// Bytes of CPU memory held by geometry, points and decoded textures (what a GPU
    /// copy needs too, give or take padding).
    pub fn memory_bytes(&self) -> usize {
        let geometry: usize = self
            .meshes
            .iter()
            .flat_map(|m| &m.primitives)
            .map(Primitive::memory_bytes)
            .sum();
        let points: usize = self.point_clouds.iter().map(|p| p.len() * 24).sum();
        let textures: usize = self.textures.iter().map(|t| t.rgba8.len()).sum();
        geometry + points + textures
    }

    /// Every index (mesh, material, texture) points at something that exists and every
    /// primitive and point cloud is consistent. Loaders check this before returning.
    pub fn is_consistent(&self) -> bool {
        self.instances.iter().all(|i| i.mesh < self.meshes.len())
            && self
                .meshes
                .iter()
                .flat_map(|m| &m.primitives)
                .all(|p| p.is_consistent() && p.material.is_none_or(|m| m < self.materials.len()))
            && self
                .materials
                .iter()
                .all(|m| m.base_color_texture.is_none_or(|t| t < self.textures.len()))
            && self
                .point_clouds
                .iter()
                .all(|p| p.colors.len() == p.positions.len())
    }

    /// Each drawn primitive with its mesh-to-world transform.
    pub fn world_primitives(&self) -> impl Iterator<Item = (Mat4, &Primitive)> + '_ {
        self.instances.iter().flat_map(move |inst| {
            let world_from_mesh = self.world_from_object * inst.object_from_mesh;
            self.meshes
                .get(inst.mesh)
                .into_iter()
                .flat_map(|m| &m.primitives)
                .map(move |p| (world_from_mesh, p))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triangle() -> Primitive {
        Primitive {
            positions: vec![[0.0; 3], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
            indices: vec![0, 1, 2],
            ..Default::default()
        }
    }

    #[test]
    fn counts_memory_and_consistency() {
        let mut object = MeshObject::new("t", MeshFormat::Ply);
        object.meshes.push(Mesh {
            name: "m".into(),
            primitives: vec![triangle()],
        });
        for _ in 0..2 {
            object.instances.push(MeshInstance {
                name: "i".into(),
                mesh: 0,
                object_from_mesh: Mat4::IDENTITY,
            });
        }
        assert!(object.is_consistent());
        assert_eq!(object.triangle_count(), 2);
        assert_eq!(object.memory_bytes(), 3 * 12 + 3 * 4);
        object.meshes[0].primitives[0].indices[2] = 3;
        assert!(!object.is_consistent());
        object.meshes[0].primitives[0].indices[2] = 2;
        object.meshes[0].primitives[0].material = Some(0);
        assert!(!object.is_consistent());
    }

    #[test]
    fn linear_base_colours_are_encoded_for_display() {
        let m = Material {
            base_color: [0.214_041_14, 1.0, 0.0, 0.5],
            base_color_encoding: ColorEncoding::Linear,
            ..Default::default()
        };
        let d = m.base_color_display();
        assert!((d[0] - 0.5).abs() < 1e-5, "{d:?}");
        assert_eq!(d[1..], [1.0, 0.0, 0.5]);
    }
}
