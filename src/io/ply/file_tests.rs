//! Unit tests for the piecewise binary PLY file loader (`file.rs`) against the
//! in-memory parser, on small files written to a temporary folder.

use std::path::PathBuf;

use super::tests::{El, STANDARD, encode, parse, splat_vertex};
use super::*;
use crate::io::MemoryBudget;

/// Writes `bytes` to a fresh temporary file and returns its path.
fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("splatview-ply-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

#[test]
fn file_loader_in_pieces_equals_the_in_memory_parser() {
    let mut order = STANDARD.to_vec();
    order.insert(3, "nx");
    order.push("nz");
    for (format, degree, n) in [
        ("binary_little_endian", 0, 3),
        ("binary_little_endian", 3, 20_011),
        ("binary_big_endian", 1, 17_000),
        ("binary_little_endian", 2, 1),
    ] {
        let meta = El {
            name: "meta",
            props: vec![("a".into(), "double")],
            rows: vec![vec![vec![1.0]]; 3],
        };
        let bytes = encode(
            format,
            &["SplatRenderMode: mip"],
            &[meta, splat_vertex(n, degree, &order)],
        );
        let expected = parse(&bytes).expect("in-memory parse");
        let path = temp_file(&format!("pieces-{format}-{degree}.ply"), &bytes);
        // Pieces of one record, of a few records, and one piece for everything.
        for piece in [1, 4000, 1 << 30] {
            let cloud = file::load_binary_ply_in_pieces(&path, piece, &MemoryBudget::UNLIMITED)
                .expect("load")
                .unwrap_or_else(|| panic!("{format}: binary PLY did not take the file path"));
            assert!(cloud == expected, "{format} SH{degree} n={n} piece={piece}");
        }
        let via_public = crate::io::load_splat_file(&path).expect("load_splat_file");
        assert!(via_public == expected);
    }
}

#[test]
fn file_loader_leaves_other_layouts_to_the_general_parser() {
    let ascii = encode("ascii", &[], &[splat_vertex(3, 0, &STANDARD)]);
    let path = temp_file("ascii.ply", &ascii);
    assert!(
        load_binary_ply(&path, &MemoryBudget::UNLIMITED)
            .expect("probe")
            .is_none()
    );
    assert_eq!(
        crate::io::load_splat_file(&path).expect("ascii load"),
        parse(&ascii).expect("ascii parse")
    );

    let list_first = El {
        name: "face",
        props: vec![("vertex_indices".into(), "list uchar int")],
        rows: vec![vec![vec![0.0, 1.0, 2.0]]],
    };
    let bytes = encode(
        "binary_little_endian",
        &[],
        &[list_first, splat_vertex(3, 1, &STANDARD)],
    );
    let path = temp_file("list-first.ply", &bytes);
    assert!(
        load_binary_ply(&path, &MemoryBudget::UNLIMITED)
            .expect("probe")
            .is_none()
    );
    assert_eq!(
        crate::io::load_splat_file(&path).expect("load"),
        parse(&bytes).expect("parse")
    );

    // Truncated: the general parser reports it.
    let whole = encode(
        "binary_little_endian",
        &[],
        &[splat_vertex(10, 0, &STANDARD)],
    );
    let path = temp_file("truncated.ply", &whole[..whole.len() - 7]);
    assert!(
        load_binary_ply(&path, &MemoryBudget::UNLIMITED)
            .expect("probe")
            .is_none()
    );
    let err = crate::io::load_splat_file(&path).expect_err("truncated");
    assert!(matches!(err, LoadError::Truncated { .. }), "{err}");
}
