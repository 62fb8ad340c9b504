//! GPU radix sort against the CPU reference, keys and payload, on adversarial inputs,
//! for every sort path (portable, and subgroup where the adapter has subgroups).

mod common;

use std::sync::OnceLock;

use splatview::gpu::readback::read_buffer;
use splatview::reference::sort_pairs;
use splatview::render::sort::{RadixSorter, SortBuffers, SortCount, SortPath};

const PATHS: [SortPath; 2] = [SortPath::Portable, SortPath::Subgroup];

/// The sorter of `path`, shared by the tests. `None` skips: no adapter, or (outside
/// CI) an adapter without subgroups. Under CI the adapter is lavapipe, which has
/// subgroups, so a missing subgroup path is a failure there.
fn sorter(path: SortPath) -> Option<(&'static splatview::gpu::GpuContext, &'static RadixSorter)> {
    static SORTERS: OnceLock<[Option<RadixSorter>; 2]> = OnceLock::new();
    let ctx = common::gpu()?;
    let sorters = SORTERS.get_or_init(|| {
        PATHS.map(|path| match RadixSorter::with_path(&ctx.device, path) {
            Ok(sorter) => Some(sorter),
            Err(err) => {
                eprintln!("sort path {path:?} unavailable: {err}");
                None
            }
        })
    });
    let index = PATHS.iter().position(|p| *p == path)?;
    match &sorters[index] {
        Some(sorter) => Some((ctx, sorter)),
        None if common::in_ci() => panic!("the {path:?} sort path must run under CI"),
        None => None,
    }
}

/// splitmix64, for reproducible key sets.
fn random_keys(n: usize, seed: u64) -> Vec<u32> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 32) as u32
        })
        .collect()
}

fn gpu_sort_passes(
    path: SortPath,
    keys: &[u32],
    values: &[u32],
    passes: u32,
) -> Option<(Vec<u32>, Vec<u32>)> {
    let (ctx, sorter) = sorter(path)?;
    let mut buffers =
        sorter.create_buffers(&ctx.device, keys.len() as u32, wgpu::BufferUsages::COPY_SRC);
    ctx.queue
        .write_buffer(&buffers.keys[0], 0, bytemuck::cast_slice(keys));
    ctx.queue
        .write_buffer(&buffers.values[0], 0, bytemuck::cast_slice(values));
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    sorter.encode(
        &ctx.queue,
        &mut encoder,
        &mut buffers,
        SortCount::Cpu(keys.len() as u32),
        passes,
        None,
    );
    ctx.queue.submit([encoder.finish()]);
    let bytes = keys.len() as u64 * 4;
    let k = read_buffer(
        &ctx.device,
        &ctx.queue,
        &buffers.keys[SortBuffers::result_index(passes)],
        0,
        bytes,
    )
    .expect("read keys");
    let v = read_buffer(
        &ctx.device,
        &ctx.queue,
        &buffers.values[SortBuffers::result_index(passes)],
        0,
        bytes,
    )
    .expect("read values");
    Some((
        bytemuck::pod_collect_to_vec(&k),
        bytemuck::pod_collect_to_vec(&v),
    ))
}

/// Sorts `keys` (payload: their indices) on every path and compares with the CPU.
fn check(name: &str, keys: Vec<u32>) {
    let values: Vec<u32> = (0..keys.len() as u32).collect();
    let (cpu_keys, cpu_values) = sort_pairs(&keys, &values);
    for path in PATHS {
        let Some((gpu_keys, gpu_values)) = gpu_sort_passes(path, &keys, &values, 4) else {
            continue;
        };
        assert_eq!(gpu_keys.len(), cpu_keys.len());
        let first_bad = gpu_keys.iter().zip(&cpu_keys).position(|(a, b)| a != b);
        assert!(
            first_bad.is_none(),
            "{name} ({path:?}): keys differ first at {first_bad:?}"
        );
        let first_bad = gpu_values.iter().zip(&cpu_values).position(|(a, b)| a != b);
        assert!(
            first_bad.is_none(),
            "{name} ({path:?}): payload differs first at {first_bad:?} (sort not stable?)"
        );
    }
}

