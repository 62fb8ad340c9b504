//! Decompression bombs for the hostile-file tests (`tests/io_bombs.rs`) and the fuzz
//! seeds (`tests/io_fuzz_seeds.rs`): small files that inflate to gigabytes, or whose
//! headers claim gigabytes, built in memory in well under a second.
//!
//! Gigabytes of zeros are never compressed here. Deflate: after a sync flush the
//! encoder's state is the same after every further megabyte of zeros (its 32 KiB
//! window holds only zeros and 1 MiB is a whole number of windows), so one
//! megabyte's output is repeated (about 1 KB per MiB: near deflate's 1032:1 limit).
//! Zstd: RLE blocks (RFC 8878, 3.1.1.2), 4 bytes per 128 KiB.
#![allow(dead_code)]

use flate2::{Compress, Compression, Crc, FlushCompress};

use super::read;

/// Raw deflate (RFC 1951) of `prefix` followed by `zeros` zero bytes.
pub fn deflate_with_zeros(prefix: &[u8], zeros: u64) -> Vec<u8> {
    const CHUNK: u64 = 1 << 20;
    let mut c = Compress::new(Compression::best(), false);
    let mut out = Vec::new();
    if !prefix.is_empty() {
        out.extend(feed(&mut c, prefix, FlushCompress::Sync));
    }
    let chunk = vec![0u8; CHUNK as usize];
    let (whole, rest) = (zeros / CHUNK, zeros % CHUNK);
    let mut steady: Option<Vec<u8>> = None;
    for k in 0..whole {
        match &steady {
            Some(bytes) => out.extend_from_slice(bytes),
            None => {
                let bytes = feed(&mut c, &chunk, FlushCompress::Sync);
                out.extend_from_slice(&bytes);
                // From the second chunk on, the window is all zeros: the output repeats.
                if k >= 1 {
                    steady = Some(bytes);
                }
            }
        }
    }
    if rest > 0 {
        // The encoder's state after the chunks it saw is its state after all of them.
        out.extend(feed(&mut c, &chunk[..rest as usize], FlushCompress::Sync));
    }
    out.extend(feed(&mut c, &[], FlushCompress::Finish));
    out
}

/// Compresses all of `input` with `flush`, returning the bytes produced.
fn feed(c: &mut Compress, input: &[u8], flush: FlushCompress) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 64 + 1024);
    let mut consumed = 0usize;
    loop {
        out.reserve(64 << 10);
        let before = c.total_in();
        c.compress_vec(&input[consumed..], &mut out, flush)
            .expect("deflate in memory");
        consumed += (c.total_in() - before) as usize;
        if consumed == input.len() && out.len() < out.capacity() {
            return out;
        }
    }
}

/// A gzip member (RFC 1952) around the raw deflate stream `deflated` of `content_len`
/// bytes whose CRC-32 is `crc` (a bomb that is never read to its end may lie).
pub fn gzip_wrap(deflated: &[u8], crc: u32, content_len: u64) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(deflated);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(content_len as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE, as zip, gzip and PNG use it) of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = Crc::new();
    crc.update(data);
    crc.sum()
}

/// Largest zstd block (RFC 8878, `Block_Maximum_Size`).
const ZSTD_BLOCK: u64 = 128 << 10;

/// A zstd frame without a content size, declaring a window of `2^window_log` bytes
/// (10..=41), whose content is `raw` (in raw blocks) followed by `zeros` zero bytes
/// (in RLE blocks).
pub fn zstd_with_zeros(raw: &[u8], zeros: u64, window_log: u8) -> Vec<u8> {
    let mut out = vec![0x28, 0xb5, 0x2f, 0xfd, 0];
    out.push((window_log - 10) << 3);
    let mut blocks: Vec<(u32, u32, &[u8])> = raw
        .chunks(ZSTD_BLOCK as usize)
        .map(|c| (0, c.len() as u32, c))
        .collect();
    let mut left = zeros;
    while left > 0 {
        let n = left.min(ZSTD_BLOCK);
        blocks.push((1, n as u32, &[0]));
        left -= n;
    }
    if blocks.is_empty() {
        blocks.push((0, 0, &[]));
    }
    let last = blocks.len() - 1;
    for (i, (kind, size, body)) in blocks.into_iter().enumerate() {
        let header = u32::from(i == last) | (kind << 1) | (size << 3);
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.extend_from_slice(body);
    }
    out
}

