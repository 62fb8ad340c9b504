//! The hierarchy cache: a second open loads what the first built; corrupt,
//! truncated and stale entries are detected and rebuilt, never trusted; a
//! hierarchy beside its scene is read first, a wrong one left alone.

mod lod_util;

use std::path::PathBuf;

use lod_util::random_cloud;
use splatview::scene::lod::cache::{FORMAT_VERSION, scene_key};
use splatview::scene::lod::{BuildOptions, CacheSource, LodCache, LodCacheError, LodHierarchy};
use splatview::scene::{AaHint, AaMode, SplatCloud};

/// A fresh, empty cache directory for one test.
fn cache_dir(name: &str) -> LodCache {
    let dir =
        std::env::temp_dir().join(format!("splatview-lod-cache-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    LodCache::new(dir)
}

fn open(cache: &LodCache, scene: &SplatCloud) -> (LodHierarchy, CacheSource) {
    cache
        .load_or_build(scene, &BuildOptions::default(), None)
        .expect("build")
}

fn entry(cache: &LodCache, scene: &SplatCloud) -> PathBuf {
    cache.entry_path(scene_key(scene), BuildOptions::default().branching)
}

#[test]
fn a_second_open_loads_the_cached_hierarchy() {
    let cache = cache_dir("second-open");
    let scene = random_cloud(3000, 5.0, 2, 21);
    let (built, source) = open(&cache, &scene);
    assert!(
        matches!(
            &source,
            CacheSource::Built {
                reason: LodCacheError::Io { .. },
                write_error: None
            }
        ),
        "{source:?}"
    );
    assert!(entry(&cache, &scene).exists());
    let (loaded, source) = open(&cache, &scene);
    assert!(matches!(source, CacheSource::Loaded), "{source:?}");
    assert_eq!(built, loaded);
    // A different scene (one splat moved) has another key, so another entry.
    let mut moved = scene.clone();
    moved.positions[0][0] += 1e-3;
    assert_ne!(scene_key(&scene), scene_key(&moved));
    let (_, source) = open(&cache, &moved);
    assert!(matches!(source, CacheSource::Built { .. }));
    let _ = std::fs::remove_dir_all(cache.dir());
}

#[test]
fn the_anti_aliasing_mode_is_part_of_the_key_and_survives_the_cache() {
    let cache = cache_dir("aa-mode");
    let classic = random_cloud(500, 5.0, 0, 22);
    let mut mip = classic.clone();
    mip.set_aa_hint(AaHint::new(AaMode::Mip, "PLY comment SplatRenderMode: mip"));
    assert_ne!(scene_key(&classic), scene_key(&mip));
    let (built, _) = open(&cache, &mip);
    let (loaded, source) = open(&cache, &mip);
    assert!(matches!(source, CacheSource::Loaded), "{source:?}");
    assert_eq!(loaded, built);
    assert_eq!(loaded.interior().aa_hint, mip.aa_hint);
    let _ = std::fs::remove_dir_all(cache.dir());
}

/// Damages the cached entry with `damage`, then checks the next open rebuilds it
/// for the reason `expected` and the one after loads the repaired entry.
fn assert_rebuilt(name: &str, damage: impl Fn(&mut Vec<u8>), expected: fn(&LodCacheError) -> bool) {
    let cache = cache_dir(name);
    let scene = random_cloud(2000, 5.0, 1, 5);
    let (built, _) = open(&cache, &scene);
    let path = entry(&cache, &scene);
    let mut bytes = std::fs::read(&path).expect("entry written");
    damage(&mut bytes);
    std::fs::write(&path, &bytes).expect("write");
    let (rebuilt, source) = open(&cache, &scene);
    match &source {
        CacheSource::Built {
            reason,
            write_error: None,
        } => {
            assert!(
                expected(reason),
                "{name}: rebuilt for an unexpected reason: {reason}"
            );
            eprintln!("{name}: {reason}");
        }
        other => panic!("{name}: the damaged entry was used: {other:?}"),
    }
    assert_eq!(rebuilt, built);
    let (_, source) = open(&cache, &scene);
    assert!(
        matches!(source, CacheSource::Loaded),
        "{name}: not repaired: {source:?}"
    );
    let _ = std::fs::remove_dir_all(cache.dir());
}

fn is_corrupt(e: &LodCacheError) -> bool {
    matches!(e, LodCacheError::Corrupt { .. })
}

fn is_stale(e: &LodCacheError) -> bool {
    matches!(e, LodCacheError::Stale { .. })
}

#[test]
fn a_flipped_payload_byte_is_detected() {
    assert_rebuilt(
        "flipped",
        |b| {
            let at = b.len() / 2;
            b[at] ^= 0x10;
        },
        is_corrupt,
    );
}

#[test]
fn a_truncated_entry_is_detected() {
    assert_rebuilt("truncated", |b| b.truncate(b.len() - 7), is_corrupt);
    assert_rebuilt("header-only", |b| b.truncate(50), is_corrupt);
    assert_rebuilt("empty", |b| b.clear(), is_corrupt);
}

#[test]
fn a_damaged_header_is_detected() {
    assert_rebuilt("magic", |b| b[0] = b'X', is_corrupt);
    // The node count (offset 40) no longer matches the payload.
    assert_rebuilt("node-count", |b| b[40] ^= 1, is_corrupt);
}

#[test]
fn an_entry_from_another_format_version_is_stale() {
    // The version field sits at offset 12.
    assert_rebuilt(
        "version",
        |b| b[12..16].copy_from_slice(&(FORMAT_VERSION + 1).to_ne_bytes()),
        is_stale,
    );
    assert_rebuilt("endianness", |b| b[8..12].reverse(), is_stale);
}

#[test]
fn an_entry_for_another_scene_is_stale() {
    // Another scene's entry copied under this scene's name (as a stale or
    // mis-keyed cache would be).
    let cache = cache_dir("other-scene");
    let scene = random_cloud(2000, 5.0, 1, 5);
    let other = random_cloud(2000, 5.0, 1, 6);
    open(&cache, &other);
    std::fs::copy(entry(&cache, &other), entry(&cache, &scene)).expect("copy");
    let (h, source) = open(&cache, &scene);
    assert!(
        matches!(
            &source,
            CacheSource::Built {
                reason: LodCacheError::Stale { .. },
                ..
            }
        ),
        "{source:?}"
    );
    assert_eq!(h.splat_count(), scene.len());
    let _ = std::fs::remove_dir_all(cache.dir());
}

#[test]
fn a_payload_that_passes_the_checksum_but_breaks_the_tree_is_rejected() {
    // Rewrite a node's parent and fix the checksum: only validation can catch it.
    let cache = cache_dir("forged");
    let scene = random_cloud(500, 5.0, 0, 2);
    open(&cache, &scene);
    let path = entry(&cache, &scene);
    let mut bytes = std::fs::read(&path).expect("entry");
    // Node 5's parent (offset 16 within the 32-byte node) points at itself.
    let node5 = 104 + 5 * 32 + 16;
    bytes[node5..node5 + 4].copy_from_slice(&5u32.to_ne_bytes());
    let checksum = xxhash_rust::xxh3::xxh3_128(&bytes[104..]).to_le_bytes();
    bytes[88..104].copy_from_slice(&checksum);
    std::fs::write(&path, &bytes).expect("write");
    let (_, source) = open(&cache, &scene);
    match source {
        CacheSource::Built {
            reason: LodCacheError::Corrupt { reason, .. },
            ..
        } => {
            eprintln!("forged node rejected: {reason}");
        }
        other => panic!("forged entry not rejected: {other:?}"),
    }
    let _ = std::fs::remove_dir_all(cache.dir());
}

#[test]
fn an_unwritable_cache_still_returns_the_hierarchy() {
    let file = std::env::temp_dir().join(format!("splatview-lod-not-a-dir-{}", std::process::id()));
    std::fs::write(&file, b"x").expect("write");
    let cache = LodCache::new(file.join("lod"));
    let scene = random_cloud(100, 5.0, 0, 2);
    let (h, source) = open(&cache, &scene);
    assert_eq!(h.splat_count(), 100);
    assert!(
        matches!(
            source,
            CacheSource::Built {
                write_error: Some(_),
                ..
            }
        ),
        "{source:?}"
    );
    let _ = std::fs::remove_file(&file);
}

/// A hierarchy written beside its scene (`scene.ply.lod`, what `lod-build
/// --out` writes for shipping with a scene) is read before the cache; one of
/// another scene there is not used, and left as it was.
#[test]
fn a_hierarchy_beside_the_scene_is_read_first_and_a_wrong_one_is_left_alone() {
    use splatview::scene::lod::cache::{load_or_build_hierarchy, sidecar_path, write_hierarchy};
    let cache = cache_dir("beside");
    let dir = cache.dir().with_extension("scenes");
    std::fs::create_dir_all(&dir).expect("scene dir");
    let scene_path = dir.join("scene.ply");
    let beside = sidecar_path(&scene_path);
    assert_eq!(beside, dir.join("scene.ply.lod"));
    let scene = random_cloud(2500, 5.0, 1, 31);
    let options = BuildOptions::default();
    let built = splatview::scene::lod::build::build(&scene, &options, None).expect("build");
    write_hierarchy(&beside, &built, scene_key(&scene)).expect("write beside");

    for cache in [Some(&cache), None] {
        let (read, source) =
            load_or_build_hierarchy(cache, Some(&scene_path), &scene, &options, None)
                .expect("hierarchy");
        assert!(
            matches!(&source, CacheSource::Beside(path) if *path == beside),
            "{source:?}"
        );
        assert_eq!(read, built);
    }
    assert!(
        !entry(&cache, &scene).exists(),
        "the cache was written though the file beside the scene was read"
    );

    // Another scene's hierarchy beside this one: stale, so the cache (built
    // and written), and the file stays as it was.
    let other = random_cloud(2500, 5.0, 1, 32);
    let before = std::fs::read(&beside).expect("read");
    let (read, source) =
        load_or_build_hierarchy(Some(&cache), Some(&scene_path), &other, &options, None)
            .expect("hierarchy");
    assert!(matches!(source, CacheSource::Built { .. }), "{source:?}");
    assert_eq!(read.splat_count(), other.len());
    assert!(entry(&cache, &other).exists());
    assert_eq!(std::fs::read(&beside).expect("read"), before);
    // No cache at all: built.
    let (_, source) =
        load_or_build_hierarchy(None, Some(&scene_path), &other, &options, None).expect("build");
    assert!(matches!(source, CacheSource::Uncached), "{source:?}");
    let _ = std::fs::remove_dir_all(cache.dir());
    let _ = std::fs::remove_dir_all(&dir);
}
