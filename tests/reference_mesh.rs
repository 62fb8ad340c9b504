//! The CPU mesh reference (`reference::mesh`) on cases whose answer is known exactly:
//! coverage of a quad at a known depth, perspective-correct depth on a slanted plane,
//! back-face culling, occlusion order, shading, texture sampling and near clipping.

use std::sync::Arc;

use glam::{Mat4, Vec3};
use splatview::reference::mesh::{MeshImage, MeshRenderOptions, render_mesh_reference};
use splatview::scene::PinholeCamera;
use splatview::scene::mesh::shading::{HEADLIGHT_AMBIENT, MeshShading, srgb_encode};
use splatview::scene::mesh::{
    ColorEncoding, Material, Mesh, MeshFormat, MeshInstance, MeshObject, Primitive, TextureImage,
};

/// 100 x 100 pixels, f = 100, principal point at the centre, at the origin looking
/// along +z (OpenCV axes).
fn camera() -> PinholeCamera {
    PinholeCamera {
        fx: 100.0,
        fy: 100.0,
        cx: 50.0,
        cy: 50.0,
        width: 100,
        height: 100,
        world_from_camera: Mat4::IDENTITY,
    }
}

/// An object with one primitive and an optional material.
fn object(primitive: Primitive, material: Option<Material>) -> MeshObject {
    let mut o = MeshObject::new("test", MeshFormat::Ply);
    let mut primitive = primitive;
    if let Some(m) = material {
        o.materials.push(m);
        primitive.material = Some(0);
    }
    o.meshes.push(Mesh {
        name: "m".into(),
        primitives: vec![primitive],
    });
    o.instances.push(MeshInstance {
        name: "i".into(),
        mesh: 0,
        object_from_mesh: Mat4::IDENTITY,
    });
    o
}

/// A square of half-size `h` at depth `z`, facing the camera (counter-clockwise seen
/// from the camera: its right-hand normal points at it).
fn quad(h: f32, z: f32) -> Primitive {
    Primitive {
        // Camera space is x right, y down: seen from the camera, (-h,-h) is top-left.
        positions: vec![[-h, -h, z], [-h, h, z], [h, h, z], [h, -h, z]],
        indices: vec![0, 1, 2, 0, 2, 3],
        ..Default::default()
    }
}

fn render(objects: &[&MeshObject], options: MeshRenderOptions) -> MeshImage {
    render_mesh_reference(objects, &camera(), &options)
}

fn unlit() -> MeshRenderOptions {
    MeshRenderOptions {
        shading: MeshShading::Unlit,
        ..Default::default()
    }
}

fn covered(image: &MeshImage) -> usize {
    image.depth.iter().filter(|d| d.is_finite()).count()
}

#[test]
fn a_quad_at_known_depth_covers_the_expected_pixels() {
    // Corners project to 50 +- 100 * 0.5 / 2 = 25 and 75: pixel centres 25.5 .. 74.5.
    let o = object(quad(0.5, 2.0), None);
    let image = render(&[&o], unlit());
    assert_eq!(covered(&image), 50 * 50);
    for y in 0..100 {
        for x in 0..100 {
            let inside = (25..75).contains(&x) && (25..75).contains(&y);
            let d = image.depth[y * 100 + x];
            assert_eq!(d.is_finite(), inside, "pixel {x},{y}");
            if inside {
                assert_eq!(d, 2.0);
                assert!(
                    image.color[y * 100 + x]
                        .iter()
                        .all(|c| (c - 1.0).abs() < 1e-6)
                );
            } else {
                assert_eq!(image.color[y * 100 + x], [0.0; 3]);
            }
        }
    }
    // The shared diagonal is covered once: no pixel is missing along it.
    assert!((25..75).all(|i| image.depth[i * 100 + i].is_finite()));
}

