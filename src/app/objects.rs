//! The objects of the window's scene as the UI sees them: one entry per loaded
//! file (splats, a mesh or a point cloud) with its placement, visibility and
//! memory. No wgpu types and no scene data: the GPU side (`app::object_sync`)
//! reads these entries each frame and follows them.
//!
//! Bounds: an entry keeps the bounds of its content in object space (robust
//! bounds for splats and point clouds, exact for meshes) and its world bounds
//! are the box around the 8 placed corners. For splats this is exactly
//! `scene::objects::SceneObject::world_bounds`; for meshes it equals
//! `MeshObject::bounds_under` when the placement does not rotate (translation
//! and scale map boxes to boxes) and encloses it otherwise.

use std::path::PathBuf;

use glam::{EulerRot, Quat, Vec3};

use crate::scene::mesh::MeshFormat;
use crate::scene::{AaHint, SceneBounds, Similarity};
use crate::text::group_digits;

/// Identifies an object for the lifetime of the window.
pub type ObjectId = u64;

/// What an object is.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjectKind {
    Splats {
        format: String,
        count: usize,
        sh_degree: u32,
        /// The anti-aliasing mode the file asks for, and why.
        aa: AaHint,
    },
    Mesh {
        format: MeshFormat,
        triangles: usize,
        points: usize,
    },
}

impl ObjectKind {
    pub fn is_splats(&self) -> bool {
        matches!(self, Self::Splats { .. })
    }

    /// "90,854 splats (SH 0)" / "75,730 triangles" / "70,051 points".
    pub fn summary(&self) -> String {
        match self {
            Self::Splats {
                count, sh_degree, ..
            } => format!("{} splats (SH {sh_degree})", group_digits(*count as u64)),
            Self::Mesh {
                triangles, points, ..
            } => match (*triangles, *points) {
                (0, p) => format!("{} points", group_digits(p as u64)),
                (t, 0) => format!("{} triangles", group_digits(t as u64)),
                (t, p) => format!(
                    "{} triangles, {} points",
                    group_digits(t as u64),
                    group_digits(p as u64)
                ),
            },
        }
    }
}

/// One object in the scene panel.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectEntry {
    pub id: ObjectId,
    pub name: String,
    pub path: PathBuf,
    pub kind: ObjectKind,
    /// Bounds in object space (see the module docs).
    pub local_bounds: Option<SceneBounds>,
    /// World from object.
    pub placement: Similarity,
    /// The rotation as the user typed it: X, Y, Z Euler angles in degrees
    /// (applied in that order), kept so that the fields do not jump between
    /// equivalent angles.
    pub rotation_degrees: [f32; 3],
    pub visible: bool,
    /// CPU memory the viewer holds for it (a splat object's copy, kept only
    /// while several objects or a placement need it).
    pub cpu_bytes: u64,
    /// GPU memory of its resident data (splats: its share of the scene's
    /// buffers).
    pub gpu_bytes: u64,
}

impl ObjectEntry {
    pub fn new(
        id: ObjectId,
        path: PathBuf,
        kind: ObjectKind,
        local_bounds: Option<SceneBounds>,
    ) -> Self {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Self {
            id,
            name,
            path,
            kind,
            local_bounds,
            placement: Similarity::IDENTITY,
            rotation_degrees: [0.0; 3],
            visible: true,
            cpu_bytes: 0,
            gpu_bytes: 0,
        }
    }

    /// World bounds under the placement (the box around the placed corners).
    pub fn world_bounds(&self) -> Option<SceneBounds> {
        let bounds = self.local_bounds?;
        Some(placed_box(&bounds, &self.placement))
    }

    /// Sets the rotation from X, Y, Z Euler angles in degrees.
    pub fn set_rotation_degrees(&mut self, degrees: [f32; 3]) {
        self.rotation_degrees = degrees;
        let [x, y, z] = degrees.map(f32::to_radians);
        self.placement.rotation = Quat::from_euler(EulerRot::XYZ, x, y, z).normalize();
    }

    /// Back to where it was loaded.
    pub fn reset_placement(&mut self) {
        self.placement = Similarity::IDENTITY;
        self.rotation_degrees = [0.0; 3];
    }
}

/// The box around `bounds`' 8 corners moved by `placement`.
pub fn placed_box(bounds: &SceneBounds, placement: &Similarity) -> SceneBounds {
    let corners = (0..8).map(|i| {
        let pick = |bit: u32, lo: f32, hi: f32| if i & bit == 0 { lo } else { hi };
        placement.transform_point(Vec3::new(
            pick(1, bounds.min.x, bounds.max.x),
            pick(2, bounds.min.y, bounds.max.y),
            pick(4, bounds.min.z, bounds.max.z),
        ))
    });
    let (min, max) = corners.fold((Vec3::INFINITY, Vec3::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p), hi.max(p))
    });
    SceneBounds { min, max }
}

/// Bounds of every visible object (what "Frame scene" frames).
pub fn visible_bounds(entries: &[ObjectEntry]) -> Option<SceneBounds> {
    entries
        .iter()
        .filter(|e| e.visible)
        .filter_map(ObjectEntry::world_bounds)
        .reduce(|a, b| a.union(&b))
}

/// Whether the splat objects can be drawn straight from one uploaded cloud (at
/// most one splat object, not moved): otherwise the GPU scene is built from CPU
/// copies of every splat object (`SceneObjects::combined_splats`).
pub fn splats_need_copies(entries: &[ObjectEntry]) -> bool {
    let mut splats = entries.iter().filter(|e| e.kind.is_splats());
    match (splats.next(), splats.next()) {
        (Some(only), None) => only.placement != Similarity::IDENTITY,
        (None, _) => false,
        (Some(_), Some(_)) => true,
    }
}

