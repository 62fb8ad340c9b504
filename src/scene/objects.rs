//! The objects of a scene: splat clouds and mesh (or point-cloud) objects, each
//! with a placement and a visibility. Splats of every visible splat object are
//! drawn as one cloud (they must be sorted together to blend right), with each
//! object's placement baked in; meshes are drawn per object.

use std::path::PathBuf;

use super::{AaMode, SceneBounds, Similarity, SplatCloud};
use crate::scene::mesh::MeshObject;

/// What an object holds.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjectContent {
    Splats(SplatCloud),
    Mesh(MeshObject),
}

/// One loaded file in a scene.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneObject {
    pub name: String,
    pub path: PathBuf,
    /// World from object (identity when loaded). For meshes it is also their
    /// `world_from_object`.
    pub placement: Similarity,
    pub visible: bool,
    pub content: ObjectContent,
}

impl SceneObject {
    pub fn new(path: PathBuf, content: ObjectContent) -> Self {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Self {
            name,
            path,
            placement: Similarity::IDENTITY,
            visible: true,
            content,
        }
    }

    /// World-space bounds after the placement: robust bounds for splats, exact
    /// for meshes (robust for point clouds).
    pub fn world_bounds(&self) -> Option<SceneBounds> {
        match &self.content {
            ObjectContent::Splats(cloud) => {
                let bounds = SceneBounds::robust(cloud)?;
                let corners = (0..8).map(|i| {
                    let pick = |bit: u32, lo: f32, hi: f32| if i & bit == 0 { lo } else { hi };
                    self.placement.transform_point(glam::Vec3::new(
                        pick(1, bounds.min.x, bounds.max.x),
                        pick(2, bounds.min.y, bounds.max.y),
                        pick(4, bounds.min.z, bounds.max.z),
                    ))
                });
                let (min, max) = corners.fold(
                    (glam::Vec3::INFINITY, glam::Vec3::NEG_INFINITY),
                    |(lo, hi), p| (lo.min(p), hi.max(p)),
                );
                Some(SceneBounds { min, max })
            }
            ObjectContent::Mesh(mesh) => mesh.bounds_under(self.placement.to_mat4()),
        }
    }
}

/// The objects of one scene.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SceneObjects {
    pub objects: Vec<SceneObject>,
}

impl SceneObjects {
    /// Bounds of every visible object (what "Frame scene" frames).
    pub fn bounds(&self) -> Option<SceneBounds> {
        self.objects
            .iter()
            .filter(|o| o.visible)
            .filter_map(SceneObject::world_bounds)
            .reduce(|a, b| a.union(&b))
    }

    /// Every visible splat object, placed, in one cloud (SH degree: the
    /// highest of them; missing bands are zero). `None` when there is none.
    pub fn combined_splats(&self) -> Option<SplatCloud> {
        let clouds: Vec<(&SplatCloud, &Similarity)> = self
            .objects
            .iter()
            .filter(|o| o.visible)
            .filter_map(|o| match &o.content {
                ObjectContent::Splats(cloud) => Some((cloud, &o.placement)),
                ObjectContent::Mesh(_) => None,
            })
            .collect();
        let degree = clouds.iter().map(|(c, _)| c.sh_degree).max()?;
        let mut combined = SplatCloud::new(degree);
        combined.reserve(clouds.iter().map(|(c, _)| c.len()).sum());
        for (cloud, placement) in clouds {
            let mut placed = if cloud.sh_degree == degree {
                cloud.clone()
            } else {
                cloud.with_sh_degree(degree)
            };
            if *placement != Similarity::IDENTITY {
                placement.apply_to_splats(&mut placed);
            }
            // The first object whose file asks for a mode other than classic
            // decides for all (one cloud is drawn in one mode).
            if combined.aa_hint.mode == AaMode::Classic && placed.aa_hint.mode != AaMode::Classic {
                combined.set_aa_hint(placed.aa_hint.clone());
            }
            combined.append(&placed);
        }
        Some(combined)
    }

    /// Visible mesh objects with their placement applied.
    pub fn placed_meshes(&self) -> impl Iterator<Item = MeshObject> + '_ {
        self.objects
            .iter()
            .filter(|o| o.visible)
            .filter_map(|o| match &o.content {
                ObjectContent::Mesh(mesh) => {
                    let mut placed = mesh.clone();
                    placed.world_from_object = o.placement.to_mat4();
                    Some(placed)
                }
                ObjectContent::Splats(_) => None,
            })
    }

    /// Splats in all splat objects.
    pub fn splat_count(&self) -> usize {
        self.objects
            .iter()
            .map(|o| match &o.content {
                ObjectContent::Splats(cloud) => cloud.len(),
                ObjectContent::Mesh(_) => 0,
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::AaHint;

    fn splats(mode: AaMode) -> SceneObject {
        let mut cloud = SplatCloud::new(0);
        cloud.positions.push([0.0; 3]);
        cloud.log_scales.push([0.0; 3]);
        cloud.rotations.push([1.0, 0.0, 0.0, 0.0]);
        cloud.opacity_logits.push(0.0);
        cloud.sh_dc.push([0.0; 3]);
        cloud.set_aa_hint(AaHint::new(mode, mode.name()));
        SceneObject::new(PathBuf::from("a.ply"), ObjectContent::Splats(cloud))
    }

    #[test]
    fn the_combined_cloud_takes_the_first_mode_other_than_classic() {
        let objects = |modes: &[AaMode]| SceneObjects {
            objects: modes.iter().map(|&m| splats(m)).collect(),
        };
        let combined = |modes: &[AaMode]| objects(modes).combined_splats().map(|c| c.aa_hint);
        assert_eq!(
            combined(&[AaMode::Classic, AaMode::Mip, AaMode::Antialiased]),
            Some(AaHint::new(AaMode::Mip, "mip"))
        );
        assert_eq!(
            combined(&[AaMode::Classic, AaMode::Classic]).map(|h| h.mode),
            Some(AaMode::Classic)
        );
        let mut hidden = objects(&[AaMode::Analytic, AaMode::Classic]);
        hidden.objects[0].visible = false;
        let hint = hidden.combined_splats().map(|c| c.aa_hint.mode);
        assert_eq!(hint, Some(AaMode::Classic));
    }
}
