//! Every user action is one `Command`: reachable from a keyboard shortcut and a menu
//! entry, listed by the help overlay, and carried out in one place
//! (`AppState::execute`). (After rerun's `re_ui/src/command/ui_command.rs`.)

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    // File
    OpenScene,
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
}

/// Menu a command lives in; the help overlay groups by it too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    File,
    View,
    Camera,
    Path,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::File,
        Category::View,
        Category::Camera,
        Category::Path,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Category::File => "File",
            Category::View => "View",
            Category::Camera => "Camera",
            Category::Path => "Path",
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

impl Command {
    /// Every command without data, in menu order.
    pub const ALL: [Command; 35] = [
        Command::OpenScene,
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
        Command::OpenRecent(0),
    ];

    pub fn title(self) -> &'static str {
        match self {
            Command::OpenScene => "Open scene…",
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
        }
    }

    pub fn category(self) -> Category {
        use Command::*;
        match self {
            OpenScene | OpenCameras | OpenRecent(_) | ClearRecent | CancelLoad | Screenshot
            | Screenshot4k | OpenScreenshotFolder | Quit => Category::File,
            ToggleOverlay | ToggleHelp | ToggleFrusta | DismissMessages | ShDegreeDown
            | ShDegreeUp => Category::View,
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
        }
    }

    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        match self {
            Command::OpenScene => cmd(Key::O),
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
    }
}
