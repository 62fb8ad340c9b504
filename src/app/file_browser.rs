//! The in-app file browser, for systems where no native file dialog can open
//! (rfd needs the xdg-desktop-portal FileChooser on the session bus, or zenity:
//! minimal window managers, remote sessions and containers often have neither).
//!
//! This is its model, without egui: a folder's listing (folders first, then the
//! files with the dialog's extensions, with sizes), a typed folder path and file
//! name, the selection and the recent folders. `ui::file_browser` draws it.
//! (egui_file 0.29 supports egui 0.37 but labels its entries with emoji that
//! egui 0.37's default fonts lack, so they showed as boxes.)

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::state::Dialog;

/// File name extensions a dialog lists (lower case, without the dot). Shared
/// with the native dialogs' filters.
pub fn extensions(dialog: Dialog) -> &'static [&'static str] {
    match dialog {
        Dialog::OpenScene | Dialog::AddScene | Dialog::OpenSceneB => &[
            "ply", "splat", "ksplat", "spz", "sog", "json", "obj", "gltf", "glb",
        ],
        // A folder is chosen: only folders are listed.
        Dialog::OpenDataset => &[],
        Dialog::OpenCameras | Dialog::LoadPath | Dialog::SavePath => &["json"],
        Dialog::ExportVideo => &["mp4"],
    }
}

/// The dialog's window title.
pub fn title(dialog: Dialog) -> &'static str {
    match dialog {
        Dialog::OpenScene => "Open a scene (splats, mesh or point cloud)",
        Dialog::AddScene => "Add a file to the scene",
        Dialog::OpenSceneB => "Open a scene to compare against (B)",
        Dialog::OpenDataset => "Open a dataset folder (COLMAP, cameras.json + images, 3DGS output)",
        Dialog::OpenCameras => "Open training cameras (cameras.json)",
        Dialog::LoadPath => "Load a camera path",
        Dialog::SavePath => "Save the camera path",
        Dialog::ExportVideo => "Export the camera path as an MP4 video",
    }
}

/// The file name a save dialog suggests.
pub fn default_file_name(dialog: Dialog) -> Option<&'static str> {
    match dialog {
        Dialog::SavePath => Some("camera_path.json"),
        Dialog::ExportVideo => Some("camera_path.mp4"),
        _ => None,
    }
}

/// Whether `dialog` picks a file to write.
pub fn is_save(dialog: Dialog) -> bool {
    matches!(dialog, Dialog::SavePath | Dialog::ExportVideo)
}

/// Whether `dialog` picks a folder.
pub fn picks_folder(dialog: Dialog) -> bool {
    dialog == Dialog::OpenDataset
}

/// Whether `path` has one of `extensions` (any case).
pub fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(OsStr::to_str)
        .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// One row of the listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub path: PathBuf,
    pub is_dir: bool,
    /// File size in bytes (folders: none).
    pub size: Option<u64>,
}

/// What confirming the browser led to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The dialog's result.
    Chosen(PathBuf),
    /// The name was a folder: it is shown now.
    Entered,
    /// Why nothing was chosen (shown in the browser).
    Problem(String),
}

/// An open in-app dialog.
#[derive(Clone, Debug, PartialEq)]
pub struct FileBrowser {
    pub dialog: Dialog,
    /// The folder listed.
    pub folder: PathBuf,
    /// Folders first, then matching files, each by name (case-insensitive).
    pub entries: Vec<Entry>,
    pub selected: Option<usize>,
    /// The folder path as typed.
    pub folder_text: String,
    /// The file name (or a whole path) as typed.
    pub file_name: String,
    /// Folders files were picked in recently, most recent first.
    pub recent_folders: Vec<PathBuf>,
    pub show_hidden: bool,
    /// A listing error or why the last confirmation failed.
    pub problem: Option<String>,
    /// Give the file name field the keyboard (when the dialog opens, and when
    /// text is typed while no field has it).
    pub focus_file_name: bool,
}

