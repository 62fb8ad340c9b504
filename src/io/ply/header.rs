//! PLY header handling: find where the header ends, parse it with ply-rs, and turn the
//! `vertex` element into a record layout the body decoders can follow without lookups.

use std::collections::HashMap;
use std::path::Path;

use ply_rs::parser::Parser;
use ply_rs::ply::{DefaultElement, Encoding, PropertyType, ScalarType};

use super::describe;
use crate::io::LoadError;
use crate::scene::AaHint;

/// The 3DGS properties every splat needs, in slot order (see [`VertexLayout::fields`]).
pub(super) const REQUIRED: [&str; 14] = [
    "x", "y", "z", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3", "opacity",
    "f_dc_0", "f_dc_1", "f_dc_2",
];
/// Slot indices of the groups in [`REQUIRED`].
pub(super) const SLOT_POS: usize = 0;
pub(super) const SLOT_SCALE: usize = 3;
pub(super) const SLOT_ROT: usize = 6;
pub(super) const SLOT_OPACITY: usize = 10;
pub(super) const SLOT_DC: usize = 11;
pub(super) const SLOT_REST: usize = 14;
/// Most slots a splat can have: required ones plus 45 `f_rest_*` (SH degree 3).
pub(super) const MAX_SLOTS: usize = SLOT_REST + 45;
/// Mip-Splatting's per-splat 3D filter size, baked into scales and opacity at load.
pub(super) const FILTER_3D: &str = "filter_3D";

/// Scalar types of the PLY format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scalar {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    F32,
    F64,
}

impl Scalar {
    fn from_ply(t: &ScalarType) -> Self {
        match t {
            ScalarType::Char => Self::I8,
            ScalarType::UChar => Self::U8,
            ScalarType::Short => Self::I16,
            ScalarType::UShort => Self::U16,
            ScalarType::Int => Self::I32,
            ScalarType::UInt => Self::U32,
            ScalarType::Float => Self::F32,
            ScalarType::Double => Self::F64,
        }
    }

    /// Size in bytes in a binary body.
    pub(super) fn size(self) -> usize {
        match self {
            Self::I8 | Self::U8 => 1,
            Self::I16 | Self::U16 => 2,
            Self::I32 | Self::U32 | Self::F32 => 4,
            Self::F64 => 8,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::I8 => "char",
            Self::U8 => "uchar",
            Self::I16 => "short",
            Self::U16 => "ushort",
            Self::I32 => "int",
            Self::U32 => "uint",
            Self::F32 => "float",
            Self::F64 => "double",
        }
    }
}

/// One property of an element, in file order.
#[derive(Clone, Debug)]
pub(super) enum PropType {
    Scalar(Scalar),
    /// A list: the scalar type of its length, then of its items.
    List(Scalar, Scalar),
}

/// An element declared in the header.
#[derive(Clone, Debug)]
pub(super) struct ElementDecl {
    pub name: String,
    pub count: u64,
    pub props: Vec<(String, PropType)>,
}