/// An SPZ v4 file of `count` points at `sh_degree` whose streams are `streams` (one per
/// non-empty block: positions, alphas, colours, scales, rotations, SH), each declared
/// in the table of contents as holding `uncompressed[k]` bytes.
pub fn spz_v4(count: u32, sh_degree: u8, streams: &[Vec<u8>], uncompressed: &[u64]) -> Vec<u8> {
    let mut out = b"NGSP".to_vec();
    out.extend_from_slice(&4u32.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&[sh_degree, 12, 0, streams.len() as u8]);
    out.extend_from_slice(&32u32.to_le_bytes());
    out.extend_from_slice(&[0; 12]);
    for (s, &n) in streams.iter().zip(uncompressed) {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
    }
    for s in streams {
        out.extend_from_slice(s);
    }
    out
}

/// Sizes of the non-empty blocks of an SPZ v4 file of `count` points at `sh_degree`.
pub fn spz_v4_block_sizes(count: u64, sh_degree: u8) -> Vec<u64> {
    let sh = [0, 3, 8, 15][usize::from(sh_degree.min(3))] * 3;
    let mut sizes = vec![9 * count, count, 3 * count, 3 * count, 4 * count];
    if sh > 0 {
        sizes.push(sh * count);
    }
    sizes
}

/// An SPZ v4 file at `sh_degree` whose header declares the most points a file of its
/// size may (the reference loader's bound, 1024 / 9 points per byte), each stream
/// holding exactly its block of zeros (RLE blocks, after `pad` raw zero bytes in the
/// positions stream that give the file its size): a valid file of as many zero splats
/// as its size allows.
pub fn spz_v4_declaring(sh_degree: u8, pad: u64) -> (Vec<u8>, u32) {
    let build = |count: u32| {
        let sizes = spz_v4_block_sizes(u64::from(count), sh_degree);
        let mut streams: Vec<Vec<u8>> =
            sizes.iter().map(|&n| zstd_with_zeros(&[], n, 20)).collect();
        let raw = vec![0u8; pad.min(sizes[0]) as usize];
        streams[0] = zstd_with_zeros(&raw, sizes[0] - raw.len() as u64, 20);
        spz_v4(count, sh_degree, &streams, &sizes)
    };
    let count = (build(1 << 20).len() as u64 * 1024 / 9).min(i32::MAX as u64) as u32;
    let bytes = build(count);
    assert!(u64::from(count) <= bytes.len() as u64 * 1024 / 9);
    (bytes, count)
}

/// The 16-byte header of a gzip SPZ (v1-3).
pub fn spz_gzip_header(version: u32, count: u32, sh_degree: u8) -> Vec<u8> {
    let mut h = b"NGSP".to_vec();
    h.extend_from_slice(&version.to_le_bytes());
    h.extend_from_slice(&count.to_le_bytes());
    h.extend_from_slice(&[sh_degree, 12, 0, 0]);
    h
}

/// Bytes per point of a gzip SPZ at SH degree 0 (positions, alpha, colour, scales,
/// rotation).
pub fn spz_gzip_bytes_per_point(version: u32) -> u64 {
    9 + 1 + 3 + 3 + if version >= 3 { 4 } else { 3 }
}

/// A gzip SPZ at `sh_degree` whose header declares the most points a file of its size
/// may and whose stream holds `zeros` zero bytes after the header (a valid file when
/// they cover every block).
pub fn spz_gzip_declaring(version: u32, sh_degree: u8, zeros: u64) -> (Vec<u8>, u32) {
    let build = |count: u32| {
        let header = spz_gzip_header(version, count, sh_degree);
        gzip_wrap(&deflate_with_zeros(&header, zeros), 0, 0)
    };
    let count = (build(0).len() as u64 * 1024 / 9).min(i32::MAX as u64) as u32;
    let bytes = build(count);
    assert!(u64::from(count) <= bytes.len() as u64 * 1024 / 9);
    (bytes, count)
}

