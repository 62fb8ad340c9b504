//! Native file dialogs (rfd) on a helper thread, so the window keeps drawing while
//! one is open. The outcome comes back as a `UserEvent::DialogClosed`.
//!
//! rfd returns `None` both when the user cancels and when no dialog could be
//! shown, so availability is decided apart from it. On Linux and the BSDs rfd
//! 0.17's default backend calls the `org.freedesktop.portal.FileChooser`
//! interface of `org.freedesktop.portal.Desktop` on the session bus (through
//! libdbus) and falls back to running `zenity` (rfd
//! `src/backend/xdg_desktop_portal.rs`). So a native dialog can open when
//! `zenity` is on the PATH or the portal's bus name is owned or activatable
//! (asked with `dbus-send`; without it the portal is assumed present). A
//! dialog that "closes" within `QUICK_FAILURE` counts as one that never opened:
//! nobody cancels that fast. Either way the viewer falls back to its own file
//! browser (`file_browser`) and says so in the overlay.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::file_browser::{default_file_name, extensions, is_save, picks_folder, title};
use super::state::Dialog;
use super::{UserEvent, Waker};

/// A native dialog that returns nothing sooner than this failed to open.
pub const QUICK_FAILURE: Duration = Duration::from_millis(250);

/// How a dialog ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogOutcome {
    Chosen(PathBuf),
    Cancelled,
    /// No native dialog could open.
    Unavailable,
}

/// Whether native dialogs can open here (injectable: tests pass one that says
/// no).
pub type NativeDialogCheck = Arc<dyn Fn() -> bool + Send + Sync>;

/// The real check: always true except on the desktop-portal platforms, where
/// zenity or the portal must be there.
pub fn native_dialogs_available() -> bool {
    if !cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd",
        target_os = "openbsd"
    )) {
        return true;
    }
    on_path("zenity") || portal_available()
}

/// Whether `program` is an executable file in a PATH folder.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Whether the session bus has (or can start) the desktop portal.
fn portal_available() -> bool {
    let bus_address = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| Path::new(&dir).join("bus").exists());
    if !bus_address {
        return false;
    }
    let names = |method: &str| {
        Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                method,
            ])
            .output()
    };
    match (
        names("org.freedesktop.DBus.ListNames"),
        names("org.freedesktop.DBus.ListActivatableNames"),
    ) {
        (Ok(owned), Ok(activatable)) => [owned, activatable].iter().any(|out| {
            out.status.success()
                && String::from_utf8_lossy(&out.stdout).contains("org.freedesktop.portal.Desktop")
        }),
        // No dbus-send to ask: let rfd try (a quick failure is still caught).
        _ => true,
    }
}

/// Opens `dialog` natively on a helper thread when `available` says it can,
/// starting in `start_dir`.
pub fn spawn(
    dialog: Dialog,
    start_dir: Option<PathBuf>,
    available: NativeDialogCheck,
    waker: Waker,
) {
    let on_failure = waker.clone();
    let spawned = std::thread::Builder::new()
        .name("file dialog".into())
        .spawn(move || {
            if !available() {
                waker(UserEvent::DialogClosed(dialog, DialogOutcome::Unavailable));
                return;
            }
            let mut d = rfd::FileDialog::new().set_title(title(dialog));
            if let Some(dir) = start_dir {
                d = d.set_directory(dir);
            }
            let wanted = extensions(dialog);
            if !wanted.is_empty() {
                d = d.add_filter(title(dialog), wanted);
            }
            if matches!(
                dialog,
                Dialog::OpenScene | Dialog::AddScene | Dialog::OpenSceneB
            ) {
                d = d.add_filter("All files", &["*"]);
            }
            if let Some(name) = default_file_name(dialog) {
                d = d.set_file_name(name);
            }
            let started = Instant::now();
            let path = if is_save(dialog) {
                d.save_file()
            } else if picks_folder(dialog) {
                d.pick_folder()
            } else {
                d.pick_file()
            };
            let outcome = match path {
                Some(path) => DialogOutcome::Chosen(path),
                None if started.elapsed() < QUICK_FAILURE => DialogOutcome::Unavailable,
                None => DialogOutcome::Cancelled,
            };
            waker(UserEvent::DialogClosed(dialog, outcome));
        });
    if let Err(err) = spawned {
        log::error!("cannot open a file dialog: {err}");
        on_failure(UserEvent::DialogClosed(dialog, DialogOutcome::Unavailable));
    }
}
