//! COLMAP's binary model files (`cameras.bin`, `images.bin`), little-endian; the
//! layout is described in [`super::colmap`]. Every count is checked against the
//! bytes left before anything is allocated, and a file must end where its last
//! record does.

use std::collections::BTreeMap;
use std::path::Path;

use super::DatasetError;
use super::colmap::{ColmapCamera, ColmapImage, check_pose, make_camera, model_from_id};

/// Bytes of one 2D point in `images.bin`: x, y (f64) and the 3D point id (i64).
const POINT2D_BYTES: u64 = 24;
/// Smallest image record: id, pose, camera id, a one-byte name, its NUL, point count.
const MIN_IMAGE_BYTES: u64 = 4 + 7 * 8 + 4 + 2 + 8;
/// Smallest camera record: id, model, width, height, 3 parameters.
const MIN_CAMERA_BYTES: u64 = 4 + 4 + 8 + 8 + 3 * 8;

/// Parses `cameras.bin`; `path` is for messages.
pub fn parse_cameras(
    path: &Path,
    bytes: &[u8],
) -> Result<BTreeMap<u32, ColmapCamera>, DatasetError> {
    let mut reader = Reader::new(path, bytes);
    let count = reader.count("cameras", MIN_CAMERA_BYTES)?;
    let mut cameras = BTreeMap::new();
    for index in 0..count {
        let what = format!("camera {} of {count}", index + 1);
        let id = reader.u32(&what)?;
        let model_id = reader.i32(&what)?;
        let width = reader.u64(&what)?;
        let height = reader.u64(&what)?;
        let (name, param_count) = model_from_id(model_id).ok_or_else(|| {
            reader.error(format!(
                "{what} (id {id}) has unknown camera model id {model_id}"
            ))
        })?;
        let params = (0..param_count)
            .map(|_| reader.f64(&what))
            .collect::<Result<Vec<_>, _>>()?;
        let camera = make_camera(id, name, width, height, &params).map_err(|e| reader.error(e))?;
        if cameras.insert(id, camera).is_some() {
            return Err(reader.error(format!("camera id {id} appears twice")));
        }
    }
    reader.finish("cameras", count)?;
    Ok(cameras)
}

/// Parses `images.bin`; `path` is for messages.
pub fn parse_images(path: &Path, bytes: &[u8]) -> Result<Vec<ColmapImage>, DatasetError> {
    let mut reader = Reader::new(path, bytes);
    let count = reader.count("images", MIN_IMAGE_BYTES)?;
    let mut images = Vec::with_capacity(count as usize);
    for index in 0..count {
        let what = format!("image {} of {count}", index + 1);
        let id = reader.u32(&what)?;
        let mut qvec = [0.0; 4];
        for q in &mut qvec {
            *q = reader.f64(&what)?;
        }
        let mut tvec = [0.0; 3];
        for t in &mut tvec {
            *t = reader.f64(&what)?;
        }
        let camera_id = reader.u32(&what)?;
        let name = reader.c_string(&what)?;
        check_pose(&qvec, &tvec).map_err(|e| reader.error(format!("{what} (`{name}`): {e}")))?;
        let points = reader.u64(&what)?;
        let point_bytes = points
            .checked_mul(POINT2D_BYTES)
            .filter(|&b| b <= reader.remaining());
        let Some(point_bytes) = point_bytes else {
            return Err(reader.error(format!(
                "{what} (`{name}`) declares {points} 2D points ({} bytes), but only {} bytes are left (truncated or corrupt)",
                points.saturating_mul(POINT2D_BYTES),
                reader.remaining()
            )));
        };
        reader.skip(point_bytes);
        images.push(ColmapImage {
            id,
            qvec,
            tvec,
            camera_id,
            name,
        });
    }
    reader.finish("images", count)?;
    Ok(images)
}

/// A little-endian cursor that names the file and byte offset in its errors.
struct Reader<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(path: &'a Path, bytes: &'a [u8]) -> Self {
        Self {
            path,
            bytes,
            pos: 0,
        }
    }

    fn remaining(&self) -> u64 {
        (self.bytes.len() - self.pos) as u64
    }

    fn error(&self, reason: impl Into<String>) -> DatasetError {
        DatasetError::colmap(
            self.path,
            format!("at byte {}: {}", self.pos, reason.into()),
        )
    }

    fn take<const N: usize>(&mut self, what: &str) -> Result<[u8; N], DatasetError> {
        let bytes = self
            .bytes
            .get(self.pos..self.pos + N)
            .and_then(|b| <[u8; N]>::try_from(b).ok())
            .ok_or_else(|| {
                self.error(format!("the file ends in the middle of {what} (truncated)"))
            })?;
        self.pos += N;
        Ok(bytes)
    }

    fn u32(&mut self, what: &str) -> Result<u32, DatasetError> {
        self.take(what).map(u32::from_le_bytes)
    }

    fn i32(&mut self, what: &str) -> Result<i32, DatasetError> {
        self.take(what).map(i32::from_le_bytes)
    }

    fn u64(&mut self, what: &str) -> Result<u64, DatasetError> {
        self.take(what).map(u64::from_le_bytes)
    }

    fn f64(&mut self, what: &str) -> Result<f64, DatasetError> {
        self.take(what).map(f64::from_le_bytes)
    }

    /// A NUL-terminated UTF-8 string.
    fn c_string(&mut self, what: &str) -> Result<String, DatasetError> {
        let rest = &self.bytes[self.pos..];
        let end = rest.iter().position(|&b| b == 0).ok_or_else(|| {
            self.error(format!(
                "the name of {what} has no terminating NUL (truncated)"
            ))
        })?;
        let name = std::str::from_utf8(&rest[..end])
            .map_err(|_| self.error(format!("the name of {what} is not UTF-8")))?
            .to_owned();
        if name.is_empty() {
            return Err(self.error(format!("{what} has an empty name")));
        }
        self.pos += end + 1;
        Ok(name)
    }

    fn skip(&mut self, bytes: u64) {
        self.pos = (self.pos as u64 + bytes).min(self.bytes.len() as u64) as usize;
    }

    /// The record count at the start of the file, checked against the file size.
    fn count(&mut self, records: &str, min_record_bytes: u64) -> Result<u64, DatasetError> {
        let count = self.u64(&format!("the number of {records}"))?;
        if count.saturating_mul(min_record_bytes) > self.remaining() {
            return Err(self.error(format!(
                "the header declares {count} {records}, more than the {} bytes left can hold (truncated or not a COLMAP file)",
                self.remaining()
            )));
        }
        Ok(count)
    }

    /// Checks that nothing follows the last record.
    fn finish(&self, records: &str, count: u64) -> Result<(), DatasetError> {
        if self.remaining() > 0 {
            return Err(self.error(format!(
                "{} bytes follow the {count} {records} the header declares (the count does not match the records)",
                self.remaining()
            )));
        }
        Ok(())
    }
}
