//! Damaged and hostile mesh files: truncated, out-of-range indices, non-finite
//! vertices, a missing MTL or texture, absurd declared sizes, node cycles, random byte
//! flips. Each must give an error naming the file or an object that is consistent
//! (with a warning for what was skipped): never a panic, a hang or a huge allocation.
//! A counting allocator checks the last: no single allocation may exceed
//! [`MAX_ALLOCATION`] while these tests run.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use splatview::io::LoadError;
use splatview::io::mesh::load_mesh_file;
use splatview::scene::MeshObject;
use splatview::scene::mesh::MeshFormat;

/// Largest single allocation any test here may make (the biggest legitimate ones are a
/// copy of the largest test file, 1.8 MB, and its decoded vertices).
const MAX_ALLOCATION: usize = 64 << 20;

struct Counting;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// A test-only wrapper around the system allocator that records the largest request.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn check_allocations(what: &str) {
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(
        largest <= MAX_ALLOCATION,
        "{what}: an allocation of {largest} bytes"
    );
}

fn mesh_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/meshes")
        .join(name)
}

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("splatview-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("should succeed");
    dir
}

fn load(path: &Path, format: MeshFormat) -> Result<MeshObject, LoadError> {
    load_mesh_file(path, format, &mut |_| true)
}

/// Writes `bytes` to `dir/name` and loads it: the error must name the file, and a
/// loaded object must be consistent.
fn try_bytes(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    format: MeshFormat,
) -> Result<MeshObject, String> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("should succeed");
    match load(&path, format) {
        Ok(object) => {
            assert!(object.is_consistent(), "{name}");
            Ok(object)
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.contains(name), "error does not name the file: {text}");
            Err(text)
        }
    }
}

#[test]
fn truncated_files_fail_cleanly_or_keep_what_is_whole() {
    let dir = scratch("truncated");
    for (name, format) in [
        ("cube_binary.ply", MeshFormat::Ply),
        ("Wuson.ply", MeshFormat::Ply),
        ("box.obj", MeshFormat::Obj),
        ("BoxTextured.glb", MeshFormat::Gltf),
    ] {
        let bytes = std::fs::read(mesh_path(name)).expect("should succeed");
        let cuts: Vec<usize> = (1..12).map(|k| bytes.len() * k / 12).collect();
        for cut in cuts {
            let result = try_bytes(&dir, name, &bytes[..cut], format);
            // A PLY whose body stops early keeps the whole records, with a warning.
            if let Ok(object) = &result
                && format == MeshFormat::Ply
            {
                assert!(
                    !object.warnings.is_empty(),
                    "{name} cut at {cut}: no warning"
                );
            }
        }
        // A binary PLY cut inside the faces keeps the faces before the cut.
        if name == "cube_binary.ply" {
            let object =
                try_bytes(&dir, name, &bytes[..bytes.len() - 20], format).expect("should succeed");
            assert!(object.triangle_count() < 12 && object.triangle_count() > 0);
            assert!(object.warnings[0].contains("face"), "{:?}", object.warnings);
        }
        if name == "BoxTextured.glb" {
            let err =
                try_bytes(&dir, name, &bytes[..bytes.len() / 2], format).expect_err("should fail");
            assert!(err.contains("glTF"), "{err}");
        }
    }
    check_allocations("truncated");
    std::fs::remove_dir_all(&dir).ok();
}

const PLY_HEADER: &str = "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\n\
                          property float z\nelement face 2\nproperty list uchar int vertex_indices\nend_header\n";

