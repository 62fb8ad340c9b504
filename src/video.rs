//! H.264 video in an MP4 file from RGB frames, with no system codec: frames are
//! converted to YUV 4:2:0 and encoded by Cisco's OpenH264 (the `openh264`
//! crate builds its bundled C++ source with the system C++ compiler), and the
//! Annex B bitstream is muxed into a fast-start MP4 by `muxide` (pure Rust).
//!
//! Rate control is "quality" with a bit rate of 0.2 bits per pixel per frame
//! (1280x720 at 30 fps: 5.5 Mbit/s) and quantizers capped at 30, which keeps
//! splat renders above 35 dB PSNR against the PNG of the same frame
//! (tests/video_export.rs). An IDR frame every 2 seconds keeps seeking cheap.
//! References: OpenH264 `codec/api/wels/codec_app_def.h` (parameters),
//! ISO/IEC 14496-15 (H.264 in MP4), both as wrapped by the crates.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use muxide::api::{Muxer, MuxerBuilder, VideoCodec};
use openh264::OpenH264API;
use openh264::encoder::{
    BitRate, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, QpRange,
};
use openh264::formats::{RgbSliceU8, YUVBuffer};

/// Bits per pixel and frame the encoder aims at.
const BITS_PER_PIXEL: f64 = 0.2;
/// Highest quantizer (0..51; lower is better).
const MAX_QP: u8 = 30;
/// Smallest side H.264 encoders accept comfortably.
pub const MIN_SIDE: u32 = 16;

/// Why a video could not be written.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error(
        "a video must be at least {MIN_SIDE}x{MIN_SIDE} pixels with an even width and height (H.264 stores colour at half resolution), got {width}x{height}"
    )]
    Size { width: u32, height: u32 },
    #[error("--fps must be between 1 and 240 frames per second, got {0}")]
    Fps(f64),
    #[error("{path}: cannot create the video file: {source}")]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: H.264 encoding failed: {reason}")]
    Encode { path: PathBuf, reason: String },
    #[error("{path}: writing the MP4 failed: {reason}")]
    Mux { path: PathBuf, reason: String },
    #[error("{path}: frame {index} is {found:?} pixels, the video is {expected:?}")]
    FrameSize {
        path: PathBuf,
        index: u64,
        found: (u32, u32),
        expected: (u32, u32),
    },
}

/// Checks a video size and frame rate before anything is rendered.
pub fn check_video(width: u32, height: u32, fps: f64) -> Result<(), VideoError> {
    if width < MIN_SIDE
        || height < MIN_SIDE
        || !width.is_multiple_of(2)
        || !height.is_multiple_of(2)
    {
        return Err(VideoError::Size { width, height });
    }
    if !(fps.is_finite() && (1.0..=240.0).contains(&fps)) {
        return Err(VideoError::Fps(fps));
    }
    Ok(())
}

/// `(width, height)` rounded down to what H.264 accepts (even, at least 16).
pub fn even_size((width, height): (u32, u32)) -> (u32, u32) {
    ((width & !1).max(MIN_SIDE), (height & !1).max(MIN_SIDE))
}

/// Writes frames of one size at a fixed rate into an MP4 file.
pub struct VideoWriter {
    path: PathBuf,
    size: (u32, u32),
    fps: f64,
    encoder: Encoder,
    muxer: Muxer<BufWriter<File>>,
    frames: u64,
}

impl VideoWriter {
    /// Creates `path` for a `width x height` video at `fps` frames per second.
    pub fn create(path: &Path, width: u32, height: u32, fps: f64) -> Result<Self, VideoError> {
        check_video(width, height, fps)?;
        let encode_error = |reason: String| VideoError::Encode {
            path: path.to_owned(),
            reason,
        };
        let bits = (BITS_PER_PIXEL * f64::from(width) * f64::from(height) * fps)
            .clamp(250_000.0, 200_000_000.0);
        let config = EncoderConfig::new()
            .bitrate(BitRate::from_bps(bits as u32))
            .max_frame_rate(FrameRate::from_hz(fps as f32))
            .skip_frames(false)
            .qp(QpRange::new(0, MAX_QP))
            .intra_frame_period(IntraFramePeriod::from_num_frames(
                (2.0 * fps).round().max(1.0) as u32,
            ));
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| encode_error(e.to_string()))?;
        let file = File::create(path).map_err(|source| VideoError::Create {
            path: path.to_owned(),
            source,
        })?;
        let muxer = MuxerBuilder::new(BufWriter::new(file))
            .video(VideoCodec::H264, width, height, fps)
            .with_fast_start(true)
            .build()
            .map_err(|e| VideoError::Mux {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            path: path.to_owned(),
            size: (width, height),
            fps,
            encoder,
            muxer,
            frames: 0,
        })
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Encodes the next frame (shown at `frames() / fps` seconds).
    pub fn push(&mut self, image: &image::RgbImage) -> Result<(), VideoError> {
        let found = image.dimensions();
        if found != self.size {
            return Err(VideoError::FrameSize {
                path: self.path.clone(),
                index: self.frames,
                found,
                expected: self.size,
            });
        }
        let rgb = RgbSliceU8::new(image.as_raw(), (found.0 as usize, found.1 as usize));
        let yuv = YUVBuffer::from_rgb_source(rgb);
        let stream = self.encoder.encode(&yuv).map_err(|e| VideoError::Encode {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        let keyframe = matches!(stream.frame_type(), FrameType::IDR | FrameType::I);
        let data = stream.to_vec();
        if !data.is_empty() {
            let pts = self.frames as f64 / self.fps;
            self.muxer
                .write_video(pts, &data, keyframe)
                .map_err(|e| VideoError::Mux {
                    path: self.path.clone(),
                    reason: e.to_string(),
                })?;
        }
        self.frames += 1;
        Ok(())
    }

    /// Writes the MP4 index and closes the file; returns the frames written.
    pub fn finish(self) -> Result<u64, VideoError> {
        let path = self.path;
        self.muxer.finish().map_err(|e| VideoError::Mux {
            path,
            reason: e.to_string(),
        })?;
        Ok(self.frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_rates_are_checked() {
        assert!(check_video(1280, 720, 30.0).is_ok());
        assert!(matches!(
            check_video(1281, 720, 30.0),
            Err(VideoError::Size { .. })
        ));
        assert!(check_video(8, 8, 30.0).is_err());
        assert!(matches!(check_video(64, 64, 0.0), Err(VideoError::Fps(_))));
        assert!(check_video(64, 64, f64::NAN).is_err());
        assert_eq!(even_size((1281, 721)), (1280, 720));
        assert_eq!(even_size((3, 3)), (16, 16));
    }
}