#[test]
fn depth_is_perspective_correct_on_a_slanted_plane() {
    // The plane z = 2 + x: along the ray through pixel centre u (x = t z with
    // t = (u - 50) / 100) it is hit at z = 2 / (1 - t).
    let p = Primitive {
        positions: vec![
            [-1.0, -1.0, 1.0],
            [-1.0, 1.0, 1.0],
            [1.0, 1.0, 3.0],
            [1.0, -1.0, 3.0],
        ],
        indices: vec![0, 1, 2, 0, 2, 3],
        ..Default::default()
    };
    let image = render(&[&object(p, None)], unlit());
    for x in [10usize, 37, 50, 63, 70] {
        let t = (x as f64 + 0.5 - 50.0) / 100.0;
        let expected = 2.0 / (1.0 - t);
        let got = f64::from(image.depth[50 * 100 + x]);
        assert!((got - expected).abs() < 1e-5, "x {x}: {got} vs {expected}");
    }
}

#[test]
fn back_faces_are_culled_only_when_asked() {
    let mut back = quad(0.5, 2.0);
    back.indices = vec![0, 2, 1, 0, 3, 2];
    let o = object(back, None);
    assert_eq!(covered(&render(&[&o], unlit())), 2500);
    let culled = MeshRenderOptions {
        cull_back_faces: true,
        ..unlit()
    };
    assert_eq!(covered(&render(&[&o], culled)), 0);
    let front = object(quad(0.5, 2.0), None);
    assert_eq!(covered(&render(&[&front], culled)), 2500);
}

#[test]
fn the_nearest_surface_wins_in_any_order() {
    let red = Material {
        base_color: [1.0, 0.0, 0.0, 1.0],
        ..Default::default()
    };
    let blue = Material {
        base_color: [0.0, 0.0, 1.0, 1.0],
        ..Default::default()
    };
    let near = object(quad(0.25, 2.0), Some(red));
    let far = object(quad(0.5, 3.0), Some(blue));
    let close = |a: [f32; 3], b: [f32; 3]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6);
    for order in [[&near, &far], [&far, &near]] {
        let image = render(&order, unlit());
        assert!(close(image.color[50 * 100 + 50], [1.0, 0.0, 0.0]));
        assert_eq!(image.depth[50 * 100 + 50], 2.0);
        // Outside the near quad, the far one shows (its half-size 0.5 at z=3: 33..67).
        assert!(close(image.color[50 * 100 + 35], [0.0, 0.0, 1.0]));
        assert_eq!(image.depth[50 * 100 + 35], 3.0);
    }
}

#[test]
fn colours_follow_the_encoding_and_the_headlight() {
    // glTF-style linear base colour 0.5: displayed as sRGB-encoded 0.5 (0.7354).
    let linear = Material {
        base_color: [0.5, 0.5, 0.5, 1.0],
        base_color_encoding: ColorEncoding::Linear,
        ..Default::default()
    };
    let o = object(quad(0.5, 2.0), Some(linear));
    let c = render(&[&o], unlit()).color[50 * 100 + 50];
    assert!((c[0] - srgb_encode(0.5)).abs() < 1e-6, "{c:?}");
    // Lit, facing the camera at the image centre: almost the full albedo.
    let lit = render(&[&o], MeshRenderOptions::default()).color[50 * 100 + 50];
    assert!((lit[0] - c[0]).abs() < 1e-3, "{lit:?}");
    // A plane seen at 60 degrees (normal.view = 0.5) gets ambient + (1 - ambient) / 2.
    let (s, co) = (60f32.to_radians().sin(), 60f32.to_radians().cos());
    let tilted = Primitive {
        positions: [[-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, -1.0]]
            .map(|[u, v]| [u * co, v, 10.0 + u * s])
            .to_vec(),
        indices: vec![0, 1, 2, 0, 2, 3],
        ..Default::default()
    };
    let o = object(tilted, None);
    let lit = render(&[&o], MeshRenderOptions::default()).color[50 * 100 + 50];
    // n . v at the centre pixel: the ray through (50.5, 50.5) is 0.005 off the axis.
    let to_camera = -Vec3::new(0.005, 0.005, 1.0).normalize();
    let normal = Vec3::new(s, 0.0, -co);
    let cos = normal.dot(to_camera).abs();
    assert!((cos - 0.5).abs() < 0.01);
    let expected = srgb_encode(HEADLIGHT_AMBIENT + (1.0 - HEADLIGHT_AMBIENT) * cos);
    assert!((lit[0] - expected).abs() < 1e-4, "{lit:?} vs {expected}");
}

