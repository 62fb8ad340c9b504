//! Every user action is one `Command`: reachable from a keyboard shortcut and a menu
//! entry, listed by the help overlay, and carried out in one place
//! (`AppState::execute`). (After rerun's `re_ui/src/command/ui_command.rs`.)

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    // File
    OpenScene,
    /// Add a file to the scene as another object.
    AddScene,
    /// Open a scene file as B, to compare against.
    OpenSceneB,
    /// Open a dataset (photos and their cameras) for ground-truth comparison.
    OpenDataset,
    OpenCameras,
    /// Open entry `n` of the recent-files list.
    OpenRecent(usize),
    ClearRecent,
    /// Stop the scene load in progress (the previous scene stays).
    CancelLoad,
    Screenshot,
    Screenshot4k,
    /// Show the folder of the last screenshot or video (or the screenshot folder).
    OpenScreenshotFolder,
    Quit,
    // View
    ToggleOverlay,
    ToggleHelp,
    ToggleFrusta,
    DismissMessages,
    ShDegreeDown,
    ShDegreeUp,
    ToggleWireframe,
    ToggleMeshLighting,
    ToggleBackFaceCulling,
    /// Hierarchical level of detail on/off (docs/LOD.md).
    ToggleLod,
    /// Keep the level-of-detail cut while the camera moves.
    FreezeLodCut,
    /// Colour the splats by their level in the hierarchy.
    ColorByLevel,
    /// Stop the level-of-detail build in progress (the flat scene stays).
    CancelLodBuild,
    // Camera
    FrameScene,
    ResetCamera,
    OrbitMode,
    FlyMode,
    TrackballMode,
    FlipUp,
    CycleUp,
    FlyFaster,
    FlySlower,
    NextTrainingCamera,
    PreviousTrainingCamera,
    // Path
    AddKeyframe,
    DeleteKeyframe,
    PlayPause,
    ToggleLoop,
    ClearPath,
    SavePath,
    LoadPath,
    /// Render the camera path to an MP4 video.
    ExportVideo,
    CancelExport,
    // Compare
    /// B = this scene with B's render settings.
    CompareWithSettings,
    /// B = the selected training camera's photo.
    CompareWithPhoto,
    StopComparing,
    LayoutSingle,
    LayoutSideBySide,
    LayoutSplit,
    LayoutFlicker,
    LayoutDifference,
    /// Single and flicker layouts: show the other source.
    ShowOther,
    /// A becomes B and B becomes A (render settings, or scene files).
    SwapAB,
    /// Split layout: vertical or horizontal divider.
    ToggleSplitDirection,
    /// Difference layout: |A - B| or FLIP.
    ToggleDiffMap,
    DiffScaleUp,
    DiffScaleDown,
    ToggleLockCameras,
    AlignBToA,
    ToggleLiveMetrics,
    /// Evaluate the dataset's views on a worker (PSNR, SSIM, FLIP per view).
    EvaluateDataset,
    CancelEvaluation,
    /// Go to the evaluated view with the lowest PSNR, its photo as B.
    WorstView,
    SortByPsnr,
}

/// Menu a command lives in; the help overlay groups by it too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    File,
    View,
    Camera,
    Path,
    Compare,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::File,
        Category::View,
        Category::Camera,
        Category::Path,
        Category::Compare,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Category::File => "File",
            Category::View => "View",
            Category::Camera => "Camera",
            Category::Path => "Path",
            Category::Compare => "Compare",
        }
    }
}

const fn key(key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(Modifiers::NONE, key))
}
const fn shift(key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(Modifiers::SHIFT, key))
}
const fn cmd(key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(Modifiers::COMMAND, key))
}
const fn alt(key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(Modifiers::ALT, key))
}

