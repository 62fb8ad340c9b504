//! Native file dialogs (rfd) on a helper thread, so the window keeps drawing while
//! one is open. The chosen path comes back as a `UserEvent::DialogClosed`.

use std::path::PathBuf;

use super::state::Dialog;
use super::{UserEvent, Waker};

pub fn spawn(dialog: Dialog, start_dir: Option<PathBuf>, waker: Waker) {
    let spawned = std::thread::Builder::new()
        .name("file dialog".into())
        .spawn(move || {
            let mut d = rfd::FileDialog::new();
            if let Some(dir) = start_dir {
                d = d.set_directory(dir);
            }
            let path = match dialog {
                Dialog::OpenScene => d
                    .set_title("Open a Gaussian splat scene")
                    .add_filter(
                        "Gaussian splats",
                        &["ply", "splat", "ksplat", "spz", "sog", "json"],
                    )
                    .add_filter("All files", &["*"])
                    .pick_file(),
                Dialog::OpenCameras => d
                    .set_title("Open training cameras")
                    .add_filter("cameras.json", &["json"])
                    .pick_file(),
                Dialog::LoadPath => d
                    .set_title("Load a camera path")
                    .add_filter("Camera path", &["json"])
                    .pick_file(),
                Dialog::SavePath => d
                    .set_title("Save the camera path")
                    .set_file_name("camera_path.json")
                    .add_filter("Camera path", &["json"])
                    .save_file(),
            };
            waker(UserEvent::DialogClosed(dialog, path));
        });
    if let Err(err) = spawned {
        log::error!("cannot open a file dialog: {err}");
    }
}
