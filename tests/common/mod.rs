//! Shared helpers of the integration tests.
#![allow(dead_code)]

pub mod aa_scene;

use std::path::PathBuf;
use std::sync::OnceLock;

use splatview::gpu::GpuContext;

/// Path of a file in `../shared/testdata`.
pub fn testdata(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata")
        .join(relative)
}

/// The GPU shared by the tests of one binary. Without an adapter the test is
/// skipped, except under CI (`CI` set), where that is a failure.
pub fn gpu() -> Option<&'static GpuContext> {
    static GPU: OnceLock<Option<GpuContext>> = OnceLock::new();
    let ctx = GPU.get_or_init(|| match GpuContext::new_headless() {
        Ok(ctx) => {
            eprintln!("test adapter: {}", ctx.adapter_description());
            Some(ctx)
        }
        Err(err) => {
            eprintln!("no GPU adapter: {err}");
            None
        }
    });
    if ctx.is_none() && in_ci() {
        panic!("no GPU adapter found, and CI is set: GPU tests must not be skipped in CI");
    }
    ctx.as_ref()
}

/// Whether the tests run under CI (`CI` set and not "false").
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}
