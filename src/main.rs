//! `splatview` binary: parse the command line, set up logging, launch.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("info,wgpu_core=warn,wgpu_hal=warn,naga=warn"),
    )
    .init();
    let cli = splatview::cli::Cli::parse();
    splatview::cli::run(cli)
}
