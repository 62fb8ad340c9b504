//! `splatview` binary: parse the command line, set up logging, launch. Errors
//! end the process with one line on stderr: exit code 2 for values that cannot
//! work (as clap does for malformed arguments), 1 for everything else.

use std::process::ExitCode;

use clap::Parser;

/// Headless commands don't talk to a display, but Mesa's implicit Vulkan layer
/// `VK_LAYER_MESA_device_select` connects to Wayland and X11 to find the
/// display's GPU whenever a Vulkan instance enumerates devices, printing
/// "XDG_RUNTIME_DIR is invalid" twice where no Wayland session runs. The layer
/// reads `NODEVICE_SELECT` and stands aside when it is set; wgpu then chooses the
/// adapter itself (it prefers a discrete GPU). The window keeps the layer.
fn quiet_headless_vulkan(cli: &splatview::cli::Cli) {
    if cli.command.is_none() || std::env::var_os("NODEVICE_SELECT").is_some() {
        return;
    }
    // SAFETY: called at the top of `main`, before this process starts any other
    // thread, so nothing reads the environment concurrently.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("NODEVICE_SELECT", "1");
    }
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("info,wgpu_core=warn,wgpu_hal=warn,naga=warn"),
    )
    .init();
    let cli = splatview::cli::Cli::parse();
    quiet_headless_vulkan(&cli);
    match splatview::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => match err.downcast_ref::<splatview::cli::UsageError>() {
            Some(usage) => {
                eprintln!("error: {usage}");
                ExitCode::from(2)
            }
            None => {
                eprintln!("error: {}", error_line(&err));
                ExitCode::FAILURE
            }
        },
    }
}

/// The error and its causes on one line, leaving out a cause whose text the
/// message already holds (our `thiserror` messages name their source).
fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}
