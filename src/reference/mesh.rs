//! Reference mesh rasterizer: slow, plain, f64. The GPU mesh pass is tested against it.
//!
//! For each triangle of each drawn primitive (`MeshObject::world_primitives`, then the
//! camera's `view_from_world`):
//! 1. Vertices go to camera space (OpenCV axes: x right, y down, z forward).
//! 2. **Culling** (optional): a triangle is front-facing when its geometric normal
//!    `(v1 - v0) x (v2 - v0)` (right-hand rule, so counter-clockwise seen from the front,
//!    as glTF, OBJ and PLY define it) points towards the camera; back faces are dropped.
//! 3. **Near clipping**: the polygon is clipped against `z >= near`
//!    (Sutherland-Hodgman, one plane) and fanned into triangles. There is no far plane.
//! 4. **Coverage**: pixel `(i, j)` is covered when its centre `(i + 0.5, j + 0.5)` lies
//!    inside the projected triangle (`fx x / z + cx`, `fy y / z + cy`), with the
//!    top-left rule on edges, so triangles sharing an edge cover each pixel once.
//! 5. **Depth**: the view-space `z` of the surface at the pixel centre, from the
//!    screen-space barycentrics `b`: `z = 1 / sum(b_i / z_i)`. The nearest surface wins
//!    (ties: the first drawn).
//! 6. **Attributes** are interpolated perspective-correctly (`z * sum(b_i a_i / z_i)`):
//!    normals (then normalized; the triangle's normal where there are none or they
//!    cancel), vertex colours, UVs.
//! 7. **Colour** by [`crate::scene::mesh::shading`]: material base colour x vertex
//!    colour x texel in linear values, then `unlit` or `lit` (headlight; `v` points from
//!    the surface to the camera), sRGB-encoded. Textures are sampled **bilinearly**
//!    between the four nearest texel centres, each texel sRGB-decoded before blending
//!    (as GPUs filter `*Srgb` textures), with **repeat** wrapping and no mipmaps (the
//!    GPU may differ where a texture is minified). A primitive without UVs ignores its
//!    texture.
//!
//! Point clouds are not drawn here. The result is display values over the background
//! and the view-depth map (`+inf` where no triangle is), the two inputs of the
//! splat-occlusion rule (a splat is hidden at a pixel when its centre's view depth is
//! greater than the mesh depth there).

use glam::{DMat3, DMat4, DVec2, DVec3};

use crate::scene::PinholeCamera;
use crate::scene::camera::NEAR_PLANE;
use crate::scene::mesh::shading::{MeshShading, shade, srgb_decode};
use crate::scene::mesh::{Material, MeshObject, Primitive, TextureImage};

/// How to draw meshes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeshRenderOptions {
    pub shading: MeshShading,
    /// Drop triangles facing away from the camera.
    pub cull_back_faces: bool,
    /// Camera-space depth below which geometry is clipped.
    pub near: f32,
    /// Display colour where no triangle is.
    pub background: [f32; 3],
}

impl Default for MeshRenderOptions {
    fn default() -> Self {
        Self {
            shading: MeshShading::Lit,
            cull_back_faces: false,
            near: NEAR_PLANE,
            background: [0.0; 3],
        }
    }
}

/// A rendered mesh image: display colours and view depth, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct MeshImage {
    pub width: u32,
    pub height: u32,
    /// Display values (sRGB-encoded, 0..1).
    pub color: Vec<[f32; 3]>,
    /// View-space `z` of the nearest surface; `f32::INFINITY` where there is none.
    pub depth: Vec<f32>,
}

/// A camera-space vertex with what is interpolated across the triangle.
#[derive(Clone, Copy, Debug)]
struct Vertex {
    position: DVec3,
    normal: DVec3,
    color: [f64; 4],
    uv: DVec2,
}

impl Vertex {
    fn lerp(&self, other: &Vertex, t: f64) -> Vertex {
        let mix = |a: f64, b: f64| a + (b - a) * t;
        Vertex {
            position: self.position.lerp(other.position, t),
            normal: self.normal.lerp(other.normal, t),
            color: std::array::from_fn(|c| mix(self.color[c], other.color[c])),
            uv: self.uv.lerp(other.uv, t),
        }
    }
}

/// What a triangle's fragments need besides its vertices.
struct Surface<'a> {
    material: Option<&'a Material>,
    texture: Option<&'a TextureImage>,
    has_normals: bool,
    /// Camera-space geometric normal (unit).
    face_normal: DVec3,
}