impl Command {
    /// Every command without data, in menu order.
    pub const ALL: [Command; 66] = [
        Command::OpenScene,
        Command::AddScene,
        Command::OpenSceneB,
        Command::OpenDataset,
        Command::OpenCameras,
        Command::ClearRecent,
        Command::CancelLoad,
        Command::Screenshot,
        Command::Screenshot4k,
        Command::OpenScreenshotFolder,
        Command::Quit,
        Command::ToggleOverlay,
        Command::ToggleHelp,
        Command::ToggleFrusta,
        Command::DismissMessages,
        Command::ShDegreeDown,
        Command::ShDegreeUp,
        Command::ToggleWireframe,
        Command::ToggleMeshLighting,
        Command::ToggleBackFaceCulling,
        Command::ToggleLod,
        Command::FreezeLodCut,
        Command::ColorByLevel,
        Command::CancelLodBuild,
        Command::FrameScene,
        Command::ResetCamera,
        Command::OrbitMode,
        Command::FlyMode,
        Command::TrackballMode,
        Command::FlipUp,
        Command::CycleUp,
        Command::FlyFaster,
        Command::FlySlower,
        Command::NextTrainingCamera,
        Command::PreviousTrainingCamera,
        Command::AddKeyframe,
        Command::DeleteKeyframe,
        Command::PlayPause,
        Command::ToggleLoop,
        Command::ClearPath,
        Command::SavePath,
        Command::LoadPath,
        Command::ExportVideo,
        Command::CancelExport,
        Command::CompareWithSettings,
        Command::CompareWithPhoto,
        Command::StopComparing,
        Command::LayoutSingle,
        Command::LayoutSideBySide,
        Command::LayoutSplit,
        Command::LayoutFlicker,
        Command::LayoutDifference,
        Command::ShowOther,
        Command::SwapAB,
        Command::ToggleSplitDirection,
        Command::ToggleDiffMap,
        Command::DiffScaleUp,
        Command::DiffScaleDown,
        Command::ToggleLockCameras,
        Command::AlignBToA,
        Command::ToggleLiveMetrics,
        Command::EvaluateDataset,
        Command::CancelEvaluation,
        Command::WorstView,
        Command::SortByPsnr,
        Command::OpenRecent(0),
    ];