impl FileBrowser {
    /// Opens `dialog` in `start_dir` (else the first recent folder that exists,
    /// else the current directory).
    pub fn new(dialog: Dialog, start_dir: Option<PathBuf>, recent_folders: Vec<PathBuf>) -> Self {
        let folder = start_dir
            .filter(|d| d.is_dir())
            .or_else(|| recent_folders.iter().find(|d| d.is_dir()).cloned())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        let mut browser = Self {
            dialog,
            folder: PathBuf::new(),
            entries: Vec::new(),
            selected: None,
            folder_text: String::new(),
            file_name: default_file_name(dialog).unwrap_or_default().to_owned(),
            recent_folders,
            show_hidden: false,
            problem: None,
            focus_file_name: true,
        };
        browser.open_folder(folder);
        browser
    }

    /// Lists `dir` (on failure the previous listing stays and says why).
    pub fn open_folder(&mut self, dir: PathBuf) {
        match list(&dir, extensions(self.dialog), self.show_hidden) {
            Ok(entries) => {
                self.folder_text = dir.display().to_string();
                self.folder = dir;
                self.entries = entries;
                self.selected = None;
                self.problem = None;
            }
            Err(err) => {
                self.problem = Some(format!("{}: cannot list the folder: {err}", dir.display()));
            }
        }
    }

    pub fn refresh(&mut self) {
        self.open_folder(self.folder.clone());
    }

    /// Shows the parent folder.
    pub fn up(&mut self) {
        if let Some(parent) = self.folder.parent().filter(|p| !p.as_os_str().is_empty()) {
            self.open_folder(parent.to_owned());
        }
    }

    /// Selects row `index`; a file's name goes into the name field.
    pub fn select(&mut self, index: usize) {
        if let Some(entry) = self.entries.get(index) {
            self.selected = Some(index);
            if !entry.is_dir {
                self.file_name = entry.name.clone();
            }
        }
    }

    /// Moves the selection by `step` rows (arrow keys).
    pub fn move_selection(&mut self, step: isize) {
        if self.entries.is_empty() {
            return;
        }
        let last = self.entries.len() as isize - 1;
        let next = self.selected.map_or(if step > 0 { 0 } else { last }, |i| {
            (i as isize + step).clamp(0, last)
        });
        self.select(next as usize);
    }

    /// Opens row `index` (double click, Enter): a folder is entered, a file chosen.
    pub fn activate(&mut self, index: usize) -> Outcome {
        let Some(entry) = self.entries.get(index).cloned() else {
            return Outcome::Problem("nothing selected".into());
        };
        if entry.is_dir {
            self.open_folder(entry.path);
            return Outcome::Entered;
        }
        self.file_name = entry.name;
        self.confirm()
    }

    /// The Open / Save button: the typed name (relative to the folder, or a whole
    /// path). A folder is entered; an open dialog needs an existing file with one
    /// of its extensions; a save dialog adds the extension when it is missing. A
    /// folder dialog chooses the folder listed when no name is typed.
    pub fn confirm(&mut self) -> Outcome {
        let name = self.file_name.trim();
        if name.is_empty() && picks_folder(self.dialog) {
            return Outcome::Chosen(self.folder.clone());
        }
        if name.is_empty() {
            return self.problem("type a file name or pick a file".into());
        }
        let typed = Path::new(name);
        let path = if typed.is_absolute() {
            typed.to_owned()
        } else {
            self.folder.join(typed)
        };
        if path.is_dir() {
            self.open_folder(path);
            self.file_name = default_file_name(self.dialog)
                .unwrap_or_default()
                .to_owned();
            return Outcome::Entered;
        }
        let wanted = extensions(self.dialog);
        if is_save(self.dialog) {
            let path = if has_extension(&path, wanted) {
                path
            } else {
                let mut with = path.into_os_string();
                with.push(".");
                with.push(wanted.first().copied().unwrap_or("json"));
                PathBuf::from(with)
            };
            return match path.parent() {
                Some(dir) if dir.is_dir() => Outcome::Chosen(path),
                _ => self.problem(format!("{}: the folder does not exist", path.display())),
            };
        }
        if !path.is_file() {
            return self.problem(format!("{}: no such file", path.display()));
        }
        if !has_extension(&path, wanted) {
            return self.problem(format!(
                "{}: expected a .{} file",
                path.display(),
                wanted.join(", .")
            ));
        }
        Outcome::Chosen(path)
    }