#[test]
fn vertex_colours_and_textures() {
    let mut p = quad(0.5, 2.0);
    p.colors = vec![[0.25, 0.5, 1.0, 1.0]; 4];
    let image = render(&[&object(p, None)], unlit());
    let c = image.color[50 * 100 + 50];
    assert!(
        (c[0] - 0.25).abs() < 1e-5 && (c[1] - 0.5).abs() < 1e-5,
        "{c:?}"
    );

    // A 2 x 2 texture magnified on the quad: the centre of each quarter shows its texel.
    let mut p = quad(0.5, 2.0);
    p.uvs = vec![[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]];
    let mut o = object(
        p,
        Some(Material {
            base_color_texture: Some(0),
            ..Default::default()
        }),
    );
    let texels = [
        [255, 0, 0, 255],
        [0, 255, 0, 255],
        [0, 0, 255, 255],
        [255, 255, 255, 255],
    ];
    o.textures.push(Arc::new(TextureImage {
        name: "checker".into(),
        width: 2,
        height: 2,
        rgba8: texels.concat(),
    }));
    let image = render(&[&o], unlit());
    // Quarter centres: texel (0,0) at pixel 37,37; (1,0) at 62,37; (0,1) 37,62; (1,1) 62,62.
    let at = |x: usize, y: usize| image.color[y * 100 + x].map(|v| (v * 255.0).round() as u8);
    assert_eq!(at(37, 37), [255, 0, 0]);
    assert_eq!(at(62, 37), [0, 255, 0]);
    assert_eq!(at(37, 62), [0, 0, 255]);
    assert_eq!(at(62, 62), [255, 255, 255]);
    // Half-way between red and green the blend is done in linear values: each channel
    // at linear 0.5, displayed as 0.7354.
    let mid = image.color[37 * 100 + 50];
    assert!((mid[0] - mid[1]).abs() < 0.08 && mid[0] > 0.6, "{mid:?}");
}

#[test]
fn triangles_crossing_the_near_plane_are_clipped() {
    // A floor below the camera from z = -5 to z = 20: only z >= near is drawn.
    let p = Primitive {
        positions: vec![
            [-5.0, 1.0, -5.0],
            [-5.0, 1.0, 20.0],
            [5.0, 1.0, 20.0],
            [5.0, 1.0, -5.0],
        ],
        indices: vec![0, 1, 2, 0, 2, 3],
        ..Default::default()
    };
    let image = render(&[&object(p, None)], unlit());
    assert!(covered(&image) > 1000);
    let nearest = image.depth.iter().copied().fold(f32::INFINITY, f32::min);
    assert!(nearest >= 0.2 - 1e-6, "{nearest}");
    // The floor at y = 1 is seen below the horizon row only.
    assert!((0..50).all(|y| (0..100).all(|x| image.depth[y * 100 + x].is_infinite())));
}

#[test]
fn instances_and_object_transforms_move_the_geometry() {
    let mut o = object(quad(0.5, 0.0), None);
    o.instances[0].object_from_mesh = Mat4::from_translation(Vec3::new(0.0, 0.0, 1.0));
    o.world_from_object = Mat4::from_translation(Vec3::new(0.0, 0.0, 1.0));
    let image = render(&[&o], unlit());
    assert_eq!(covered(&image), 2500);
    assert_eq!(image.depth[50 * 100 + 50], 2.0);
}