    pub fn title(self) -> &'static str {
        match self {
            Command::OpenScene => "Open scene…",
            Command::AddScene => "Add file to the scene…",
            Command::OpenSceneB => "Open as B (compare)…",
            Command::OpenDataset => "Open dataset…",
            Command::OpenCameras => "Open cameras.json…",
            Command::OpenRecent(_) => "Open most recent file",
            Command::ClearRecent => "Clear recent files",
            Command::CancelLoad => "Cancel loading",
            Command::Screenshot => "Screenshot",
            Command::Screenshot4k => "Screenshot at 4K",
            Command::OpenScreenshotFolder => "Open screenshot folder",
            Command::Quit => "Quit",
            Command::ToggleOverlay => "Show/hide overlay",
            Command::ToggleHelp => "Keyboard shortcuts",
            Command::ToggleFrusta => "Show/hide training camera frusta",
            Command::DismissMessages => "Dismiss messages",
            Command::ShDegreeDown => "Lower SH degree cap",
            Command::ShDegreeUp => "Raise SH degree cap",
            Command::ToggleWireframe => "Mesh wireframe on/off",
            Command::ToggleMeshLighting => "Mesh lighting on/off",
            Command::ToggleBackFaceCulling => "Cull mesh back faces on/off",
            Command::ToggleLod => "Level of detail (hierarchy) on/off",
            Command::FreezeLodCut => "Freeze/unfreeze the LOD cut",
            Command::ColorByLevel => "Colour splats by LOD level on/off",
            Command::CancelLodBuild => "Cancel the LOD build",
            Command::FrameScene => "Frame scene",
            Command::ResetCamera => "Reset camera",
            Command::OrbitMode => "Orbit mode",
            Command::FlyMode => "Fly mode",
            Command::TrackballMode => "Trackball mode",
            Command::FlipUp => "Flip up axis",
            Command::CycleUp => "Next up axis",
            Command::FlyFaster => "Fly faster",
            Command::FlySlower => "Fly slower",
            Command::NextTrainingCamera => "Next training camera",
            Command::PreviousTrainingCamera => "Previous training camera",
            Command::AddKeyframe => "Add keyframe at current view",
            Command::DeleteKeyframe => "Delete selected keyframe",
            Command::PlayPause => "Play/pause path",
            Command::ToggleLoop => "Loop path on/off",
            Command::ClearPath => "Clear path",
            Command::SavePath => "Save path…",
            Command::LoadPath => "Load path…",
            Command::ExportVideo => "Export path as video…",
            Command::CancelExport => "Cancel video export",
            Command::CompareWithSettings => "Compare with other render settings",
            Command::CompareWithPhoto => "Compare with the ground-truth photo",
            Command::StopComparing => "Stop comparing",
            Command::LayoutSingle => "Layout: single",
            Command::LayoutSideBySide => "Layout: side by side",
            Command::LayoutSplit => "Layout: split",
            Command::LayoutFlicker => "Layout: flicker",
            Command::LayoutDifference => "Layout: difference",
            Command::ShowOther => "Show the other source (A/B)",
            Command::SwapAB => "Swap A and B",
            Command::ToggleSplitDirection => "Split vertical/horizontal",
            Command::ToggleDiffMap => "Difference map: |A-B| or FLIP",
            Command::DiffScaleUp => "Raise difference scale",
            Command::DiffScaleDown => "Lower difference scale",
            Command::ToggleLockCameras => "Lock/unlock A and B cameras",
            Command::AlignBToA => "Align B to A",
            Command::ToggleLiveMetrics => "Live metrics on/off",
            Command::EvaluateDataset => "Evaluate dataset views",
            Command::CancelEvaluation => "Cancel evaluation",
            Command::WorstView => "Go to the worst view",
            Command::SortByPsnr => "Sort views by PSNR",
        }
    }

    /// Whether the command asks for a file or folder (a dialog opens).
    pub fn opens_dialog(self) -> bool {
        matches!(
            self,
            Command::OpenScene
                | Command::AddScene
                | Command::OpenSceneB
                | Command::OpenDataset
                | Command::OpenCameras
                | Command::LoadPath
                | Command::SavePath
                | Command::ExportVideo
        )
    }

    pub fn category(self) -> Category {
        use Command::*;
        match self {
            OpenScene | AddScene | OpenSceneB | OpenDataset | OpenCameras | OpenRecent(_)
            | ClearRecent | CancelLoad | Screenshot | Screenshot4k | OpenScreenshotFolder
            | Quit => Category::File,
            ToggleOverlay
            | ToggleHelp
            | ToggleFrusta
            | DismissMessages
            | ShDegreeDown
            | ShDegreeUp
            | ToggleWireframe
            | ToggleMeshLighting
            | ToggleBackFaceCulling
            | ToggleLod
            | FreezeLodCut
            | ColorByLevel
            | CancelLodBuild => Category::View,
            FrameScene
            | ResetCamera
            | OrbitMode
            | FlyMode
            | TrackballMode
            | FlipUp
            | CycleUp
            | FlyFaster
            | FlySlower
            | NextTrainingCamera
            | PreviousTrainingCamera => Category::Camera,
            AddKeyframe | DeleteKeyframe | PlayPause | ToggleLoop | ClearPath | SavePath
            | LoadPath | ExportVideo | CancelExport => Category::Path,
            CompareWithSettings | CompareWithPhoto | StopComparing | LayoutSingle
            | LayoutSideBySide | LayoutSplit | LayoutFlicker | LayoutDifference | ShowOther
            | SwapAB | ToggleSplitDirection | ToggleDiffMap | DiffScaleUp | DiffScaleDown
            | ToggleLockCameras | AlignBToA | ToggleLiveMetrics | EvaluateDataset
            | CancelEvaluation | WorstView | SortByPsnr => Category::Compare,
        }
    }

    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        match self {
            Command::OpenScene => cmd(Key::O),
            Command::AddScene => cmd(Key::I),
            Command::OpenSceneB => cmd(Key::B),
            Command::OpenDataset => cmd(Key::D),
            Command::OpenCameras => Some(KeyboardShortcut::new(
                Modifiers::COMMAND.plus(Modifiers::SHIFT),
                Key::O,
            )),
            Command::OpenRecent(0) => Some(KeyboardShortcut::new(
                Modifiers::COMMAND.plus(Modifiers::SHIFT),
                Key::R,
            )),
            Command::OpenRecent(_) => None,
            Command::ClearRecent => None,
            Command::CancelLoad => shift(Key::Escape),
            Command::Screenshot => key(Key::F12),
            Command::Screenshot4k => shift(Key::F12),
            Command::OpenScreenshotFolder => cmd(Key::F12),
            Command::Quit => cmd(Key::Q),
            Command::ToggleOverlay => key(Key::H),
            Command::ToggleHelp => key(Key::F1),
            Command::ToggleFrusta => key(Key::C),
            Command::DismissMessages => key(Key::Escape),
            Command::ShDegreeDown => key(Key::OpenBracket),
            Command::ShDegreeUp => key(Key::CloseBracket),
            Command::ToggleWireframe => alt(Key::W),
            Command::ToggleMeshLighting => alt(Key::I),
            Command::ToggleBackFaceCulling => alt(Key::C),
            Command::ToggleLod => key(Key::P),
            Command::FreezeLodCut => shift(Key::P),
            Command::ColorByLevel => alt(Key::P),
            Command::CancelLodBuild => Some(KeyboardShortcut::new(
                Modifiers::ALT.plus(Modifiers::SHIFT),
                Key::P,
            )),
            Command::FrameScene => key(Key::F),
            Command::ResetCamera => key(Key::R),
            Command::OrbitMode => key(Key::Num1),
            Command::FlyMode => key(Key::Num2),
            Command::TrackballMode => key(Key::Num3),
            Command::FlipUp => key(Key::U),
            Command::CycleUp => shift(Key::U),
            Command::FlyFaster => key(Key::Equals),
            Command::FlySlower => key(Key::Minus),
            Command::NextTrainingCamera => key(Key::N),
            Command::PreviousTrainingCamera => shift(Key::N),
            Command::AddKeyframe => key(Key::K),
            Command::DeleteKeyframe => key(Key::Delete),
            Command::PlayPause => key(Key::Space),
            Command::ToggleLoop => key(Key::L),
            Command::ClearPath => shift(Key::Delete),
            Command::SavePath => cmd(Key::S),
            Command::LoadPath => cmd(Key::L),
            Command::ExportVideo => cmd(Key::E),
            Command::CancelExport => Some(KeyboardShortcut::new(
                Modifiers::COMMAND.plus(Modifiers::SHIFT),
                Key::E,
            )),
            Command::CompareWithSettings => key(Key::B),
            Command::CompareWithPhoto => key(Key::G),
            Command::StopComparing => shift(Key::B),
            Command::LayoutSingle => alt(Key::Num1),
            Command::LayoutSideBySide => alt(Key::Num2),
            Command::LayoutSplit => alt(Key::Num3),
            Command::LayoutFlicker => alt(Key::Num4),
            Command::LayoutDifference => alt(Key::Num5),
            Command::ShowOther => key(Key::X),
            Command::SwapAB => alt(Key::X),
            Command::ToggleSplitDirection => key(Key::V),
            Command::ToggleDiffMap => key(Key::M),
            Command::DiffScaleUp => key(Key::Period),
            Command::DiffScaleDown => key(Key::Comma),
            Command::ToggleLockCameras => alt(Key::L),
            Command::AlignBToA => alt(Key::A),
            Command::ToggleLiveMetrics => alt(Key::M),
            Command::EvaluateDataset => alt(Key::E),
            Command::CancelEvaluation => Some(KeyboardShortcut::new(
                Modifiers::ALT.plus(Modifiers::SHIFT),
                Key::E,
            )),
            Command::WorstView => alt(Key::N),
            Command::SortByPsnr => alt(Key::S),
        }
    }

    /// Commands in the order shortcuts must be matched: egui ignores extra Shift
    /// and Alt, so `Shift+N` has to be tried before `N`.
    pub fn by_shortcut_specificity() -> Vec<(Command, KeyboardShortcut)> {
        let mut list: Vec<_> = Command::ALL
            .iter()
            .filter_map(|&c| c.shortcut().map(|s| (c, s)))
            .collect();
        let weight = |m: Modifiers| {
            u8::from(m.shift) + u8::from(m.alt) + u8::from(m.command || m.ctrl || m.mac_cmd)
        };
        list.sort_by_key(|(_, s)| std::cmp::Reverse(weight(s.modifiers)));
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_are_unique() {
        let list = Command::by_shortcut_specificity();
        for (i, (a, sa)) in list.iter().enumerate() {
            for (b, sb) in &list[i + 1..] {
                assert!(sa != sb, "{a:?} and {b:?} share a shortcut");
            }
        }
        // Every command a user can reach without data has a shortcut, except the
        // list housekeeping.
        for c in Command::ALL {
            assert!(c.shortcut().is_some() || c == Command::ClearRecent, "{c:?}");
        }
        let pos = |c| list.iter().position(|(x, _)| *x == c).unwrap_or(usize::MAX);
        assert!(pos(Command::PreviousTrainingCamera) < pos(Command::NextTrainingCamera));
        assert!(pos(Command::LayoutSingle) < pos(Command::OrbitMode));
        assert!(pos(Command::CancelEvaluation) < pos(Command::EvaluateDataset));
        assert!(pos(Command::CancelLodBuild) < pos(Command::ColorByLevel));
        assert!(pos(Command::FreezeLodCut) < pos(Command::ToggleLod));
    }
}
