//! Texture images (PNG, JPEG, WebP) decoded with the `image` crate under explicit
//! limits, into RGBA8 display values.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::{ImageReader, Limits};

use super::{MeshLoadStage, Progress, read_file};
use crate::io::LoadError;
use crate::scene::mesh::{MeshObject, TextureImage};

/// Widest and tallest texture decoded (GPUs commonly allow 16384).
pub const MAX_TEXTURE_SIDE: u32 = 16_384;
/// Most bytes the decoder may hold at once, output image included: an 8192 x 8192
/// RGBA8 image.
pub const MAX_TEXTURE_ALLOC: u64 = 256 << 20;
/// Largest texture file read from disk.
pub const MAX_TEXTURE_FILE_BYTES: u64 = 256 << 20;

/// The limits every texture decode runs under.
fn texture_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_TEXTURE_SIDE);
    limits.max_image_height = Some(MAX_TEXTURE_SIDE);
    limits.max_alloc = Some(MAX_TEXTURE_ALLOC);
    limits
}

/// Decodes an encoded image (format guessed from its content) to RGBA8. The error is a
/// sentence for a warning.
pub fn decode_texture(name: &str, bytes: &[u8]) -> Result<TextureImage, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("texture {name}: cannot read it: {e}"))?;
    if reader.format().is_none() {
        return Err(format!(
            "texture {name}: not a PNG, JPEG or WebP image (its content matches none)"
        ));
    }
    reader.limits(texture_limits());
    let image = reader
        .decode()
        .map_err(|e| format!("texture {name}: cannot decode it: {e}"))?;
    let rgba = image.into_rgba8();
    Ok(TextureImage {
        name: name.to_owned(),
        width: rgba.width(),
        height: rgba.height(),
        rgba8: rgba.into_raw(),
    })
}

/// Texture files of one object, each read and decoded once however many materials use
/// it.
#[derive(Default)]
pub(crate) struct TextureFiles {
    /// Index in `MeshObject::textures`, or `None` if the file could not be used.
    loaded: HashMap<PathBuf, Option<usize>>,
}

impl TextureFiles {
    /// The index of the texture in `path` within `object.textures`, reading and
    /// decoding it the first time. A file that is missing or cannot be decoded gives a
    /// warning in `object.warnings` and `None`; the only error is a cancelled load.
    pub(crate) fn load(
        &mut self,
        path: &Path,
        object: &mut MeshObject,
        progress: &mut Progress<'_>,
    ) -> Result<Option<usize>, LoadError> {
        if let Some(&index) = self.loaded.get(path) {
            return Ok(index);
        }
        let name = path.display().to_string();
        let decoded = match read_file(path, MAX_TEXTURE_FILE_BYTES, progress) {
            Ok(bytes) => decode_texture(&name, &bytes),
            Err(LoadError::Cancelled { path }) => return Err(LoadError::Cancelled { path }),
            Err(e) => Err(format!("texture {name} not loaded: {}", io_reason(&e))),
        };
        let index = match decoded {
            Ok(texture) => {
                object.textures.push(Arc::new(texture));
                Some(object.textures.len() - 1)
            }
            Err(warning) => {
                object.warnings.push(warning);
                None
            }
        };
        self.loaded.insert(path.to_owned(), index);
        progress.report(MeshLoadStage::Textures, self.loaded.len() as u64, 0)?;
        Ok(index)
    }
}

/// The reason of a read error without the path (the warning names the file already).
fn io_reason(e: &LoadError) -> String {
    match e {
        LoadError::Io { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(width, height, image::Rgba([10, 20, 30, 255]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .expect("should succeed");
        out
    }

    #[test]
    fn decodes_png_to_rgba8() {
        let t = decode_texture("a.png", &png(3, 2)).expect("should succeed");
        assert_eq!((t.width, t.height, t.rgba8.len()), (3, 2, 24));
        assert_eq!(t.rgba8[..4], [10, 20, 30, 255]);
    }

    #[test]
    fn oversized_and_garbage_images_are_refused() {
        // A valid PNG header claiming 20000 x 1 pixels: the width limit refuses it.
        let err =
            decode_texture("wide.png", &png(MAX_TEXTURE_SIDE + 1, 1)).expect_err("should fail");
        assert!(err.contains("wide.png"), "{err}");
        let err = decode_texture("junk.png", b"not an image at all").expect_err("should fail");
        assert!(err.contains("junk.png"), "{err}");
    }
}