/// Renders the triangles of `objects` for `camera`.
pub fn render_mesh_reference(
    objects: &[&MeshObject],
    camera: &PinholeCamera,
    options: &MeshRenderOptions,
) -> MeshImage {
    let (width, height) = (camera.width as usize, camera.height as usize);
    let mut image = MeshImage {
        width: camera.width,
        height: camera.height,
        color: vec![options.background; width * height],
        depth: vec![f32::INFINITY; width * height],
    };
    // Depth in f64 while drawing, so ties are decided on exact values.
    let mut depth = vec![f64::INFINITY; width * height];
    let view_from_world = camera.view_from_world().as_dmat4();
    for object in objects {
        for (world_from_mesh, primitive) in object.world_primitives() {
            let view_from_mesh = view_from_world * world_from_mesh.as_dmat4();
            draw_primitive(
                object,
                primitive,
                view_from_mesh,
                camera,
                options,
                &mut image,
                &mut depth,
            );
        }
    }
    for (out, d) in image.depth.iter_mut().zip(&depth) {
        *out = *d as f32;
    }
    image
}

fn draw_primitive(
    object: &MeshObject,
    primitive: &Primitive,
    view_from_mesh: DMat4,
    camera: &PinholeCamera,
    options: &MeshRenderOptions,
    image: &mut MeshImage,
    depth: &mut [f64],
) {
    let normal_matrix = DMat3::from_mat4(view_from_mesh).inverse().transpose();
    let material = primitive.material.and_then(|m| object.materials.get(m));
    let texture = material
        .and_then(|m| m.base_color_texture)
        .and_then(|t| object.textures.get(t))
        .map(|t| t.as_ref())
        .filter(|_| !primitive.uvs.is_empty());
    let vertex = |i: u32| -> Option<Vertex> {
        let i = i as usize;
        let p = DVec3::from(primitive.positions.get(i)?.map(f64::from));
        let normal = primitive.normals.get(i).map_or(DVec3::ZERO, |n| {
            normal_matrix * DVec3::from(n.map(f64::from))
        });
        Some(Vertex {
            position: view_from_mesh.transform_point3(p),
            normal,
            color: primitive
                .colors
                .get(i)
                .map_or([1.0; 4], |c| c.map(f64::from)),
            uv: primitive
                .uvs
                .get(i)
                .map_or(DVec2::ZERO, |t| DVec2::new(t[0].into(), t[1].into())),
        })
    };
    for tri in primitive.indices.chunks_exact(3) {
        let (Some(a), Some(b), Some(c)) = (vertex(tri[0]), vertex(tri[1]), vertex(tri[2])) else {
            continue;
        };
        let cross = (b.position - a.position).cross(c.position - a.position);
        let Some(face_normal) = cross.try_normalize() else {
            continue;
        };
        if options.cull_back_faces && face_normal.dot(-a.position) <= 0.0 {
            continue;
        }
        let surface = Surface {
            material,
            texture,
            has_normals: !primitive.normals.is_empty(),
            face_normal,
        };
        let clipped = clip_near(&[a, b, c], f64::from(options.near));
        for k in 1..clipped.len().saturating_sub(1) {
            rasterize(
                [&clipped[0], &clipped[k], &clipped[k + 1]],
                &surface,
                camera,
                options.shading,
                image,
                depth,
            );
        }
    }
}

/// Clips a polygon against `z >= near`.
fn clip_near(polygon: &[Vertex], near: f64) -> Vec<Vertex> {
    let mut out = Vec::with_capacity(polygon.len() + 1);
    for (i, current) in polygon.iter().enumerate() {
        let next = &polygon[(i + 1) % polygon.len()];
        let (dc, dn) = (current.position.z - near, next.position.z - near);
        if dc >= 0.0 {
            out.push(*current);
        }
        if (dc >= 0.0) != (dn >= 0.0) {
            out.push(current.lerp(next, dc / (dc - dn)));
        }
    }
    out
}

/// Is the edge from `a` to `b` a top or left edge of a triangle whose signed area
/// has sign `orientation` (pixel coordinates, y down)?
fn is_top_left(a: DVec2, b: DVec2, orientation: f64) -> bool {
    let e = (b - a) * orientation;
    // With a positive area in y-down coordinates the triangle runs clockwise on screen:
    // a top edge goes right (e.y == 0, e.x > 0), a left edge goes up (e.y < 0).
    (e.y == 0.0 && e.x > 0.0) || e.y < 0.0
}