#[test]
fn out_of_range_indices_are_skipped_with_a_warning() {
    let dir = scratch("indices");
    let ply = format!("{PLY_HEADER}0 0 0\n1 0 0\n0 1 0\n1 1 0\n3 0 1 2\n3 1 3 99\n");
    let object =
        try_bytes(&dir, "bad_index.ply", ply.as_bytes(), MeshFormat::Ply).expect("should succeed");
    assert_eq!(object.triangle_count(), 1);
    assert!(
        object.warnings.iter().any(|w| w.contains("outside 0..4")),
        "{:?}",
        object.warnings
    );
    let negative = format!("{PLY_HEADER}0 0 0\n1 0 0\n0 1 0\n1 1 0\n3 0 1 -1\n3 1 3 99\n");
    let err = try_bytes(&dir, "all_bad.ply", negative.as_bytes(), MeshFormat::Ply)
        .expect_err("should fail");
    assert!(err.contains("no usable triangle"), "{err}");

    let obj = "v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1 2 3\nf 1 2 7\nf 1//1 2//1 3//-9223372036854775808\n";
    let object =
        try_bytes(&dir, "bad_index.obj", obj.as_bytes(), MeshFormat::Obj).expect("should succeed");
    assert_eq!(object.triangle_count(), 1);
    assert!(
        object.warnings.iter().any(|w| w.contains("line 6")),
        "{:?}",
        object.warnings
    );

    let gltf = gltf_triangle(&[0, 1, 9], &[0.0; 0]);
    let err = try_bytes(&dir, "bad_index.gltf", gltf.as_bytes(), MeshFormat::Gltf)
        .expect_err("should fail");
    assert!(err.contains("no triangle"), "{err}");
    check_allocations("indices");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn non_finite_vertices_drop_their_triangles() {
    let dir = scratch("nan");
    // Binary: ply-rs's ASCII grammar has no `nan` token (such a record stops the read).
    let mut ply = PLY_HEADER
        .replace("ascii", "binary_little_endian")
        .into_bytes();
    for v in [
        [0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [f32::NAN, 1.0, 0.0],
    ] {
        ply.extend(v.iter().flat_map(|c: &f32| c.to_le_bytes()));
    }
    for face in [[0i32, 1, 2], [1, 3, 2]] {
        ply.push(3);
        ply.extend(face.iter().flat_map(|i| i.to_le_bytes()));
    }
    let object = try_bytes(&dir, "nan.ply", &ply, MeshFormat::Ply).expect("should succeed");
    assert_eq!(object.triangle_count(), 1);
    assert!(
        object.warnings.iter().any(|w| w.contains("non-finite")),
        "{:?}",
        object.warnings
    );
    let bounds = object.world_bounds().expect("should succeed");
    assert!(bounds.min.is_finite() && bounds.max.is_finite());

    let obj = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv inf 0 0\nf 1 2 3\nf 2 4 3\n";
    let object =
        try_bytes(&dir, "nan.obj", obj.as_bytes(), MeshFormat::Obj).expect("should succeed");
    assert_eq!(object.triangle_count(), 1);
    assert!(
        object.warnings.iter().any(|w| w.contains("non-finite")),
        "{:?}",
        object.warnings
    );

    let gltf = gltf_triangle(&[0, 1, 2, 1, 3, 2], &[f32::NAN, 1.0, 0.0]);
    let object =
        try_bytes(&dir, "nan.gltf", gltf.as_bytes(), MeshFormat::Gltf).expect("should succeed");
    assert_eq!(object.triangle_count(), 1);
    assert!(
        object.warnings.iter().any(|w| w.contains("non-finite")),
        "{:?}",
        object.warnings
    );

    let header = "ply\nformat binary_little_endian 1.0\nelement vertex 2\nproperty float x\n\
                  property float y\nproperty float z\nend_header\n";
    let mut points = header.as_bytes().to_vec();
    for c in [f32::NAN, 0.0, 0.0, 1.0, 2.0, 3.0] {
        points.extend(c.to_le_bytes());
    }
    let object =
        try_bytes(&dir, "nan_points.ply", &points, MeshFormat::Ply).expect("should succeed");
    assert_eq!(object.point_count(), 1);
    // In ASCII, ply-rs reads no `nan`: nothing is read, and the error says where.
    let ascii = header.replace("binary_little_endian", "ascii") + "nan 0 0\n1 2 3\n";
    let err = try_bytes(&dir, "nan_ascii.ply", ascii.as_bytes(), MeshFormat::Ply)
        .expect_err("should fail");
    assert!(err.contains("record 0 of 2"), "{err}");
    check_allocations("nan");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_missing_mtl_or_texture_is_a_warning() {
    let dir = scratch("mtl");
    let obj = "mtllib missing.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl red\nf 1 2 3\n";
    let object =
        try_bytes(&dir, "no_mtl.obj", obj.as_bytes(), MeshFormat::Obj).expect("should succeed");
    assert_eq!(object.triangle_count(), 1);
    assert!(
        object.warnings.iter().any(|w| w.contains("missing.mtl")),
        "{:?}",
        object.warnings
    );

    std::fs::write(
        dir.join("red.mtl"),
        "newmtl red\nKd 1 0 0\nmap_Kd .\\sub\\gone.png\n",
    )
    .expect("should succeed");
    let obj = "mtllib red.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nusemtl red\nf 1/1 2/1 3/1\n";
    let object =
        try_bytes(&dir, "no_texture.obj", obj.as_bytes(), MeshFormat::Obj).expect("should succeed");
    assert_eq!(object.materials[0].base_color, [1.0, 0.0, 0.0, 1.0]);
    assert_eq!(object.materials[0].base_color_texture, None);
    let warning = object.warnings.join("\n");
    assert!(
        warning.contains("gone.png") && warning.contains("sub"),
        "{warning}"
    );
    check_allocations("mtl");
    std::fs::remove_dir_all(&dir).ok();
}

/// A glTF with one mesh of the given indices (u16) over four positions (the first
/// replaced by `first` when given), stored in a base64 data URI.
fn gltf_triangle(indices: &[u16], first: &[f32]) -> String {
    let mut positions = [
        [0.0f32, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [1.0, 1.0, 0.0],
    ];
    if let [x, y, z] = *first {
        positions[0] = [x, y, z];
    }
    let mut bin: Vec<u8> = positions
        .iter()
        .flatten()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let index_offset = bin.len();
    bin.extend(indices.iter().flat_map(|i| i.to_le_bytes()));
    let uri = base64::engine::general_purpose::STANDARD.encode(&bin);
    format!(
        r#"{{"asset": {{"version": "2.0"}}, "scene": 0, "scenes": [{{"nodes": [0]}}],
        "nodes": [{{"mesh": 0}}],
        "meshes": [{{"primitives": [{{"attributes": {{"POSITION": 0}}, "indices": 1}}]}}],
        "buffers": [{{"byteLength": {len}, "uri": "data:application/octet-stream;base64,{uri}"}}],
        "bufferViews": [{{"buffer": 0, "byteLength": 48}},
                        {{"buffer": 0, "byteOffset": {index_offset}, "byteLength": {ilen}}}],
        "accessors": [{{"bufferView": 0, "componentType": 5126, "count": 4, "type": "VEC3",
                        "min": [0, 0, 0], "max": [1, 1, 0]}},
                      {{"bufferView": 1, "componentType": 5123, "count": {count}, "type": "SCALAR"}}]}}"#,
        len = bin.len(),
        ilen = indices.len() * 2,
        count = indices.len(),
    )
}

#[test]
fn gltf_buffers_from_data_uris_and_external_files() {
    let dir = scratch("gltf-buffers");
    let text = gltf_triangle(&[0, 1, 2, 1, 3, 2], &[]);
    let object = try_bytes(&dir, "embedded.gltf", text.as_bytes(), MeshFormat::Gltf)
        .expect("should succeed");
    assert_eq!(object.triangle_count(), 2);

    // The same buffer as an external file whose name needs percent-decoding.
    let start = text.find("data:").expect("should succeed");
    let end = start + text[start..].find('"').expect("should succeed");
    let payload = text[start..end].split_once(",").expect("should succeed").1;
    let bin = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .expect("should succeed");
    std::fs::write(dir.join("my buffer.bin"), &bin).expect("should succeed");
    let external = format!("{}my%20buffer.bin{}", &text[..start], &text[end..]);
    let object = try_bytes(&dir, "external.gltf", external.as_bytes(), MeshFormat::Gltf)
        .expect("should succeed");
    assert_eq!(object.triangle_count(), 2);
    assert!(object.warnings.is_empty(), "{:?}", object.warnings);

    let missing = format!("{}gone.bin{}", &text[..start], &text[end..]);
    let err = try_bytes(&dir, "missing.gltf", missing.as_bytes(), MeshFormat::Gltf)
        .expect_err("should fail");
    assert!(err.contains("gone.bin"), "{err}");
    check_allocations("gltf buffers");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_buffer_claiming_gigabytes_fails_within_the_allocation_cap() {
    let dir = scratch("gltf-huge");
    // The buffer claims 4 GB and an accessor a billion vertices; 60 bytes exist.
    let text = gltf_triangle(&[0, 1, 2], &[])
        .replace("\"byteLength\": 54,", "\"byteLength\": 4000000000,")
        .replace("\"byteLength\": 48}", "\"byteLength\": 3999999000}")
        .replace("\"count\": 4,", "\"count\": 1000000000,");
    assert!(text.contains("4000000000") && text.contains("1000000000"));
    let err =
        try_bytes(&dir, "huge.gltf", text.as_bytes(), MeshFormat::Gltf).expect_err("should fail");
    assert!(err.contains("no triangle"), "{err}");

    // The same in a GLB: the BIN chunk is small, the JSON claims gigabytes.
    let uri_start = text.find(", \"uri\"").expect("should succeed");
    let uri_end = uri_start + text[uri_start..].find("\"}").expect("should succeed") + 1;
    let json = format!("{}{}", &text[..uri_start], &text[uri_end..]);
    assert!(json.contains("{\"byteLength\": 4000000000}"), "{json}");
    let huge = glb(&json, &[0u8; 64]);
    let err = try_bytes(&dir, "huge.glb", &huge, MeshFormat::Gltf).expect_err("should fail");
    assert!(err.contains("huge.glb"), "{err}");

    // A GLB header whose total length is below its own size.
    let mut bad = glb(&json, &[]);
    bad[8..12].copy_from_slice(&4u32.to_le_bytes());
    let err = try_bytes(&dir, "short.glb", &bad, MeshFormat::Gltf).expect_err("should fail");
    assert!(err.contains("length"), "{err}");
    check_allocations("huge glTF");
    std::fs::remove_dir_all(&dir).ok();
}

/// A GLB holding `json` and a `BIN` chunk.
fn glb(json: &str, bin: &[u8]) -> Vec<u8> {
    let mut json = json.as_bytes().to_vec();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let total = 12 + 8 + json.len() + 8 + bin.len();
    let mut out = Vec::new();
    out.extend(b"glTF");
    out.extend(2u32.to_le_bytes());
    out.extend((total as u32).to_le_bytes());
    out.extend((json.len() as u32).to_le_bytes());
    out.extend(b"JSON");
    out.extend(&json);
    out.extend((bin.len() as u32).to_le_bytes());
    out.extend(b"BIN\0");
    out.extend(bin);
    out
}

#[test]
fn node_cycles_extensions_and_other_modes_are_contained() {
    let dir = scratch("gltf-structure");
    let base = gltf_triangle(&[0, 1, 2], &[]);
    // Node 0 is its own child: the walk stops at the depth limit.
    let cycle = base.replace(
        "\"nodes\": [{\"mesh\": 0}]",
        "\"nodes\": [{\"mesh\": 0, \"children\": [0]}]",
    );
    let object =
        try_bytes(&dir, "cycle.gltf", cycle.as_bytes(), MeshFormat::Gltf).expect("should succeed");
    assert!(
        object.warnings.iter().any(|w| w.contains("cut")),
        "{:?}",
        object.warnings
    );
    assert!(object.instances.len() <= 256);

    let ext = base.replace(
        "\"scene\": 0,",
        "\"extensionsUsed\": [\"KHR_texture_transform\"], \"scene\": 0,",
    );
    let object =
        try_bytes(&dir, "ext.gltf", ext.as_bytes(), MeshFormat::Gltf).expect("should succeed");
    assert!(
        object.warnings[0].contains("KHR_texture_transform"),
        "{:?}",
        object.warnings
    );

    let lines = base.replace("\"indices\": 1}", "\"indices\": 1, \"mode\": 1}");
    let err =
        try_bytes(&dir, "lines.gltf", lines.as_bytes(), MeshFormat::Gltf).expect_err("should fail");
    assert!(err.contains("draws no triangles"), "{err}");
    let strip = gltf_triangle(&[0, 1, 2, 3], &[])
        .replace("\"indices\": 1}", "\"indices\": 1, \"mode\": 5}");
    let object =
        try_bytes(&dir, "strip.gltf", strip.as_bytes(), MeshFormat::Gltf).expect("should succeed");
    assert_eq!(object.meshes[0].primitives[0].indices, [0, 1, 2, 2, 1, 3]);
    check_allocations("gltf structure");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn absurd_ply_counts_and_flipped_bytes() {
    let dir = scratch("flips");
    let absurd = PLY_HEADER.replace("element face 2", "element face 4000000000");
    let text = format!("{absurd}0 0 0\n1 0 0\n0 1 0\n1 1 0\n3 0 1 2\n");
    let object =
        try_bytes(&dir, "absurd.ply", text.as_bytes(), MeshFormat::Ply).expect("should succeed");
    assert_eq!(object.triangle_count(), 1);
    let binary = "ply\nformat binary_little_endian 1.0\nelement vertex 4000000000\nproperty float x\n\
                  property float y\nproperty float z\nend_header\n";
    let err = try_bytes(&dir, "absurd_bin.ply", binary.as_bytes(), MeshFormat::Ply)
        .expect_err("should fail");
    assert!(err.contains("ends after 0"), "{err}");

    // Random byte flips (a fixed pseudo-random sequence) in every test mesh.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (name, format, rounds) in [
        ("cube_binary.ply", MeshFormat::Ply, 60),
        ("airplane.ply", MeshFormat::Ply, 12),
        ("box.obj", MeshFormat::Obj, 60),
        ("BoxTextured.glb", MeshFormat::Gltf, 60),
    ] {
        let original = std::fs::read(mesh_path(name)).expect("should succeed");
        for _ in 0..rounds {
            let mut bytes = original.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            let _ = try_bytes(&dir, name, &bytes, format);
        }
    }
    check_allocations("flips");
    std::fs::remove_dir_all(&dir).ok();
}
