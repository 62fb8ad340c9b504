//! The window's file dialogs and screenshot folder, through `ViewerCore` (the
//! code the window runs): without a native dialog the in-app browser opens and
//! the overlay says why; screenshots go to the pictures folder's `splatview`
//! subfolder, made on demand, and the notice names the whole path.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use splatview::app::command::Command;
use splatview::app::state::{Dialog, Effect};
use splatview::settings::Settings;

use common::window::WindowHarness;

#[test]
fn without_a_native_dialog_the_file_browser_opens() {
    if common::gpu().is_none() {
        return;
    }
    let mut window = WindowHarness::new((160, 96), Settings::default());
    // As on a system without xdg-desktop-portal and zenity.
    window.core.native_dialogs = Arc::new(|| false);
    window.core.state.execute(Command::OpenScene);
    let deadline = Instant::now() + Duration::from_secs(30);
    while window.core.state.file_browser.is_none() {
        assert!(Instant::now() < deadline, "no file browser");
        window.frame();
        window.pump_events();
        std::thread::sleep(Duration::from_millis(5));
    }
    let browser = window.core.state.file_browser.clone().expect("open");
    assert_eq!(browser.dialog, Dialog::OpenScene);
    assert!(window.core.native_dialogs_missing);
    assert!(
        window
            .core
            .state
            .notices
            .iter()
            .any(|n| n.contains("No native file dialog") && n.contains("zenity")),
        "{:?}",
        window.core.state.notices
    );
    // Choosing a file in it opens the scene like a native dialog would.
    window.core.state.file_browser = None;
    let scene = common::testdata("splats/playbot_l6.ply");
    window
        .core
        .state
        .effects
        .push(Effect::DialogChosen(Dialog::OpenScene, scene.clone()));
    window.frame();
    window.finish_load();
    assert_eq!(window.core.state.scene_path(), Some(scene.as_path()));
    // Its folder is remembered for the browser's recent folders.
    let folder = std::path::absolute(scene.parent().expect("folder")).expect("absolute");
    assert_eq!(
        window.core.state.settings.recent_folders.first(),
        Some(&folder)
    );
    // Later dialogs go straight to the browser, in the scene's folder.
    window.core.state.execute(Command::LoadPath);
    window.frame();
    let browser = window
        .core
        .state
        .file_browser
        .clone()
        .expect("browser again");
    assert_eq!(browser.dialog, Dialog::LoadPath);
    assert_eq!(Some(browser.folder.as_path()), scene.parent());
}

#[test]
fn screenshots_go_to_the_pictures_folder() {
    if common::gpu().is_none() {
        return;
    }
    let pictures = std::env::temp_dir().join(format!(
        "splatview-pictures-{}/Pictures",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&pictures);
    let mut window = WindowHarness::new((96, 64), Settings::default());
    assert_eq!(window.core.state.settings.screenshot_dir, None);
    assert_eq!(
        window.core.state.default_screenshot_dir,
        splatview::settings::default_screenshot_dir()
    );
    assert!(
        window
            .core
            .state
            .default_screenshot_dir
            .ends_with("splatview"),
        "{}",
        window.core.state.default_screenshot_dir.display()
    );
    // Point the platform default at a folder that does not exist yet.
    let folder = splatview::settings::screenshot_dir_from(Some(pictures.clone()), None);
    window.core.state.default_screenshot_dir = folder.clone();
    window.open(&common::testdata("splats/playbot_l6.ply"));
    window.core.state.execute(Command::Screenshot);
    let shot = window.wait_screenshot();
    window.core.screenshot_done(Ok(shot.clone()));
    assert!(shot.starts_with(&folder), "{}", shot.display());
    assert!(shot.is_file());
    let notice = window
        .core
        .state
        .notices
        .last()
        .cloned()
        .unwrap_or_default();
    assert!(notice.contains(&shot.display().to_string()), "{notice}");
    assert!(shot.is_absolute());
    // "Open folder" asks for the shot's folder.
    window.core.state.execute(Command::OpenScreenshotFolder);
    assert_eq!(
        window.core.state.effects.last(),
        Some(&Effect::OpenFolder(folder.clone()))
    );
    window.core.state.effects.clear();
    let _ = std::fs::remove_dir_all(pictures.parent().expect("temp"));
}
