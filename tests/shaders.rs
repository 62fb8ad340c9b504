//! Every WGSL file, with includes resolved, parses and validates with naga.

use splatview::gpu::shader::{
    SHADER_FILES, shader_source, shader_source_replacing, shader_source_with,
};
use splatview::render::tile::output::{ACCUMULATION_OUTPUT, FOLDED_OUTPUT};
use splatview::render::tile::{
    LARGE_TILE_SIZE, LARGE_TILE_SIZE_DECLARATION, TILE_SIZE_DECLARATION, tile_size_variant,
};

fn validate(name: &str) -> Result<(), String> {
    validate_source(name, &shader_source(name).map_err(|e| e.to_string())?)
}

fn validate_source(name: &str, source: &str) -> Result<(), String> {
    let module = naga::front::wgsl::parse_str(source)
        .map_err(|e| format!("{name}: {}", e.emit_to_string(source)))?;
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        // unpack2x16float needs this; wgpu grants it on every native backend
        // (DownlevelFlags::SHADER_F16_IN_F32).
        // The subgroup sort path needs subgroups; wgpu grants them with
        // Features::SUBGROUP, and the sort only uses that path then.
        naga::valid::Capabilities::default()
            | naga::valid::Capabilities::SHADER_FLOAT16_IN_FLOAT32
            | naga::valid::Capabilities::SUBGROUP
            | naga::valid::Capabilities::SUBGROUP_BARRIER,
    )
    .subgroup_stages(naga::valid::ShaderStages::COMPUTE)
    .subgroup_operations(naga::valid::SubgroupOperationSet::all())
    .validate(&module)
    .map_err(|e| format!("{name}: {}", e.emit_to_string(source)))?;
    Ok(())
}

#[test]
fn all_shaders_validate() {
    let errors: Vec<String> = SHADER_FILES
        .iter()
        .filter_map(|(name, _)| validate(name).err())
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}

/// The tiles' blend and merge kernels writing a view's 8-bit output (the
/// compose pass folded in) are the same files with the storage format
/// replaced: the variants validate too, and the replacement finds its target.
#[test]
fn folded_tile_kernels_validate() {
    for name in ["tile_raster.wgsl", "tile_merge.wgsl"] {
        let source = shader_source_replacing(name, ACCUMULATION_OUTPUT, FOLDED_OUTPUT)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(source.contains(FOLDED_OUTPUT), "{name}");
        validate_source(name, &source).unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(shader_source_replacing("compose.wgsl", ACCUMULATION_OUTPUT, FOLDED_OUTPUT).is_err());
}

/// The compute rasterizer's kernels for 16x16 tiles are every tile shader with
/// the tile side's declaration replaced (and the folded blend and merge
/// kernels with the format replaced too): they validate, with the workgroup
/// arrays and workgroup size that side implies.
#[test]
fn sixteen_pixel_tile_kernels_validate() {
    let variant = tile_size_variant(LARGE_TILE_SIZE);
    assert_eq!(
        variant,
        [(TILE_SIZE_DECLARATION, LARGE_TILE_SIZE_DECLARATION)]
    );
    assert!(tile_size_variant(8).is_empty());
    let tile_shaders: Vec<&str> = SHADER_FILES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| name.starts_with("tile_"))
        .collect();
    assert!(tile_shaders.len() >= 7, "{tile_shaders:?}");
    for name in tile_shaders {
        let source = shader_source_with(name, variant).unwrap_or_else(|e| panic!("{e}"));
        assert!(source.contains(LARGE_TILE_SIZE_DECLARATION), "{name}");
        validate_source(name, &source).unwrap_or_else(|e| panic!("{e}"));
    }
    for name in ["tile_raster.wgsl", "tile_merge.wgsl"] {
        let both = [variant[0], (ACCUMULATION_OUTPUT, FOLDED_OUTPUT)];
        let source = shader_source_with(name, &both).unwrap_or_else(|e| panic!("{e}"));
        validate_source(name, &source).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn every_shader_file_on_disk_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut on_disk = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read shaders/") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "wgsl") {
                let rel = path
                    .strip_prefix(&dir)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                on_disk.push(rel);
            }
        }
    }
    for file in &on_disk {
        assert!(
            SHADER_FILES.iter().any(|(name, _)| name == file),
            "shaders/{file} is not listed in SHADER_FILES, so it is neither used nor validated"
        );
    }
}

/// The project pass for adapters that cannot bind several pool segments is
/// the same file with the segments' declarations replaced by one segment's.
#[test]
fn single_segment_project_validates() {
    let variant = splatview::render::splat::SINGLE_SEGMENT_VARIANT;
    let source =
        shader_source_with("splat_project.wgsl", &[variant]).unwrap_or_else(|e| panic!("{e}"));
    assert!(!source.contains("splats_1"));
    validate_source("splat_project.wgsl", &source).unwrap_or_else(|e| panic!("{e}"));
}
