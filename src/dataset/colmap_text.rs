//! COLMAP's text model files (`cameras.txt`, `images.txt`); the layout is
//! described in [`super::colmap`]. Errors name the file and line.

use std::collections::BTreeMap;
use std::path::Path;

use super::DatasetError;
use super::colmap::{ColmapCamera, ColmapImage, check_pose, make_camera};

/// Parses `cameras.txt`; `path` is for messages.
pub fn parse_cameras(path: &Path, text: &str) -> Result<BTreeMap<u32, ColmapCamera>, DatasetError> {
    let mut cameras = BTreeMap::new();
    for (number, line) in numbered_lines(text) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let error = |reason: String| DatasetError::colmap(path, format!("line {number}: {reason}"));
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [id, model, width, height, params @ ..] = fields.as_slice() else {
            return Err(error(format!(
                "expected `CAMERA_ID MODEL WIDTH HEIGHT PARAMS...`, found `{line}`"
            )));
        };
        let id: u32 = parse(id, "camera id").map_err(error)?;
        let width: u64 = parse(width, "width").map_err(error)?;
        let height: u64 = parse(height, "height").map_err(error)?;
        let params = params
            .iter()
            .map(|p| parse::<f64>(p, "camera parameter"))
            .collect::<Result<Vec<_>, _>>()
            .map_err(error)?;
        let camera = make_camera(id, model, width, height, &params).map_err(error)?;
        if cameras.insert(id, camera).is_some() {
            return Err(error(format!("camera id {id} appears twice")));
        }
    }
    Ok(cameras)
}

/// Parses `images.txt`; `path` is for messages. After each image line the next
/// line holds its 2D points and is skipped, even when empty (as COLMAP writes it).
pub fn parse_images(path: &Path, text: &str) -> Result<Vec<ColmapImage>, DatasetError> {
    let mut images = Vec::new();
    let mut lines = numbered_lines(text);
    while let Some((number, line)) = lines.next() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let error = |reason: String| DatasetError::colmap(path, format!("line {number}: {reason}"));
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 10 {
            return Err(error(format!(
                "expected `IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME`, found `{line}`"
            )));
        }
        let id: u32 = parse(fields[0], "image id").map_err(error)?;
        let mut qvec = [0.0; 4];
        for (q, field) in qvec.iter_mut().zip(&fields[1..5]) {
            *q = parse(field, "quaternion").map_err(error)?;
        }
        let mut tvec = [0.0; 3];
        for (t, field) in tvec.iter_mut().zip(&fields[5..8]) {
            *t = parse(field, "translation").map_err(error)?;
        }
        let camera_id: u32 = parse(fields[8], "camera id").map_err(error)?;
        let name = fields[9..].join(" ");
        check_pose(&qvec, &tvec).map_err(|e| error(format!("image {id} (`{name}`): {e}")))?;
        lines.next(); // the 2D points
        images.push(ColmapImage {
            id,
            qvec,
            tvec,
            camera_id,
            name,
        });
    }
    Ok(images)
}

/// Lines with 1-based numbers.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, line)| (i + 1, line))
}

fn parse<T: std::str::FromStr>(field: &str, what: &str) -> Result<T, String> {
    field
        .parse()
        .map_err(|_| format!("cannot read the {what} `{field}`"))
}
