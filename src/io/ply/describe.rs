//! Plain-language PLY header errors: what a file that is not a 3DGS PLY is
//! (a mesh, a point cloud), instead of the parser's internal dump (ply-rs
//! reports `ParseError { location: LineCol .. }`). Header lines that are not PLY
//! (free text some writers leave) are read as comments by `header.rs`.

use crate::text::group_digits;

/// The vertex properties that mark a Gaussian splat file (any one of them).
const SPLAT_MARKERS: [&str; 9] = [
    "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3", "opacity", "f_dc_0",
];

/// What splatview expects, for the end of the messages.
pub(super) const EXPECTED: &str = "splatview expects Gaussian splats: a 3DGS PLY whose `vertex` element has x, y, z, scale_0..2, rot_0..3, opacity and f_dc_0..2";

/// An element as declared in a header, read leniently (unknown lines skipped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ScannedElement {
    pub name: String,
    pub count: u64,
    pub properties: Vec<String>,
}

#[cfg(test)]
/// The elements a header declares, skipping lines that are not PLY.
pub(super) fn scan_elements(text: &str) -> Vec<ScannedElement> {
    let mut elements: Vec<ScannedElement> = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("element") => {
                let name = words.next().unwrap_or("").to_owned();
                let count = words.next().and_then(|c| c.parse().ok()).unwrap_or(0);
                elements.push(ScannedElement {
                    name,
                    count,
                    properties: Vec::new(),
                });
            }
            Some("property") => {
                if let (Some(element), Some(name)) = (elements.last_mut(), words.last()) {
                    element.properties.push(name.to_owned());
                }
            }
            _ => {}
        }
    }
    elements
}

/// Why a file whose `vertex` element has none of the Gaussian properties is not a
/// scene: "it is a mesh (N vertices, M faces), not Gaussian splats; ...". `None`
/// when the vertex element has some splat property (then a missing one is named
/// by the caller) or when there is no vertex element.
pub(super) fn not_splats_reason(elements: &[ScannedElement]) -> Option<String> {
    let vertex = elements.iter().find(|e| e.name == "vertex")?;
    if vertex
        .properties
        .iter()
        .any(|p| SPLAT_MARKERS.contains(&p.as_str()))
    {
        return None;
    }
    let faces = elements
        .iter()
        .find(|e| e.name == "face")
        .map_or(0, |e| e.count);
    let what = if faces > 0 {
        format!(
            "a mesh ({} vertices, {} faces)",
            group_digits(vertex.count),
            group_digits(faces)
        )
    } else if ["x", "y", "z"]
        .iter()
        .all(|axis| vertex.properties.iter().any(|p| p == axis))
    {
        format!("a point cloud ({} points)", group_digits(vertex.count))
    } else {
        format!("a PLY file with {} vertices", group_digits(vertex.count))
    };
    Some(format!(
        "it is {what}, not Gaussian splats; {EXPECTED} (this file's vertex properties: {})",
        vertex.properties.join(", ")
    ))
}

/// ply-rs's error text without its parser dump: "Line 3: Couldn't parse line.
/// String: '…' Error: ParseError { … }" becomes "Line 3: Couldn't parse line '…'".
pub(super) fn plain_parser_message(message: &str) -> String {
    let message = message.replace(['\n', '\t'], " ");
    let cut = message
        .find("Error:")
        .map_or(message.as_str(), |at| &message[..at]);
    let cut = cut.replace("  String: ", " ");
    let cut = cut.split_whitespace().collect::<Vec<_>>().join(" ");
    if cut.is_empty() {
        "the header could not be parsed".to_owned()
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESH: &str = "ply\nformat ascii 1.0\nCreated by Blender3D 247\nelement vertex 11184\nproperty float x\nproperty float y\nproperty float z\nproperty float nx\nelement face 3732\nproperty list uchar uint vertex_indices\nend_header\n";

    #[test]
    fn meshes_and_point_clouds_are_described() {
        let elements = scan_elements(MESH);
        assert_eq!(elements.len(), 2);
        assert_eq!(elements[0].properties, ["x", "y", "z", "nx"]);
        assert_eq!(elements[1].properties, ["vertex_indices"]);
        let reason = not_splats_reason(&elements).expect("a mesh");
        assert!(
            reason.starts_with("it is a mesh (11,184 vertices, 3,732 faces), not Gaussian splats"),
            "{reason}"
        );
        assert!(reason.contains("x, y, z, nx"), "{reason}");
        let cloud = scan_elements(
            "ply\nelement vertex 70051\nproperty float x\nproperty float y\nproperty float z\nend_header\n",
        );
        let reason = not_splats_reason(&cloud).expect("a point cloud");
        assert!(
            reason.starts_with("it is a point cloud (70,051 points)"),
            "{reason}"
        );
        // One splat property present: a damaged splat file, not a mesh.
        let damaged = scan_elements(
            "ply\nelement vertex 1\nproperty float x\nproperty float opacity\nend_header\n",
        );
        assert_eq!(not_splats_reason(&damaged), None);
    }

    #[test]
    fn parser_dumps_are_cut() {
        let raw = "Line 3: Couldn't parse line.\n\tString: 'Created by'\n\tError: ParseError { location: LineCol { line: 1, column: 1, offset: 0 }, expected: ExpectedSet { expected: {} } }";
        let plain = plain_parser_message(raw);
        assert_eq!(plain, "Line 3: Couldn't parse line. 'Created by'");
        assert!(!plain.contains("ParseError"));
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_000), "1,000");
        assert_eq!(group_digits(1_234_567), "1,234,567");
    }
}