/// One zip entry: name, compression method (0 stored, 8 deflate), the data as stored,
/// the CRC-32 and uncompressed size to declare.
pub struct ZipEntry {
    pub name: String,
    pub method: u16,
    pub data: Vec<u8>,
    pub crc: u32,
    pub size: u32,
}

impl ZipEntry {
    /// A stored (uncompressed) entry with honest fields.
    pub fn stored(name: &str, data: &[u8]) -> Self {
        Self {
            name: name.into(),
            method: 0,
            data: data.to_vec(),
            crc: crc32(data),
            size: data.len() as u32,
        }
    }
}

/// A zip archive (APPNOTE 4.3: local headers, central directory, end record) of
/// `entries`, with exactly the fields given: sizes and CRCs may lie.
pub fn zip(entries: &[ZipEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&0u16.to_le_bytes()); // flags
            v.extend_from_slice(&e.method.to_le_bytes());
            v.extend_from_slice(&[0; 4]); // time, date
            v.extend_from_slice(&e.crc.to_le_bytes());
            v.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            v.extend_from_slice(&e.size.to_le_bytes());
            v.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra field length
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&20u16.to_le_bytes()); // needed
        common(&mut central);
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The files of `playbot_l6.sog` (name, bytes), in archive order.
pub fn playbot_sog_files() -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let bytes = read("playbot_l6.sog");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("unzip");
            (f.name().expect("entry name").into_owned(), data)
        })
        .collect()
}

/// `files` as a zip, stored, except `bomb_name`, which becomes a deflate stream of
/// `zeros` zero bytes declaring `declared_size` bytes (its honest size, or a lie).
pub fn sog_with_entry_bomb(
    files: &[(String, Vec<u8>)],
    bomb_name: &str,
    zeros: u64,
    declared_size: u32,
) -> Vec<u8> {
    let entries: Vec<ZipEntry> = files
        .iter()
        .map(|(name, data)| {
            if name == bomb_name {
                ZipEntry {
                    name: name.clone(),
                    method: 8,
                    data: deflate_with_zeros(&[], zeros),
                    crc: 0,
                    size: declared_size,
                }
            } else {
                ZipEntry::stored(name, data)
            }
        })
        .collect();
    zip(&entries)
}

/// A WebP holding a lossless 4 x 4 image in an extended-format canvas (VP8X, RFC 9649
/// 2.7: 24-bit canvas width - 1 and height - 1) that claims `width` x `height`. (The
/// simple format's 14-bit fields also reach 16384, but image-webp reads 16384 there as
/// 0.)
pub fn webp_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut simple = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut simple)
        .encode(&[7u8; 64], 4, 4, image::ExtendedColorType::Rgba8)
        .expect("webp");
    assert_eq!(&simple[12..16], b"VP8L", "a simple lossless WebP");
    let vp8l = &simple[12..];
    let mut vp8x = b"VP8X".to_vec();
    vp8x.extend_from_slice(&10u32.to_le_bytes());
    vp8x.extend_from_slice(&[0x10, 0, 0, 0]); // alpha
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((4 + vp8x.len() + vp8l.len()) as u32).to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&vp8x);
    out.extend_from_slice(vp8l);
    out
}

/// A 1 x 1 PNG whose IHDR is patched to claim `width` x `height` (CRC fixed).
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbaImage::new(1, 1)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    assert_eq!(&out[12..16], b"IHDR");
    out[16..20].copy_from_slice(&width.to_be_bytes());
    out[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&out[12..29]);
    out[29..33].copy_from_slice(&crc.to_be_bytes());
    out
}

/// An 8 x 8 baseline JPEG whose SOF0 segment is patched to claim `width` x `height`.
pub fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbImage::new(8, 8)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .expect("jpeg");
    let sof = out
        .windows(2)
        .position(|w| w == [0xff, 0xc0])
        .expect("a baseline JPEG has SOF0");
    // Marker, length (2), precision (1), height (2), width (2).
    out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    out
}