fn patterns(n: usize) -> Vec<(&'static str, Vec<u32>)> {
    vec![
        ("random", random_keys(n, n as u64)),
        ("all equal", vec![0xDEAD_BEEF; n]),
        ("already sorted", (0..n as u32).collect()),
        ("reverse sorted", (0..n as u32).rev().collect()),
        (
            "few distinct",
            random_keys(n, 7)
                .into_iter()
                .map(|k| k % 5 * 0x0101_0101)
                .collect(),
        ),
    ]
}

#[test]
fn sort_1k() {
    for (name, keys) in patterns(1000) {
        check(name, keys);
    }
}

#[test]
fn sort_odd_sizes() {
    for n in [0, 1, 2, 255, 257, 4095, 4097, 65_537] {
        check(&format!("random n={n}"), random_keys(n, 99));
    }
}

#[test]
fn sort_100k() {
    for (name, keys) in patterns(100_000) {
        check(name, keys);
    }
}

#[test]
fn sort_4m() {
    let n = 4 << 20;
    check("random 4M", random_keys(n, 4));
    check("all equal 4M", vec![7; n]);
    check("already sorted 4M", (0..n as u32).collect());
}

#[test]
fn sort_16m() {
    // The largest size the sort must scale to (issue 3), with the two hardest
    // patterns for a radix sort: all distinct and reverse-sorted.
    let n = 16 << 20;
    check("random 16M", random_keys(n, 16));
    check("reverse sorted 16M", (0..n as u32).rev().collect());
}

#[test]
fn sort_fewer_key_bits() {
    // 16- and 24-bit keys take 2 and 3 passes; the result lands in the other buffer
    // for an odd pass count.
    for (bits, passes) in [(16u32, 2u32), (24, 3), (8, 1)] {
        let keys: Vec<u32> = random_keys(70_000, u64::from(bits))
            .into_iter()
            .map(|k| k >> (32 - bits))
            .collect();
        let values: Vec<u32> = (0..keys.len() as u32).collect();
        let (cpu_keys, cpu_values) = sort_pairs(&keys, &values);
        for path in PATHS {
            let Some((gpu_keys, gpu_values)) = gpu_sort_passes(path, &keys, &values, passes) else {
                continue;
            };
            assert!(gpu_keys == cpu_keys, "{bits}-bit keys differ ({path:?})");
            assert!(
                gpu_values == cpu_values,
                "{bits}-bit payload differs ({path:?})"
            );
        }
    }
}

#[test]
fn sort_path_choice_follows_the_adapter() {
    let Some(ctx) = common::gpu() else {
        return;
    };
    let best = SortPath::best_for(&ctx.device);
    let supported = SortPath::Subgroup.check_support(&ctx.device).is_ok();
    let cpu = ctx.adapter.get_info().device_type == wgpu::DeviceType::Cpu;
    assert_eq!(best == SortPath::Subgroup, supported && cpu);
    assert_eq!(
        RadixSorter::new(&ctx.device).expect("sorter").path(),
        best,
        "RadixSorter::new must take the best path"
    );
    if common::in_ci() && cpu {
        // lavapipe, a CPU adapter, has subgroups (of 8) and subgroup barriers.
        assert!(
            supported,
            "lavapipe has subgroups; the subgroup path must run"
        );
        assert_eq!(best, SortPath::Subgroup);
    }
}

#[test]
fn sort_path_choice_by_adapter_type() {
    use wgpu::DeviceType::{Cpu, DiscreteGpu, IntegratedGpu};
    assert_eq!(SortPath::best_for_kind(Cpu, true), SortPath::Subgroup);
    assert_eq!(SortPath::best_for_kind(Cpu, false), SortPath::Portable);
    assert_eq!(
        SortPath::best_for_kind(DiscreteGpu, true),
        SortPath::Portable
    );
    assert_eq!(
        SortPath::best_for_kind(IntegratedGpu, false),
        SortPath::Portable
    );
}

#[test]
fn digit_runs_across_subgroup_boundaries() {
    // Equal digits in runs that straddle subgroups and rows, mixed with unique keys:
    // stresses the per-subgroup counts and their order across subgroups.
    let keys: Vec<u32> = (0..50_000u32)
        .map(|i| match i % 7 {
            0 | 3 => (i / 13) % 3,
            5 => i.wrapping_mul(2_654_435_761),
            _ => 0x0100_0000 * ((i / 5) % 4),
        })
        .collect();
    check("runs across subgroups", keys);
}
