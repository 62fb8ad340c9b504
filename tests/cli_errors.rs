//! Bad command-line values: one line on stderr, exit code 2, no panic, nothing
//! created on the GPU.

mod common;

use std::process::Command;

fn render(extra: &[&str]) -> std::process::Output {
    let scene = common::testdata("splats/playbot_l6.ply");
    let out = std::env::temp_dir().join(format!("splatview-cli-{}.png", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_splatview"))
        .arg("render")
        .arg(&scene)
        .arg("--out")
        .arg(&out)
        .args(extra)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run splatview")
}

fn assert_usage_error(extra: &[&str], expect: &str) {
    let output = render(extra);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    eprintln!("{extra:?}: {lines:?}");
    assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
    assert_eq!(lines.len(), 1, "{extra:?}: not one line: {stderr}");
    assert!(lines[0].contains(expect), "{extra:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{extra:?}: {stderr}");
}

#[test]
fn bad_render_values_are_usage_errors() {
    if common::gpu().is_none() {
        return;
    }
    // The side given is named, not the other one's placeholder.
    assert_usage_error(
        &["--width", "100000"],
        "--width 100000: each side must be 1 to",
    );
    assert_usage_error(&["--width", "0"], "--width 0: each side must be 1 to");
    assert_usage_error(&["--height", "0"], "--height 0: each side must be 1 to");
    assert_usage_error(&["--eye", "1,2,3", "--target", "1,2,3"], "equals --target");
    assert_usage_error(
        &["--eye", "0,0,-3", "--target", "0,0,0", "--up", "0,0,1"],
        "parallel",
    );
    assert_usage_error(&["--eye", "0,0,-3", "--fov-y", "0"], "--fov-y");
    assert_usage_error(&["--eye", "0,0,-3", "--fov-y", "180"], "--fov-y");
    // Level-of-detail flags need --lod-budget, and sane values.
    assert_usage_error(&["--memory-budget", "64"], "give --lod-budget");
    assert_usage_error(&["--lod-color-by-level"], "give --lod-budget");
    assert_usage_error(
        &["--lod-budget", "100", "--memory-budget", "0"],
        "at least 1 MiB",
    );
    assert_usage_error(
        &["--lod-budget", "100", "--lod-threshold", "nan"],
        "--lod-threshold",
    );
}

#[test]
fn a_good_render_prints_one_line_without_windowing_noise() {
    if common::gpu().is_none() {
        return;
    }
    let output = render(&["--width", "64", "--height", "48"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        !stderr.contains("XDG_RUNTIME_DIR"),
        "windowing noise: {stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("rendered "), "{stdout}");
}

/// Values that clap or `bench` reject: exit code 2 or 1 with the reason, and
/// no panic (clap's own errors take several lines: usage and a hint).
#[test]
fn rejected_flags_say_why() {
    let scene = common::testdata("splats/playbot_l6.ply");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_splatview"))
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run splatview");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        stderr
    };
    let scene = scene.to_str().expect("utf-8 path");
    // --fov-y applies to a look-at camera only: without --eye it was ignored.
    let stderr = run(&["render", scene, "--out", "x.png", "--fov-y", "20"]);
    assert!(stderr.contains("--eye"), "{stderr}");
    // The same for compare, whose help showed a default of 50 it then ignored.
    let stderr = run(&["compare", scene, scene, "--out-dir", "x", "--fov-y", "20"]);
    assert!(stderr.contains("--eye"), "{stderr}");
    // --tile-size with the quads was ignored; --out-dir naming a file failed
    // late with "File exists".
    let stderr = run(&[
        "render",
        scene,
        "--out",
        "x.png",
        "--raster",
        "hardware",
        "--tile-size",
        "16",
    ]);
    assert!(stderr.contains("--raster compute"), "{stderr}");
    let stderr = run(&["bench", scene, "--raster", "hardware", "--tile-size", "8"]);
    assert!(stderr.contains("--raster compute"), "{stderr}");
    let file = scene.to_owned();
    let stderr = run(&["compare", scene, scene, "--out-dir", &file]);
    assert!(stderr.contains("a file of that name exists"), "{stderr}");
    let stderr = run(&["render", scene, "--out", "x.png", "--background", "2,0,0"]);
    assert!(stderr.contains("from 0 to 1"), "{stderr}");
    let stderr = run(&["bench", scene, "--frames", "0"]);
    assert!(stderr.contains("--frames must be at least 1"), "{stderr}");
    let stderr = run(&["bench-sort", "--count", "0"]);
    assert!(stderr.contains("--count must be at least 1"), "{stderr}");
    if common::gpu().is_some() {
        // Was drawn at 1x720 without a word.
        let stderr = run(&["bench", scene, "--width", "0", "--frames", "1"]);
        assert!(stderr.contains("each side must be 1 to"), "{stderr}");
    }
}
