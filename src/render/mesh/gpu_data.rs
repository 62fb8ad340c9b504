//! GPU layouts of the mesh pass (`#[repr(C)]` Pod, shared with shaders/mesh.wgsl)
//! and the camera projection it uses.

use glam::{Mat3, Mat4};

use crate::scene::PinholeCamera;
use crate::scene::mesh::shading::HEADLIGHT_AMBIENT;

/// One vertex: position and normal in mesh space (normal zero: the triangle's
/// own), UV, colour as display values. 36 bytes. Keep in sync with `VertexIn` in
/// shaders/mesh.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MeshVertex {
    pub position: [f32; 3],
    pub normal: [f32; 3],
    pub uv: [f32; 2],
    pub color: [u8; 4],
}
const _: () = assert!(size_of::<MeshVertex>() == 36);

/// One point of a point cloud: world position (object space) and display colour.
/// Keep in sync with `PointIn` in shaders/mesh.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct PointVertex {
    pub position: [f32; 3],
    pub color: [u8; 4],
}
const _: () = assert!(size_of::<PointVertex>() == 16);

/// The camera of one view's mesh pass. Keep in sync with `MeshView` in
/// shaders/mesh.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MeshViewUniforms {
    pub view_from_world: [[f32; 4]; 4],
    /// xyz: camera centre in world space.
    pub camera_position: [f32; 4],
    /// fx, fy, cx, cy in pixels.
    pub intrinsics: [f32; 4],
    /// width, height, near plane, point size in pixels.
    pub viewport: [f32; 4],
    /// Wireframe colour (display values).
    pub wire_color: [f32; 4],
    /// x: 1 lit (headlight), 0 unlit; y: headlight ambient share.
    pub shading: [f32; 4],
}
const _: () = assert!(size_of::<MeshViewUniforms>() == 144);

impl MeshViewUniforms {
    pub fn new(camera: &PinholeCamera, near_plane: f32, params: &super::MeshParams) -> Self {
        Self {
            view_from_world: camera.view_from_world().to_cols_array_2d(),
            camera_position: camera.position().extend(1.0).to_array(),
            intrinsics: [camera.fx, camera.fy, camera.cx, camera.cy],
            viewport: [
                camera.width as f32,
                camera.height as f32,
                near_plane,
                params.point_size_px.max(0.5),
            ],
            wire_color: [
                params.wire_color[0],
                params.wire_color[1],
                params.wire_color[2],
                1.0,
            ],
            shading: [
                if params.shading == crate::scene::mesh::shading::MeshShading::Lit {
                    1.0
                } else {
                    0.0
                },
                HEADLIGHT_AMBIENT,
                0.0,
                0.0,
            ],
        }
    }
}

/// One draw (a primitive of an instance): its transforms and material. Stored
/// 256 bytes apart (dynamic uniform offsets). Keep in sync with `MeshDraw` in
/// shaders/mesh.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MeshDrawUniforms {
    pub world_from_mesh: [[f32; 4]; 4],
    /// Inverse transpose of the 3x3 part of `world_from_mesh`, as three columns.
    pub normal_from_mesh: [[f32; 4]; 3],
    /// Linear RGB base colour (alpha unused: meshes are opaque).
    pub base_color: [f32; 4],
    /// x: has normals, y: has vertex colours, z: has a texture and UVs.
    pub flags: [u32; 4],
}
const _: () = assert!(size_of::<MeshDrawUniforms>() == 144);

/// Bytes between two draws' uniforms (the dynamic-offset alignment).
pub const DRAW_STRIDE: u64 = 256;

impl MeshDrawUniforms {
    pub fn new(world_from_mesh: Mat4, base_color: [f32; 3], flags: [bool; 3]) -> Self {
        let normal = Mat3::from_mat4(world_from_mesh);
        let normal = if normal.determinant().abs() > f32::MIN_POSITIVE {
            normal.inverse().transpose()
        } else {
            Mat3::IDENTITY
        };
        let column = |c: glam::Vec3| [c.x, c.y, c.z, 0.0];
        Self {
            world_from_mesh: world_from_mesh.to_cols_array_2d(),
            normal_from_mesh: [
                column(normal.x_axis),
                column(normal.y_axis),
                column(normal.z_axis),
            ],
            base_color: [base_color[0], base_color[1], base_color[2], 1.0],
            flags: [
                u32::from(flags[0]),
                u32::from(flags[1]),
                u32::from(flags[2]),
                0,
            ],
        }
    }
}
