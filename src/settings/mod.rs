//! User settings that persist between runs: camera mode and speeds, up axis, LOD,
//! recent files, window size, screenshot size, mesh drawing, the compare view.
//!
//! Stored as JSON in the platform config directory (`dirs::config_dir()`, e.g.
//! `~/.config/splatview/settings.json` on Linux); `SPLATVIEW_CONFIG_DIR` overrides the
//! directory (tests and portable installs). Unknown or missing fields fall back to
//! their defaults, so old files keep working.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod compare;
pub mod hierarchy;
pub mod lod;
pub mod mesh;

pub use compare::{CompareLayout, CompareSettings, DiffMap};
pub use hierarchy::HierarchySettings;
pub use lod::LodSettings;
pub use mesh::{MeshSettings, ShadingSetting};

use crate::controls::orbit::DEFAULT_FOV_Y_DEGREES;
use crate::controls::{CameraMode, UpAxis};

/// How many recent files the File menu keeps.
pub const MAX_RECENT: usize = 10;

/// Size of screenshots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenshotSize {
    /// The window's size.
    #[default]
    Window,
    /// 3840 x 2160.
    Uhd4k,
    /// Any size.
    Custom { width: u32, height: u32 },
}

impl ScreenshotSize {
    /// Pixel size for a window of `window` pixels.
    pub fn pixels(self, window: (u32, u32)) -> (u32, u32) {
        match self {
            ScreenshotSize::Window => window,
            ScreenshotSize::Uhd4k => (3840, 2160),
            ScreenshotSize::Custom { width, height } => {
                (width.clamp(1, 16384), height.clamp(1, 16384))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub camera_mode: CameraMode,
    pub up_axis: UpAxis,
    /// Fly speed, scene radii per second.
    pub fly_speed: f32,
    pub fov_y_degrees: f32,
    /// Half-life of camera smoothing, seconds (0 = none).
    pub smoothing_s: f32,
    pub lod: LodSettings,
    pub background: [f32; 3],
    /// Most recent first.
    pub recent_files: Vec<PathBuf>,
    pub window_size: [u32; 2],
    pub screenshot_size: ScreenshotSize,
    /// Where screenshots go (`None`: [`default_screenshot_dir`]).
    pub screenshot_dir: Option<PathBuf>,
    pub show_overlay: bool,
    pub show_frusta: bool,
    /// Depth of the training-camera frusta, as a fraction of the scene radius.
    pub frustum_size: f32,
    /// Frame rate of exported videos.
    pub video_fps: u32,
    /// Folders files were picked in (the in-app file browser lists them), most
    /// recent first.
    pub recent_folders: Vec<PathBuf>,
    /// How meshes and point clouds are drawn.
    pub mesh: MeshSettings,
    /// The compare view (layout, divider, flicker, difference map, B's settings).
    pub compare: CompareSettings,
    /// Hierarchical level of detail (the LOD panel).
    pub hierarchy: HierarchySettings,
}

/// Default `frustum_size`: an eighth of the scene radius, large enough to see
/// from the default view (a fixed 4% drew them 3-5 pixels tall).
pub const DEFAULT_FRUSTUM_SIZE: f32 = 0.125;

/// The folder screenshots go to by default: `splatview` in the platform's
/// pictures folder (`dirs::picture_dir()`: XDG_PICTURES_DIR on Linux,
/// ~/Pictures on macOS, the Pictures known folder on Windows), else in
/// `~/Pictures`, else in the current directory. Created when a shot is taken.
pub fn default_screenshot_dir() -> PathBuf {
    screenshot_dir_from(dirs::picture_dir(), dirs::home_dir())
}

/// [`default_screenshot_dir`] for given pictures and home folders.
pub fn screenshot_dir_from(pictures: Option<PathBuf>, home: Option<PathBuf>) -> PathBuf {
    pictures
        .or_else(|| home.map(|h| h.join("Pictures")))
        .unwrap_or_default()
        .join("splatview")
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            camera_mode: CameraMode::Orbit,
            up_axis: UpAxis::NegY,
            fly_speed: 0.5,
            fov_y_degrees: DEFAULT_FOV_Y_DEGREES,
            smoothing_s: 0.06,
            lod: LodSettings::default(),
            background: [0.0; 3],
            recent_files: Vec::new(),
            window_size: [1280, 720],
            screenshot_size: ScreenshotSize::Window,
            screenshot_dir: None,
            show_overlay: true,
            show_frusta: true,
            frustum_size: DEFAULT_FRUSTUM_SIZE,
            video_fps: 30,
            recent_folders: Vec::new(),
            mesh: MeshSettings::default(),
            compare: CompareSettings::default(),
            hierarchy: HierarchySettings::default(),
        }
    }
}

/// Why settings could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{path}: cannot read or write settings: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: settings are not valid JSON ({source}); using defaults")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("no configuration directory on this platform (set SPLATVIEW_CONFIG_DIR)")]
    NoConfigDir,
}