impl ElementDecl {
    /// Bytes per record in a binary body, or `None` if a list makes records variable.
    pub(super) fn fixed_stride(&self) -> Option<usize> {
        self.props.iter().try_fold(0usize, |acc, (_, t)| match t {
            PropType::Scalar(s) => Some(acc + s.size()),
            PropType::List(..) => None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Ascii,
    BinaryLittleEndian,
    BinaryBigEndian,
}

/// Where one slot's value lives in a vertex record.
#[derive(Clone, Copy, Debug)]
pub(super) struct Field {
    /// Index of the property in the vertex element.
    pub prop: usize,
    /// Byte offset within a binary record.
    pub offset: usize,
    pub ty: Scalar,
}

/// How to pull the splat attributes out of a `vertex` record.
#[derive(Clone, Debug)]
pub(super) struct VertexLayout {
    /// One field per slot: [`REQUIRED`] first, then the `f_rest_*` values already in
    /// `SplatCloud::sh_rest` order (coefficient-major, then channel).
    pub fields: Vec<Field>,
    /// Bytes per binary record (all properties, used or not).
    pub stride: usize,
    pub sh_degree: u32,
    /// Mip-Splatting's `filter_3D` property, when present: baked into the log
    /// scales and opacity of every splat as it is decoded
    /// (`convert::bake_filter_3d`).
    pub filter_3d: Option<Field>,
}

/// Everything the body decoders need from the header.
#[derive(Debug)]
pub(super) struct PlyHeader {
    pub format: Format,
    /// Elements in file order.
    pub elements: Vec<ElementDecl>,
    /// Index of the `vertex` element in `elements`.
    pub vertex: usize,
    /// The anti-aliasing mode the header asks for (comment or `filter_3D`).
    pub aa_hint: AaHint,
    /// Offset of the first body byte in the file.
    pub body_offset: usize,
}

impl PlyHeader {
    /// Index of the element called `name`.
    pub(super) fn element(&self, name: &str) -> Option<usize> {
        self.elements.iter().position(|e| e.name == name)
    }
}

fn bad_header(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::BadHeader {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// Returns the length of the header including its `end_header` line (and newline).
/// A header that ends exactly at the end of the file is accepted (the body is empty).
fn header_len(path: &Path, bytes: &[u8]) -> Result<usize, LoadError> {
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| start + i + 1);
        let line = bytes[start..end].trim_ascii_end();
        if line == b"end_header" {
            return Ok(end);
        }
        start = end;
    }
    Err(bad_header(
        path,
        "no `end_header` line found (file truncated or not a PLY file)",
    ))
}

/// ply-rs parses numbers in `element` and `format` lines with `unwrap()`, so a count that
/// overflows u64 would panic inside it. Reject such lines first.
fn check_numbers(path: &Path, text: &str) -> Result<(), LoadError> {
    for line in text.lines() {
        if !(line.starts_with("element") || line.starts_with("format")) {
            continue;
        }
        let too_big = line
            .split(|c: char| !c.is_ascii_digit())
            .find(|run| !run.is_empty() && run.parse::<u64>().is_err());
        if let Some(run) = too_big {
            return Err(bad_header(
                path,
                format!("number `{run}` is too large in line `{}`", line.trim_end()),
            ));
        }
    }
    Ok(())
}

/// ply-rs stores elements and properties in maps keyed by name, so a repeated name would
/// silently merge two declarations and shift every byte offset after them. Count the
/// declarations ourselves and compare.
fn check_unique_names(path: &Path, text: &str, elements: &[ElementDecl]) -> Result<(), LoadError> {
    let mut declared: Vec<usize> = Vec::new();
    for line in text.lines() {
        if line.starts_with("element") {
            declared.push(0);
        } else if line.starts_with("property")
            && let Some(n) = declared.last_mut()
        {
            *n += 1;
        }
    }
    let parsed: Vec<usize> = elements.iter().map(|e| e.props.len()).collect();
    if declared != parsed {
        return Err(bad_header(
            path,
            "an element or property name is declared twice",
        ));
    }
    Ok(())
}

/// Parses the header; the caller plans how to read the elements it needs.
pub(super) fn parse_header(path: &Path, bytes: &[u8]) -> Result<PlyHeader, LoadError> {
    parse_header_with_ply_rs(path, bytes).map(|(header, _)| header)
}

/// [`parse_header`], also returning ply-rs's own header (for loaders that read the body
/// with ply-rs).
pub(super) fn parse_header_with_ply_rs(
    path: &Path,
    bytes: &[u8],
) -> Result<(PlyHeader, ply_rs::ply::Header), LoadError> {
    let body_offset = header_len(path, bytes)?;
    let header_bytes = &bytes[..body_offset];
    let text = std::str::from_utf8(header_bytes)
        .map_err(|_| bad_header(path, "header is not ASCII text"))?;
    check_numbers(path, text)?;
    let parser = Parser::<DefaultElement>::new();
    let cleaned = comment_out_unknown_lines(text);
    let mut cursor = std::io::Cursor::new(cleaned.as_bytes());
    let header = parser
        .read_header(&mut cursor)
        .map_err(|e| bad_header(path, describe::plain_parser_message(&e.to_string())))?;

    let format = match header.encoding {
        Encoding::Ascii => Format::Ascii,
        Encoding::BinaryLittleEndian => Format::BinaryLittleEndian,
        Encoding::BinaryBigEndian => Format::BinaryBigEndian,
    };
    let elements: Vec<ElementDecl> = header
        .elements
        .iter()
        .map(|(name, e)| ElementDecl {
            name: name.clone(),
            count: e.count as u64,
            props: e
                .properties
                .iter()
                .map(|(pname, p)| {
                    let ty = match &p.data_type {
                        PropertyType::Scalar(s) => PropType::Scalar(Scalar::from_ply(s)),
                        PropertyType::List(n, s) => {
                            PropType::List(Scalar::from_ply(n), Scalar::from_ply(s))
                        }
                    };
                    (pname.clone(), ty)
                })
                .collect(),
        })
        .collect();
    check_unique_names(path, text, &elements)?;

    let vertex = elements
        .iter()
        .position(|e| e.name == "vertex")
        .ok_or_else(|| bad_header(path, "no `vertex` element"))?;
    let has_filter_3d = elements[vertex]
        .props
        .iter()
        .any(|(name, _)| name == FILTER_3D);
    let aa_hint = aa_hint(&header.comments, has_filter_3d);

    Ok((
        PlyHeader {
            format,
            elements,
            vertex,
            aa_hint,
            body_offset,
        },
        header,
    ))
}

/// Header lines that start with no PLY keyword become comments: some writers put free
/// text there (Blender 2.47 writes `Created by Blender3D ...` without `comment`), which
/// ply-rs would reject. The body offset is not affected.
fn comment_out_unknown_lines(text: &str) -> std::borrow::Cow<'_, str> {
    const KEYWORDS: [&str; 7] = [
        "ply",
        "format",
        "comment",
        "obj_info",
        "element",
        "property",
        "end_header",
    ];
    let known = |line: &str| {
        let word = line.split_whitespace().next().unwrap_or("");
        line.trim().is_empty() || KEYWORDS.contains(&word)
    };
    if text.lines().all(known) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        if !known(line) {
            out.push_str("comment ");
        }
        out.push_str(line);
    }
    std::borrow::Cow::Owned(out)
}

/// The mode a header asks for: the last `SplatRenderMode` comment with a known
/// value (as brush reads it), else a `filter_3D` property (Mip-Splatting), else
/// classic.
fn aa_hint(comments: &[String], has_filter_3d: bool) -> AaHint {
    let comment = comments
        .iter()
        .filter_map(|c| AaHint::from_ply_comment(c))
        .next_back();
    match (comment, has_filter_3d) {
        (Some(mut hint), true) => {
            hint.reason.push_str(" (filter_3D baked in)");
            hint
        }
        (Some(hint), false) => hint,
        (None, true) => AaHint::filter_3d_property(),
        (None, false) => AaHint::default(),
    }
}

/// Number of `f_rest_*` values for an SH degree: 3 channels times the non-DC coefficients.
fn rest_values_for_degree(degree: u32) -> usize {
    3 * (crate::scene::splats::sh_coeffs_for_degree(degree) - 1)
}

/// Plans how to read the 3DGS attributes out of a `vertex` record.
pub(super) fn vertex_layout(path: &Path, vertex: &ElementDecl) -> Result<VertexLayout, LoadError> {
    // Byte offset and type of every property, by name.
    let mut by_name: HashMap<&str, Field> = HashMap::with_capacity(vertex.props.len());
    let mut offset = 0usize;
    let mut rest_count = 0usize;
    for (prop, (name, ty)) in vertex.props.iter().enumerate() {
        let ty = match ty {
            PropType::Scalar(s) => *s,
            PropType::List(n, s) => {
                return Err(LoadError::WrongType {
                    path: path.to_owned(),
                    property: name.clone(),
                    found: format!(
                        "list {} {} (lists are not supported in the vertex element)",
                        n.name(),
                        s.name()
                    ),
                });
            }
        };
        by_name.insert(name.as_str(), Field { prop, offset, ty });
        offset += ty.size();
        if name
            .strip_prefix("f_rest_")
            .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
        {
            rest_count += 1;
        }
    }
    let stride = offset;

    let sh_degree = (0..=crate::scene::splats::MAX_SH_DEGREE)
        .find(|&d| rest_values_for_degree(d) == rest_count)
        .ok_or_else(|| LoadError::Malformed {
            path: path.to_owned(),
            reason: format!(
                "found {rest_count} `f_rest_*` properties; expected 0, 9, 24 or 45 \
                 (spherical harmonics of degree 0 to 3)"
            ),
        })?;

    let lookup = |name: &str| {
        by_name
            .get(name)
            .copied()
            .ok_or_else(|| LoadError::MissingProperty {
                path: path.to_owned(),
                element: vertex.name.clone(),
                property: name.to_owned(),
            })
    };
    let mut fields = Vec::with_capacity(SLOT_REST + rest_count);
    for name in REQUIRED {
        fields.push(lookup(name)?);
    }
    // The file stores f_rest channel-major: the first third is red coefficients 1.., then
    // green, then blue. Slots go coefficient-major, as `SplatCloud::sh_rest` does.
    let per_channel = rest_count / 3;
    for k in 0..per_channel {
        for c in 0..3 {
            fields.push(lookup(&format!("f_rest_{}", c * per_channel + k))?);
        }
    }
    debug_assert!(fields.len() <= MAX_SLOTS);
    Ok(VertexLayout {
        fields,
        stride,
        sh_degree,
        filter_3d: by_name.get(FILTER_3D).copied(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_from_comments_and_filter_3d() {
        use crate::scene::AaMode;
        let comments = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mode = |c: &[&str], filter| aa_hint(&comments(c), filter).mode;
        assert_eq!(mode(&[], false), AaMode::Classic);
        assert_eq!(mode(&[], true), AaMode::Mip);
        assert_eq!(mode(&["SplatRenderMode: mip"], false), AaMode::Mip);
        // The last comment with a known value wins; an explicit `default` beats
        // the filter.
        assert_eq!(
            mode(&["SplatRenderMode: mip", "SplatRenderMode: default"], false),
            AaMode::Classic
        );
        assert_eq!(
            mode(&["SplatRenderMode: mip", "SplatRenderMode: banana"], false),
            AaMode::Mip
        );
        assert_eq!(mode(&["SplatRenderMode: default"], true), AaMode::Classic);
        assert_eq!(
            aa_hint(&comments(&["Exported from Brush"]), false).reason,
            "no anti-aliasing marker"
        );
        assert_eq!(
            aa_hint(&comments(&["SplatRenderMode: mip"]), true).reason,
            "PLY comment SplatRenderMode: mip (filter_3D baked in)"
        );
    }

    #[test]
    fn header_end_is_found_with_crlf_and_at_eof() {
        let p = Path::new("t.ply");
        assert_eq!(header_len(p, b"ply\r\nend_header\r\nxx").ok(), Some(17));
        assert_eq!(header_len(p, b"ply\nend_header").ok(), Some(14));
        assert!(header_len(p, b"ply\nend_head").is_err());
    }

    #[test]
    fn free_text_header_lines_are_read_as_comments() {
        let p = Path::new("t.ply");
        let text = "ply\nformat ascii 1.0\nCreated by Blender3D 247\nelement vertex 0\n\
                    property float x\nend_header\n";
        let header = parse_header(p, text.as_bytes()).expect("header");
        assert_eq!(header.body_offset, text.len());
        assert_eq!(header.elements[header.vertex].props.len(), 1);
    }

    #[test]
    fn overflowing_numbers_are_rejected_before_ply_rs() {
        let p = Path::new("t.ply");
        let text = "ply\nformat ascii 1.0\nelement vertex 99999999999999999999999\nend_header\n";
        let err = parse_header(p, text.as_bytes()).expect_err("overflow");
        assert!(matches!(err, LoadError::BadHeader { .. }), "{err}");
        let text = "ply\nformat ascii 1.99999999999999999999999\nend_header\n";
        assert!(parse_header(p, text.as_bytes()).is_err());
    }
}