    fn problem(&mut self, message: String) -> Outcome {
        self.problem = Some(message.clone());
        Outcome::Problem(message)
    }
}

/// `dir`'s folders and the files with one of `extensions`, sorted by name;
/// names starting with a dot only when `hidden`.
fn list(dir: &Path, extensions: &[&str], hidden: bool) -> std::io::Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|item| {
            let name = item.file_name().to_string_lossy().into_owned();
            if !hidden && name.starts_with('.') {
                return None;
            }
            let path = item.path();
            // Follows symbolic links, so a linked folder is a folder.
            let meta = std::fs::metadata(&path).ok()?;
            let is_dir = meta.is_dir();
            if !is_dir && !has_extension(&path, extensions) {
                return None;
            }
            Some(Entry {
                name,
                path,
                is_dir,
                size: (!is_dir).then_some(meta.len()),
            })
        })
        .collect();
    entries.sort_by_key(|e| (!e.is_dir, e.name.to_lowercase()));
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("splatview-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("b_scenes")).expect("dir");
        std::fs::create_dir_all(dir.join("A_more")).expect("dir");
        std::fs::write(dir.join("z.ply"), b"ply").expect("file");
        std::fs::write(dir.join("Y.SPZ"), b"12345").expect("file");
        std::fs::write(dir.join("notes.txt"), b"x").expect("file");
        std::fs::write(dir.join(".hidden.ply"), b"x").expect("file");
        dir
    }

    #[test]
    fn lists_folders_then_matching_files_with_sizes() {
        let dir = folder("browser-list");
        let mut b = FileBrowser::new(Dialog::OpenScene, Some(dir.clone()), vec![]);
        let names: Vec<&str> = b.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["A_more", "b_scenes", "Y.SPZ", "z.ply"]);
        assert_eq!(b.entries[2].size, Some(5));
        assert_eq!(b.entries[0].size, None);
        b.show_hidden = true;
        b.refresh();
        assert!(b.entries.iter().any(|e| e.name == ".hidden.ply"));
        // Keyboard: down twice from nothing selects the second row.
        b.move_selection(1);
        b.move_selection(1);
        assert_eq!(b.selected, Some(1));
        assert_eq!(b.activate(1), Outcome::Entered);
        assert_eq!(b.folder, dir.join("b_scenes"));
        b.up();
        assert_eq!(b.folder, dir);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn typed_names_are_checked() {
        let dir = folder("browser-names");
        let mut open = FileBrowser::new(Dialog::OpenScene, Some(dir.clone()), vec![]);
        open.file_name = "missing.ply".into();
        assert!(matches!(open.confirm(), Outcome::Problem(p) if p.contains("no such file")));
        open.file_name = "notes.txt".into();
        assert!(matches!(open.confirm(), Outcome::Problem(p) if p.contains("expected a .ply")));
        open.file_name = dir.join("z.ply").display().to_string();
        assert_eq!(open.confirm(), Outcome::Chosen(dir.join("z.ply")));
        open.file_name = "A_more".into();
        assert_eq!(open.confirm(), Outcome::Entered);
        assert_eq!(open.folder, dir.join("A_more"));
        let mut save = FileBrowser::new(Dialog::SavePath, Some(dir.clone()), vec![]);
        assert_eq!(save.file_name, "camera_path.json");
        save.file_name = "tour".into();
        assert_eq!(save.confirm(), Outcome::Chosen(dir.join("tour.json")));
        save.file_name = "no/such/folder/tour.json".into();
        assert!(matches!(save.confirm(), Outcome::Problem(_)));
        let mut missing = FileBrowser::new(Dialog::OpenScene, Some(dir.clone()), vec![]);
        missing.open_folder(dir.join("gone"));
        assert_eq!(missing.folder, dir);
        assert!(
            missing
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("cannot list"))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