fn rasterize(
    tri: [&Vertex; 3],
    surface: &Surface<'_>,
    camera: &PinholeCamera,
    shading: MeshShading,
    image: &mut MeshImage,
    depth: &mut [f64],
) {
    let (fx, fy) = (f64::from(camera.fx), f64::from(camera.fy));
    let (cx, cy) = (f64::from(camera.cx), f64::from(camera.cy));
    let project = |v: &Vertex| {
        DVec2::new(
            fx * v.position.x / v.position.z + cx,
            fy * v.position.y / v.position.z + cy,
        )
    };
    let s = tri.map(project);
    let edge = |a: DVec2, b: DVec2, p: DVec2| (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    let area = edge(s[0], s[1], s[2]);
    if !area.is_finite() || area == 0.0 {
        return;
    }
    let orientation = area.signum();
    let (w, h) = (image.width as usize, image.height as usize);
    let min = s[0].min(s[1]).min(s[2]);
    let max = s[0].max(s[1]).max(s[2]);
    let x0 = (min.x - 0.5).ceil().max(0.0) as usize;
    let y0 = (min.y - 0.5).ceil().max(0.0) as usize;
    let x1 = ((max.x - 0.5).floor()).min(w as f64 - 1.0);
    let y1 = ((max.y - 0.5).floor()).min(h as f64 - 1.0);
    if x1 < x0 as f64 || y1 < y0 as f64 {
        return;
    }
    // Edge k is opposite vertex k.
    let edges = [(s[1], s[2]), (s[2], s[0]), (s[0], s[1])];
    let top_left = edges.map(|(a, b)| is_top_left(a, b, orientation));
    let inv_z = tri.map(|v| 1.0 / v.position.z);
    for y in y0..=y1 as usize {
        for x in x0..=x1 as usize {
            let p = DVec2::new(x as f64 + 0.5, y as f64 + 0.5);
            let mut b = [0.0; 3];
            let mut inside = true;
            for k in 0..3 {
                let e = edge(edges[k].0, edges[k].1, p) * orientation;
                inside &= e > 0.0 || (e == 0.0 && top_left[k]);
                b[k] = e / area.abs();
            }
            if !inside {
                continue;
            }
            let sum_inv_z: f64 = (0..3).map(|k| b[k] * inv_z[k]).sum();
            let z = 1.0 / sum_inv_z;
            let idx = y * w + x;
            if z.is_nan() || z >= depth[idx] {
                continue;
            }
            depth[idx] = z;
            // Perspective-correct weights.
            let pw: [f64; 3] = std::array::from_fn(|k| b[k] * inv_z[k] * z);
            image.color[idx] = shade_fragment(tri, pw, surface, shading);
        }
    }
}

fn shade_fragment(
    tri: [&Vertex; 3],
    pw: [f64; 3],
    surface: &Surface<'_>,
    shading: MeshShading,
) -> [f32; 3] {
    let mix3 =
        |f: &dyn Fn(&Vertex) -> DVec3| f(tri[0]) * pw[0] + f(tri[1]) * pw[1] + f(tri[2]) * pw[2];
    let vertex_color = mix3(&|v| DVec3::new(v.color[0], v.color[1], v.color[2]));
    let base = surface.material.map_or([1.0; 3], |m| {
        let [r, g, b, _] = m.base_color_display();
        [r, g, b].map(srgb_decode)
    });
    let texel = match surface.texture {
        Some(t) => {
            let uv = tri[0].uv * pw[0] + tri[1].uv * pw[1] + tri[2].uv * pw[2];
            sample_bilinear_linear(t, uv)
        }
        None => [1.0; 3],
    };
    let albedo: [f32; 3] =
        std::array::from_fn(|c| base[c] * srgb_decode(vertex_color[c] as f32) * texel[c]);
    let normal = if surface.has_normals {
        mix3(&|v| v.normal)
            .try_normalize()
            .unwrap_or(surface.face_normal)
    } else {
        surface.face_normal
    };
    // The surface point in camera space; the camera is at the origin.
    let point = mix3(&|v| v.position);
    let to_camera = (-point).try_normalize().unwrap_or(DVec3::NEG_Z);
    shade(albedo, shading, normal.dot(to_camera) as f32)
}

/// Bilinear sample at `uv` (origin top-left, repeat wrapping) in linear values: the four
/// nearest texels are sRGB-decoded, then blended.
pub fn sample_bilinear_linear(texture: &TextureImage, uv: DVec2) -> [f32; 3] {
    let (w, h) = (
        f64::from(texture.width.max(1)),
        f64::from(texture.height.max(1)),
    );
    let x = uv.x * w - 0.5;
    let y = uv.y * h - 0.5;
    let (x0, y0) = (x.floor(), y.floor());
    let (tx, ty) = ((x - x0) as f32, (y - y0) as f32);
    let wrap = |v: f64, n: f64| v.rem_euclid(n) as i64;
    let fetch = |dx: f64, dy: f64| {
        let t = texture.texel(wrap(x0 + dx, w), wrap(y0 + dy, h));
        [t[0], t[1], t[2]].map(srgb_decode)
    };
    let (a, b, c, d) = (
        fetch(0.0, 0.0),
        fetch(1.0, 0.0),
        fetch(0.0, 1.0),
        fetch(1.0, 1.0),
    );
    std::array::from_fn(|k| {
        let top = a[k] + (b[k] - a[k]) * tx;
        let bottom = c[k] + (d[k] - c[k]) * tx;
        top + (bottom - top) * ty
    })
}
