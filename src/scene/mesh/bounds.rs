//! World-space bounds of a mesh object, to frame the view.
//!
//! Meshes are modelled, not captured, so their bounds are the exact box around the
//! transformed vertices of every drawn instance. Point clouds from reconstructions
//! carry stray points like splat scenes do, so theirs are the robust percentile bounds
//! of [`SceneBounds::robust_from_points`].

use glam::Vec3;

use super::MeshObject;
use crate::scene::SceneBounds;

impl MeshObject {
    /// Bounds in world space (after `world_from_object`) of the vertices that are
    /// drawn and of the point clouds; non-finite values are ignored. `None` when the
    /// object has nothing to draw.
    pub fn world_bounds(&self) -> Option<SceneBounds> {
        self.bounds_under(self.world_from_object)
    }

    /// [`Self::world_bounds`] as if the object were placed by `world_from_object`.
    pub fn bounds_under(&self, world_from_object: glam::Mat4) -> Option<SceneBounds> {
        let mut min = Vec3::splat(f32::INFINITY);
        let mut max = Vec3::splat(f32::NEG_INFINITY);
        let primitives = self.instances.iter().flat_map(|inst| {
            let world_from_mesh = world_from_object * inst.object_from_mesh;
            self.meshes
                .get(inst.mesh)
                .into_iter()
                .flat_map(|m| &m.primitives)
                .map(move |p| (world_from_mesh, p))
        });
        for (world_from_mesh, primitive) in primitives {
            // Only referenced vertices count: an index list may use a part of them.
            for &i in &primitive.indices {
                if let Some(p) = primitive.positions.get(i as usize) {
                    let w = world_from_mesh.transform_point3(Vec3::from_array(*p));
                    if w.is_finite() {
                        min = min.min(w);
                        max = max.max(w);
                    }
                }
            }
        }
        let mut bounds = (min.cmple(max).all()).then_some(SceneBounds { min, max });
        for cloud in &self.point_clouds {
            let points = cloud
                .positions
                .iter()
                .map(|p| world_from_object.transform_point3(Vec3::from_array(*p)));
            if let Some(b) = SceneBounds::robust_from_points(points) {
                bounds = Some(bounds.map_or(b, |a| a.union(&b)));
            }
        }
        bounds
    }
}

#[cfg(test)]
mod tests {
    use glam::Mat4;

    use super::*;
    use crate::scene::mesh::{Mesh, MeshFormat, MeshInstance, PointCloud, Primitive};

    #[test]
    fn bounds_follow_instances_and_the_object_transform() {
        let mut object = MeshObject::new("t", MeshFormat::Gltf);
        object.meshes.push(Mesh {
            name: "tri".into(),
            primitives: vec![Primitive {
                // The unused far vertex must not count.
                positions: vec![[0.0; 3], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [99.0; 3]],
                indices: vec![0, 1, 2],
                ..Default::default()
            }],
        });
        assert!(object.world_bounds().is_none());
        object.instances.push(MeshInstance {
            name: "a".into(),
            mesh: 0,
            object_from_mesh: Mat4::from_translation(Vec3::new(0.0, 0.0, 5.0)),
        });
        object.world_from_object = Mat4::from_scale(Vec3::splat(2.0));
        let b = object.world_bounds().expect("bounds");
        assert_eq!(b.min, Vec3::new(0.0, 0.0, 10.0));
        assert_eq!(b.max, Vec3::new(2.0, 4.0, 10.0));

        object.point_clouds.push(PointCloud {
            name: "p".into(),
            positions: vec![[-1.0, 0.0, 0.0]],
            colors: vec![[1.0; 3]],
        });
        let b = object.world_bounds().expect("bounds");
        assert_eq!(b.min, Vec3::new(-2.0, 0.0, 0.0));
    }
}
