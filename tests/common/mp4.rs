//! Reads back the H.264 frames of an MP4 written by `splatview::video`: a small
//! ISO-BMFF box walker (ISO/IEC 14496-12: moov/trak/mdia/minf/stbl with stsd,
//! stsz, stsc, stco; 14496-15: the avcC record) and OpenH264's decoder.

use std::path::Path;

use openh264::decoder::Decoder;
use openh264::formats::YUVSource as _;

/// The boxes directly inside `data`: (type, body).
fn boxes(data: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 8 <= data.len() {
        let size32 = u32::from_be_bytes(data[at..at + 4].try_into().expect("4 bytes")) as usize;
        let kind: [u8; 4] = data[at + 4..at + 8].try_into().expect("4 bytes");
        let (header, size) = match size32 {
            0 => (8, data.len() - at),
            1 => (
                16,
                u64::from_be_bytes(data[at + 8..at + 16].try_into().expect("8 bytes")) as usize,
            ),
            n => (8, n),
        };
        assert!(size >= header && at + size <= data.len(), "bad box size");
        out.push((kind, &data[at + header..at + size]));
        at += size;
    }
    out
}

fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> &'a [u8] {
    boxes(data)
        .into_iter()
        .find(|(k, _)| k == kind)
        .map(|(_, body)| body)
        .unwrap_or_else(|| panic!("no {} box", String::from_utf8_lossy(kind)))
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(data[at..at + 4].try_into().expect("4 bytes"))
}

/// The video track of an MP4: size, parameter sets and samples (AVCC, 4-byte
/// lengths).
pub struct Mp4Video {
    pub width: u32,
    pub height: u32,
    pub parameter_sets: Vec<Vec<u8>>,
    pub samples: Vec<Vec<u8>>,
}

pub fn read_mp4(path: &Path) -> Mp4Video {
    let file = std::fs::read(path).expect("read the mp4");
    let moov = child(&file, b"moov");
    let stbl = child(
        child(child(child(moov, b"trak"), b"mdia"), b"minf"),
        b"stbl",
    );
    // stsd: full box header, entry count, then the avc1 sample entry.
    let stsd = child(stbl, b"stsd");
    let entries = boxes(&stsd[8..]);
    let (kind, avc1) = entries.first().expect("a sample entry");
    assert_eq!(kind, b"avc1", "not an H.264 track");
    let width = u32::from(u16::from_be_bytes([avc1[24], avc1[25]]));
    let height = u32::from(u16::from_be_bytes([avc1[26], avc1[27]]));
    let avcc = child(&avc1[78..], b"avcC");
    let mut parameter_sets = Vec::new();
    let mut at = 5;
    for _ in 0..2 {
        // SPS count (low 5 bits), then PPS count.
        let count = usize::from(
            avcc[at]
                & if parameter_sets.is_empty() {
                    0x1f
                } else {
                    0xff
                },
        );
        at += 1;
        for _ in 0..count {
            let len = usize::from(u16::from_be_bytes([avcc[at], avcc[at + 1]]));
            parameter_sets.push(avcc[at + 2..at + 2 + len].to_vec());
            at += 2 + len;
        }
    }
    let stsz = child(stbl, b"stsz");
    let (fixed, count) = (u32_at(stsz, 4) as usize, u32_at(stsz, 8) as usize);
    let sizes: Vec<usize> = (0..count)
        .map(|i| {
            if fixed != 0 {
                fixed
            } else {
                u32_at(stsz, 12 + 4 * i) as usize
            }
        })
        .collect();
    let chunk_offsets: Vec<usize> = match boxes(stbl).iter().find(|(k, _)| k == b"stco") {
        Some((_, stco)) => (0..u32_at(stco, 4) as usize)
            .map(|i| u32_at(stco, 8 + 4 * i) as usize)
            .collect(),
        None => {
            let co64 = child(stbl, b"co64");
            (0..u32_at(co64, 4) as usize)
                .map(|i| {
                    u64::from_be_bytes(co64[8 + 8 * i..16 + 8 * i].try_into().expect("8 bytes"))
                        as usize
                })
                .collect()
        }
    };
    let stsc = child(stbl, b"stsc");
    let runs: Vec<(usize, usize)> = (0..u32_at(stsc, 4) as usize)
        .map(|i| {
            (
                u32_at(stsc, 8 + 12 * i) as usize,
                u32_at(stsc, 12 + 12 * i) as usize,
            )
        })
        .collect();
    let mut samples = Vec::with_capacity(count);
    let mut sample = 0;
    for (chunk, &offset) in chunk_offsets.iter().enumerate() {
        let per_chunk = runs
            .iter()
            .rev()
            .find(|(first, _)| *first <= chunk + 1)
            .map_or(0, |(_, n)| *n);
        let mut at = offset;
        for _ in 0..per_chunk {
            if sample == count {
                break;
            }
            samples.push(file[at..at + sizes[sample]].to_vec());
            at += sizes[sample];
            sample += 1;
        }
    }
    assert_eq!(samples.len(), count, "samples missing from the chunks");
    Mp4Video {
        width,
        height,
        parameter_sets,
        samples,
    }
}

/// Every frame of the video, decoded to RGB.
pub fn decode_frames(video: &Mp4Video) -> Vec<image::RgbImage> {
    let annex_b = |nal: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(&[0, 0, 0, 1]);
        out.extend_from_slice(nal);
    };
    let mut decoder = Decoder::new().expect("OpenH264 decoder");
    let mut frames = Vec::new();
    let to_rgb = |yuv: &openh264::decoder::DecodedYUV<'_>| {
        let (w, h) = yuv.dimensions();
        let mut rgb = vec![0u8; w * h * 3];
        yuv.write_rgb8(&mut rgb);
        image::RgbImage::from_raw(w as u32, h as u32, rgb).expect("frame size")
    };
    for (i, sample) in video.samples.iter().enumerate() {
        let mut packet = Vec::new();
        if i == 0 {
            for set in &video.parameter_sets {
                annex_b(set, &mut packet);
            }
        }
        let mut at = 0;
        while at + 4 <= sample.len() {
            let len = u32_at(sample, at) as usize;
            annex_b(&sample[at + 4..at + 4 + len], &mut packet);
            at += 4 + len;
        }
        if let Some(yuv) = decoder.decode(&packet).expect("decodes") {
            frames.push(to_rgb(&yuv));
        }
    }
    for yuv in decoder.flush_remaining().expect("flush") {
        frames.push(to_rgb(&yuv));
    }
    frames
}
