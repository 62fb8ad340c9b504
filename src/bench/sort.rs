//! `splatview bench-sort`: the GPU radix sort alone on random keys, verified
//! against the CPU sort.

use std::time::Instant;

use clap::Args;

use super::{SortPathArg, median};
use crate::gpu::GpuContext;
use crate::gpu::profiler::{FramePass, GpuProfiler};
use crate::gpu::readback::read_buffer;
use crate::render::sort::{RadixSorter, SortBuffers, SortCount, SortPath, passes_for_key_bits};

#[derive(Debug, Args)]
pub struct BenchSortArgs {
    /// Number of random (key, value) pairs.
    #[arg(long, default_value_t = 1 << 20)]
    pub count: u32,
    /// Key bits to sort by (8, 16, 24 or 32).
    #[arg(long, default_value_t = 32)]
    pub key_bits: u32,
    /// Number of timed sorts.
    #[arg(long, default_value_t = 20)]
    pub iterations: usize,
    /// Sort kernels: the fastest the adapter supports, or one path.
    #[arg(long, value_enum, default_value_t = SortPathArg::Auto)]
    pub path: SortPathArg,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, serde::Serialize)]
pub struct BenchSortReport {
    pub adapter: String,
    pub backend: String,
    pub count: u32,
    pub key_bits: u32,
    pub sort_path: SortPath,
    pub iterations: usize,
    pub ms_median: f64,
    pub ms_min: f64,
    pub keys_per_s: f64,
    pub timing_source: &'static str,
    pub verified: bool,
}

pub fn run_bench_sort(args: &BenchSortArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.count >= 1, "--count must be at least 1");
    let ctx = GpuContext::new_headless()?;
    let sorter = RadixSorter::with_path(&ctx.device, args.path.resolve(&ctx.device))?;
    let n = args.count.max(1);
    let passes = passes_for_key_bits(args.key_bits);
    let mask = if passes >= 4 {
        u32::MAX
    } else {
        (1u32 << (passes * 8)) - 1
    };
    let mut state = 0x1234_5678_9ABC_DEF0u64;
    let keys: Vec<u32> = (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 16) as u32 & mask
        })
        .collect();
    let values: Vec<u32> = (0..n).collect();
    let mut buffers = sorter.create_buffers(&ctx.device, n, wgpu::BufferUsages::COPY_SRC);
    let mut profiler = GpuProfiler::new(&ctx.device, &ctx.queue);
    let mut times = Vec::with_capacity(args.iterations);
    for iteration in 0..args.iterations + 2 {
        ctx.queue
            .write_buffer(&buffers.keys[0], 0, bytemuck::cast_slice(&keys));
        ctx.queue
            .write_buffer(&buffers.values[0], 0, bytemuck::cast_slice(&values));
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        let writes = profiler.as_mut().map(|p| p.compute_writes(FramePass::Sort));
        sorter.encode(
            &ctx.queue,
            &mut encoder,
            &mut buffers,
            SortCount::Cpu(n),
            passes,
            writes,
        );
        if let Some(p) = &mut profiler {
            p.resolve(&mut encoder);
        }
        let started = Instant::now();
        ctx.queue.submit([encoder.finish()]);
        if let Some(p) = &mut profiler {
            p.after_submit();
        }
        ctx.device.poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: None,
        })?;
        let cpu_ms = started.elapsed().as_secs_f64() * 1000.0;
        let ms = match &mut profiler {
            Some(p) => p.poll_results().map_or(cpu_ms, |t| t.sort),
            None => cpu_ms,
        };
        // The first two runs include shader compilation on some drivers.
        if iteration >= 2 {
            times.push(ms);
        }
    }
    let result = SortBuffers::result_index(passes);
    let bytes = u64::from(n) * 4;
    let gpu_keys: Vec<u32> = bytemuck::pod_collect_to_vec(&read_buffer(
        &ctx.device,
        &ctx.queue,
        &buffers.keys[result],
        0,
        bytes,
    )?);
    let gpu_values: Vec<u32> = bytemuck::pod_collect_to_vec(&read_buffer(
        &ctx.device,
        &ctx.queue,
        &buffers.values[result],
        0,
        bytes,
    )?);
    let (cpu_keys, cpu_values) = crate::reference::sort_pairs(&keys, &values);
    let verified = gpu_keys == cpu_keys && gpu_values == cpu_values;
    ctx.check_errors("sort benchmark")?;

    let info = ctx.adapter.get_info();
    let ms_median = median(&mut times.clone());
    let report = BenchSortReport {
        adapter: info.name.clone(),
        backend: format!("{:?}", info.backend),
        count: n,
        key_bits: passes * 8,
        sort_path: sorter.path(),
        iterations: times.len(),
        ms_median,
        ms_min: times.iter().copied().fold(f64::INFINITY, f64::min),
        keys_per_s: f64::from(n) / (ms_median / 1000.0).max(1e-12),
        timing_source: if profiler.is_some() {
            "timestamps"
        } else {
            "cpu"
        },
        verified,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("adapter     {} ({})", report.adapter, report.backend);
        println!(
            "sort        {} pairs, {}-bit keys, {} iterations, {} path",
            report.count,
            report.key_bits,
            report.iterations,
            report.sort_path.name()
        );
        println!(
            "time        median {:.3} ms, min {:.3} ms ({})",
            report.ms_median, report.ms_min, report.timing_source
        );
        println!("throughput  {:.1} M keys/s", report.keys_per_s / 1e6);
        println!("verified    {}", report.verified);
    }
    anyhow::ensure!(verified, "GPU sort result differs from the CPU reference");
    Ok(())
}
