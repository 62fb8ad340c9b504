//! Finding and loading a dataset's photos.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{DatasetError, view_name};

/// The files of a photo folder, to find a photo by its file name or by its name
/// without extension (cameras.json's `img_name`; a `--images` folder whose photos
/// were converted to another format).
#[derive(Clone, Debug, Default)]
pub struct PhotoIndex {
    dir: PathBuf,
    by_name: BTreeMap<String, PathBuf>,
}

impl PhotoIndex {
    /// Lists `dir` (not its subfolders). A missing folder is an error.
    pub fn new(dir: &Path) -> Result<Self, DatasetError> {
        if !dir.is_dir() {
            return Err(DatasetError::MissingImageFolder {
                path: dir.to_owned(),
                hint: " (name the photo folder with --images)".into(),
            });
        }
        let entries = std::fs::read_dir(dir).map_err(|source| DatasetError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_file())
            .collect();
        // Sorted, so that of two files with one name (a.png, a.jpg) the choice is stable.
        files.sort();
        let mut by_name = BTreeMap::new();
        for path in files {
            let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            by_name.entry(view_name(file_name)).or_insert(path);
        }
        Ok(Self {
            dir: dir.to_owned(),
            by_name,
        })
    }

    /// The photo for `file_name`: the file itself when it exists, else any file
    /// with the same name without extension.
    pub fn find(&self, file_name: &str) -> Option<PathBuf> {
        let direct = self.dir.join(file_name);
        if direct.is_file() {
            return Some(direct);
        }
        self.by_name.get(&view_name(file_name)).cloned()
    }
}

/// Decodes a photo as 8-bit RGB. A photo with alpha is composited over
/// `background` (0..1), as 3DGS does for RGBA datasets.
pub fn load_photo(path: &Path, background: [f32; 3]) -> Result<image::RgbImage, DatasetError> {
    let bad = |reason: String| DatasetError::BadPhoto {
        path: path.to_owned(),
        reason,
    };
    let reader = image::ImageReader::open(path)
        .map_err(|source| DatasetError::Io {
            path: path.to_owned(),
            source,
        })?
        .with_guessed_format()
        .map_err(|source| DatasetError::Io {
            path: path.to_owned(),
            source,
        })?;
    let decoded = reader.decode().map_err(|e| bad(e.to_string()))?;
    if !decoded.color().has_alpha() {
        return Ok(decoded.into_rgb8());
    }
    let rgba = decoded.into_rgba8();
    let background = background.map(|v| v.clamp(0.0, 1.0) * 255.0);
    Ok(image::RgbImage::from_fn(
        rgba.width(),
        rgba.height(),
        |x, y| {
            let [r, g, b, a] = rgba.get_pixel(x, y).0;
            let alpha = f32::from(a) / 255.0;
            let over = |v: u8, bg: f32| (f32::from(v) * alpha + bg * (1.0 - alpha)).round() as u8;
            image::Rgb([
                over(r, background[0]),
                over(g, background[1]),
                over(b, background[2]),
            ])
        },
    ))
}

/// `photo` resampled to `width x height` with a bicubic (Catmull-Rom) filter that
/// widens when shrinking, like PIL's `Image.resize` that 3DGS uses.
pub fn resize_photo(photo: &image::RgbImage, width: u32, height: u32) -> image::RgbImage {
    image::imageops::resize(
        photo,
        width,
        height,
        image::imageops::FilterType::CatmullRom,
    )
}

/// N for a photo folder named `images_N` with N >= 2 (photos downscaled N times).
pub fn downscale_factor(folder_name: &str) -> Option<u32> {
    let factor: u32 = folder_name.strip_prefix("images_")?.parse().ok()?;
    (factor >= 2).then_some(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downscaled_folders() {
        assert_eq!(downscale_factor("images_4"), Some(4));
        assert_eq!(downscale_factor("images_1"), None);
        assert_eq!(downscale_factor("images"), None);
        assert_eq!(downscale_factor("images_x"), None);
    }

    #[test]
    fn alpha_is_composited_over_the_background() {
        let dir = std::env::temp_dir().join(format!("splatview-photo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("folder");
        let path = dir.join("rgba.png");
        image::RgbaImage::from_pixel(2, 1, image::Rgba([200, 100, 0, 128]))
            .save(&path)
            .expect("write");
        let on_white = load_photo(&path, [1.0; 3]).expect("decodes");
        let a = 128.0 / 255.0;
        let expected = |v: f32| (v * a + 255.0 * (1.0 - a)).round() as u8;
        assert_eq!(
            on_white.get_pixel(1, 0).0,
            [expected(200.0), expected(100.0), expected(0.0)]
        );
        let on_black = load_photo(&path, [0.0; 3]).expect("decodes");
        assert_eq!(on_black.get_pixel(0, 0).0, [100, 50, 0]);
        std::fs::write(dir.join("bad.png"), b"not a png").expect("write");
        let err = load_photo(&dir.join("bad.png"), [0.0; 3]).expect_err("garbage");
        assert!(err.to_string().contains("bad.png"), "{err}");
    }
}