impl super::state::AppState {
    /// Bounds of every visible object; the scene summary's bounds when no
    /// object is listed.
    pub fn scene_bounds(&self) -> Option<SceneBounds> {
        if self.objects.is_empty() {
            self.scene.as_ref().and_then(|s| s.bounds)
        } else {
            visible_bounds(&self.objects)
        }
    }

    /// A new object id.
    pub fn new_object_id(&mut self) -> ObjectId {
        let id = self.next_object_id;
        self.next_object_id += 1;
        id
    }

    pub fn object(&self, id: ObjectId) -> Option<&ObjectEntry> {
        self.objects.iter().find(|e| e.id == id)
    }

    pub fn object_mut(&mut self, id: ObjectId) -> Option<&mut ObjectEntry> {
        self.objects.iter_mut().find(|e| e.id == id)
    }

    /// Takes the object out of the scene (the GPU side drops it on the next
    /// frame).
    pub fn remove_object(&mut self, id: ObjectId) {
        self.objects.retain(|e| e.id != id);
        self.summarize_objects();
    }

    /// The scene summary from the objects: the first object's file and format,
    /// every object's splats, the bounds of the visible ones, all GPU memory.
    /// No objects: no scene.
    pub fn summarize_objects(&mut self) {
        let Some(first) = self.objects.first() else {
            self.scene = None;
            return;
        };
        let splats = self.objects.iter().filter_map(|e| match &e.kind {
            ObjectKind::Splats {
                count,
                sh_degree,
                aa,
                ..
            } => Some((*count, *sh_degree, aa)),
            ObjectKind::Mesh { .. } => None,
        });
        let (mut count, mut sh_degree, mut aa_hint) = (0, 0, AaHint::default());
        for (i, (n, degree, aa)) in splats.enumerate() {
            count += n;
            sh_degree = sh_degree.max(degree);
            if i == 0 {
                aa_hint = aa.clone();
            }
        }
        let format = match &first.kind {
            ObjectKind::Splats { format, .. } => format.clone(),
            ObjectKind::Mesh { format, .. } => format.name().to_owned(),
        };
        let name = match self.objects.len() {
            1 => first.name.clone(),
            n => format!("{} + {} more", first.name, n - 1),
        };
        let info = super::state::SceneInfo {
            path: first.path.clone(),
            name,
            format,
            splat_count: count,
            sh_degree,
            aa: aa_hint,
            bounds: visible_bounds(&self.objects),
            gpu_bytes: Some(self.objects.iter().map(|e| e.gpu_bytes).sum()),
        };
        self.scene = Some(info);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::SplatCloud;
    use crate::scene::objects::{ObjectContent, SceneObject};

    fn splat_entry(id: ObjectId, bounds: SceneBounds) -> ObjectEntry {
        ObjectEntry::new(
            id,
            format!("/x/{id}.ply").into(),
            ObjectKind::Splats {
                format: "3DGS PLY".into(),
                count: 10,
                sh_degree: 0,
                aa: AaHint::default(),
            },
            Some(bounds),
        )
    }

    #[test]
    fn placed_bounds_equal_the_scene_objects_rule() {
        let mut cloud = SplatCloud::zeroed(400, 0);
        for (i, p) in cloud.positions.iter_mut().enumerate() {
            let t = i as f32;
            *p = [t.sin() * 3.0, (t * 0.7).cos(), t * 0.01 - 1.0];
        }
        let mut object = SceneObject::new("/x/a.ply".into(), ObjectContent::Splats(cloud.clone()));
        let mut entry = splat_entry(1, SceneBounds::robust(&cloud).expect("bounds"));
        entry.placement.translation = Vec3::new(1.0, -2.0, 0.5);
        entry.placement.scale = 2.0;
        entry.set_rotation_degrees([10.0, 45.0, -30.0]);
        object.placement = entry.placement;
        let (a, b) = (
            entry.world_bounds().expect("bounds"),
            object.world_bounds().expect("bounds"),
        );
        assert!(
            a.min.abs_diff_eq(b.min, 1e-5) && a.max.abs_diff_eq(b.max, 1e-5),
            "{a:?} vs {b:?}"
        );
        entry.visible = false;
        assert_eq!(visible_bounds(&[entry]), None);
    }

    #[test]
    fn copies_are_needed_for_several_splat_objects_or_a_placement() {
        let unit = SceneBounds {
            min: Vec3::ZERO,
            max: Vec3::ONE,
        };
        let mut one = splat_entry(1, unit);
        assert!(!splats_need_copies(std::slice::from_ref(&one)));
        let mesh = ObjectEntry::new(
            2,
            "/x/m.obj".into(),
            ObjectKind::Mesh {
                format: MeshFormat::Obj,
                triangles: 12,
                points: 0,
            },
            Some(unit),
        );
        assert!(!splats_need_copies(&[one.clone(), mesh.clone()]));
        assert!(splats_need_copies(&[one.clone(), splat_entry(3, unit)]));
        one.placement.scale = 2.0;
        assert!(splats_need_copies(&[one.clone(), mesh]));
        one.reset_placement();
        assert!(!splats_need_copies(&[one]));
    }

    #[test]
    fn summaries_group_digits() {
        assert_eq!(group_digits(1_234_567), "1,234,567");
        assert_eq!(group_digits(999), "999");
        let kind = ObjectKind::Mesh {
            format: MeshFormat::Ply,
            triangles: 0,
            points: 70_051,
        };
        assert_eq!(kind.summary(), "70,051 points");
    }
}