impl Settings {
    /// `<config dir>/splatview/settings.json`, or `$SPLATVIEW_CONFIG_DIR/settings.json`.
    pub fn default_path() -> Result<PathBuf, SettingsError> {
        let dir = match std::env::var_os("SPLATVIEW_CONFIG_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => dirs::config_dir()
                .ok_or(SettingsError::NoConfigDir)?
                .join("splatview"),
        };
        Ok(dir.join("settings.json"))
    }

    /// Reads settings; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(SettingsError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let settings: Settings =
            serde_json::from_str(&text).map_err(|source| SettingsError::Json {
                path: path.to_owned(),
                source,
            })?;
        Ok(settings.sanitized())
    }

    /// Writes settings atomically (temporary file, then rename), creating the folder.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let io = |source| SettingsError::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Every value in range (the file may have been edited by hand).
    pub fn sanitized(mut self) -> Self {
        let d = Self::default();
        if !(self.fly_speed.is_finite() && self.fly_speed > 0.0) {
            self.fly_speed = d.fly_speed;
        }
        if !(self.fov_y_degrees.is_finite() && (5.0..=150.0).contains(&self.fov_y_degrees)) {
            self.fov_y_degrees = d.fov_y_degrees;
        }
        if !(self.smoothing_s.is_finite() && (0.0..=2.0).contains(&self.smoothing_s)) {
            self.smoothing_s = d.smoothing_s;
        }
        self.lod = self.lod.clamped();
        for c in &mut self.background {
            *c = if c.is_finite() {
                c.clamp(0.0, 1.0)
            } else {
                0.0
            };
        }
        self.recent_files.truncate(MAX_RECENT);
        self.recent_folders.truncate(MAX_RECENT);
        if !(self.frustum_size.is_finite() && (0.005..=2.0).contains(&self.frustum_size)) {
            self.frustum_size = d.frustum_size;
        }
        self.video_fps = self.video_fps.clamp(1, 240);
        self.mesh = self.mesh.clamped();
        self.compare = self.compare.clamped();
        self.hierarchy = self.hierarchy.clamped();
        self.window_size = [
            self.window_size[0].clamp(200, 16384),
            self.window_size[1].clamp(150, 16384),
        ];
        self
    }

    /// Puts `dir` at the front of the recent folders.
    pub fn add_recent_folder(&mut self, dir: &Path) {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
        self.recent_folders.retain(|p| p != &dir);
        self.recent_folders.insert(0, dir);
        self.recent_folders.truncate(MAX_RECENT);
    }

    /// Puts `path` at the front of the recent files.
    pub fn add_recent(&mut self, path: &Path) {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        self.recent_files.retain(|p| p != &path);
        self.recent_files.insert(0, path);
        self.recent_files.truncate(MAX_RECENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("splatview-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn round_trip() {
        let dir = temp_dir("settings");
        let path = dir.join("nested/settings.json");
        let mut s = Settings {
            camera_mode: CameraMode::Fly,
            up_axis: UpAxis::PosZ,
            fly_speed: 2.5,
            fov_y_degrees: 70.0,
            smoothing_s: 0.0,
            lod: LodSettings {
                sh_degree_cap: 1,
                splat_budget: Some(500_000),
                min_splat_px: 0.5,
                opacity_cutoff: 0.02,
                resolution_scale: 0.5,
                near_plane: 0.05,
                far_plane: Some(250.0),
                raster: crate::render::Raster::Compute,
                tile_size: crate::render::TileSize::Sixteen,
                aa: crate::scene::AaChoice::Mip,
                sort_key_bits: 16,
                fast_blend: true,
            },
            hierarchy: HierarchySettings {
                enabled: true,
                budget: Some(40_000),
                threshold_px: 3.5,
                memory_budget_mib: Some(256),
                freeze: true,
                color_by_level: true,
                occlusion: false,
            },
            background: [1.0, 0.5, 0.0],
            window_size: [1600, 900],
            screenshot_size: ScreenshotSize::Custom {
                width: 1000,
                height: 500,
            },
            screenshot_dir: Some("/tmp/shots".into()),
            show_overlay: false,
            show_frusta: false,
            frustum_size: 0.3,
            video_fps: 24,
            recent_folders: vec!["/data".into()],
            recent_files: vec![],
            mesh: MeshSettings {
                shading: ShadingSetting::Unlit,
                cull_back_faces: true,
                wireframe: true,
                point_size_px: 5.0,
            },
            compare: CompareSettings {
                layout: CompareLayout::Difference,
                split_vertical: false,
                split_position: 0.3,
                flicker_hz: 4.0,
                diff_map: DiffMap::Flip,
                diff_scale: 0.1,
                lock_cameras: false,
                live_metrics: false,
                b_lod: LodSettings {
                    splat_budget: Some(1000),
                    ..LodSettings::default()
                },
            },
        };
        s.add_recent(Path::new("/data/a.ply"));
        s.add_recent(Path::new("/data/b.ply"));
        s.add_recent(Path::new("/data/a.ply"));
        assert_eq!(
            s.recent_files,
            vec![PathBuf::from("/data/a.ply"), PathBuf::from("/data/b.ply")]
        );
        s.save(&path).expect("save");
        assert_eq!(Settings::load(&path).expect("load"), s);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn screenshots_default_to_the_pictures_folder() {
        assert_eq!(
            screenshot_dir_from(Some("/home/u/Bilder".into()), Some("/home/u".into())),
            PathBuf::from("/home/u/Bilder/splatview")
        );
        assert_eq!(
            screenshot_dir_from(None, Some("/home/u".into())),
            PathBuf::from("/home/u/Pictures/splatview")
        );
        assert_eq!(screenshot_dir_from(None, None), PathBuf::from("splatview"));
        let s = Settings {
            frustum_size: f32::NAN,
            video_fps: 0,
            ..Settings::default()
        }
        .sanitized();
        assert_eq!((s.frustum_size, s.video_fps), (DEFAULT_FRUSTUM_SIZE, 1));
    }

    #[test]
    fn missing_partial_and_broken_files() {
        let dir = temp_dir("settings-partial");
        let path = dir.join("settings.json");
        assert_eq!(
            Settings::load(&path).expect("missing is fine"),
            Settings::default()
        );
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(
            &path,
            r#"{"camera_mode": "trackball", "fly_speed": -1, "extra": 1}"#,
        )
        .expect("write");
        let s = Settings::load(&path).expect("partial");
        assert_eq!(s.camera_mode, CameraMode::Trackball);
        assert_eq!(s.fly_speed, Settings::default().fly_speed);
        std::fs::write(&path, "{ not json").expect("write");
        let err = Settings::load(&path).expect_err("broken");
        assert!(err.to_string().contains("settings.json"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
