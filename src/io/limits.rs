//! Bounds on what a hostile file can make a loader allocate. Scene files and textures
//! come from the internet; a few megabytes must never turn into gigabytes of memory.
//!
//! Every loader of a compressed or container format follows the same four rules (issue
//! 16; figures in docs/FORMATS.md, "Hostile files and memory"):
//!
//! 1. **Bound each inflation before it starts.** From the header or metadata, compute
//!    the most bytes each compressed piece can legitimately hold (an SPZ block is
//!    `count * bytes per point`; a SOG image cannot need more than a few bytes per
//!    pixel of the largest image its splat count allows). Never trust a size that a
//!    container declares for itself (zip's uncompressed size, gzip's `ISIZE`): it can
//!    lie, and the data decides.
//! 2. **Inflate through [`read_to_limit`] or [`read_exact_len`].** They grow their
//!    buffer only as data arrives (so a truncated file costs what it holds, not what it
//!    claims), never past the bound, and fail with a [`LimitError`] that names the piece
//!    when the data goes past it (the `Read::take` pattern, made to report the overrun
//!    instead of silently cutting the data short). [`expect_end`] checks that a stream
//!    that should be finished is.
//! 3. **Check the load's memory before inflating anything.** Estimate the peak from
//!    the same header (file bytes, inflated pieces, decoded result) and ask a
//!    [`MemoryBudget`], by default the memory the system has available
//!    ([`MemoryBudget::available`]). A file that needs more gets a clear error up front
//!    ("this scene needs about 24 GB of memory; 9.1 GB is available") and the caller
//!    keeps what it had.
//! 4. **Decode every image within [`image_limits`]**, through [`decode_image`]: the
//!    `image` crate then refuses declared dimensions or buffer sizes past the limits
//!    before it allocates the pixels (a WebP, PNG or JPEG header can claim 16384 x 16384
//!    in a hundred bytes).
//!
//! Deflate cannot expand data more than 1032 times (RFC 1951: a 258-byte match costs at
//! least 2 bits), zstd's RLE blocks far more; so a bound from the container's size is
//! no bound at all, and only the format's own header can give one.
//!
//! For a mesh loader (glTF, OBJ, PLY meshes): a GLB chunk or buffer `byteLength` is a
//! claim to check against the file size before allocating; a base64 data URI decodes to
//! at most 3/4 of its text; an index list's count is checked against the bytes left
//! before reserving; textures go through [`decode_image`] with the device's largest
//! texture dimension; and the whole load's estimate goes through
//! [`MemoryBudget::check`].

use std::fmt;
use std::io::{Cursor, Read};

/// Why a bounded read, a budget check or a bounded image decode failed. The messages
/// name the piece of the file and the bound, so a loader can wrap them with the file
/// name and show them as they are.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// The data goes on past the most the format allows for this piece.
    #[error("{what} holds more than the {} it can legitimately need", ByteSize(*limit))]
    TooLong { what: String, limit: u64 },
    /// The data ends before the length the header gave.
    #[error("{what} ends after {found} bytes; the header says {expected}")]
    TooShort {
        what: String,
        found: u64,
        expected: u64,
    },
    /// Reading or decompressing failed (corrupt compressed data, I/O).
    #[error("cannot read {what}: {source}")]
    Read {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// The load would need more memory than the budget allows.
    #[error("{}", over_budget_message(*needed, budget))]
    OverBudget { needed: u64, budget: MemoryBudget },
    /// The image decoder refused the image (its limits, or bad data).
    #[error("cannot decode {what}: {source}")]
    Image {
        what: String,
        #[source]
        source: image::ImageError,
    },
}

fn over_budget_message(needed: u64, budget: &MemoryBudget) -> String {
    let needs = format!("needs about {} of memory to load", ByteSize(needed));
    match budget.origin {
        BudgetOrigin::Available => format!(
            "this file {needs}; this machine has {} available",
            ByteSize(budget.bytes)
        ),
        BudgetOrigin::Fixed | BudgetOrigin::Unlimited => format!(
            "this file {needs}, more than the load budget of {}",
            ByteSize(budget.bytes)
        ),
    }
}

/// Bytes read at a time by the bounded readers, and the first capacity they reserve.
const READ_STEP: usize = 64 << 10;

/// Appends what `r` yields to `out` until the end of the data or until `out` holds
/// `max` bytes, whichever comes first. The buffer grows by doubling but never past
/// `max`, and only as data arrives.
fn read_up_to(r: &mut impl Read, out: &mut Vec<u8>, max: u64) -> std::io::Result<()> {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let mut step = [0u8; READ_STEP];
    while out.len() < max {
        let want = (max - out.len()).min(READ_STEP);
        let got = match r.read(&mut step[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if out.capacity() - out.len() < got {
            let grown = out.capacity().saturating_mul(2).max(READ_STEP).min(max);
            out.reserve_exact(grown.max(out.len() + got) - out.len());
        }
        out.extend_from_slice(&step[..got]);
    }
    Ok(())
}

/// Reads all of `r`, which may legitimately hold at most `limit` bytes (`what` names
/// it in errors). Fails with [`LimitError::TooLong`] as soon as the data goes past the
/// limit: at most `limit + 1` bytes are ever read, and the buffer never exceeds
/// `limit + 1` bytes.
pub fn read_to_limit(mut r: impl Read, limit: u64, what: &str) -> Result<Vec<u8>, LimitError> {
    let mut out = Vec::new();
    read_up_to(&mut r, &mut out, limit.saturating_add(1)).map_err(|source| LimitError::Read {
        what: what.to_owned(),
        source,
    })?;
    if out.len() as u64 > limit {
        return Err(LimitError::TooLong {
            what: what.to_owned(),
            limit,
        });
    }
    Ok(out)
}

/// Reads exactly `len` bytes from `r` (the length a header gave; `what` names the
/// piece). Fails with [`LimitError::TooShort`] when the data ends first; reads nothing
/// past `len`, so `r` can go on with the next piece. The buffer grows only as data
/// arrives: a header that claims gigabytes in a truncated file costs what the file
/// holds.
pub fn read_exact_len(mut r: impl Read, len: u64, what: &str) -> Result<Vec<u8>, LimitError> {
    let mut out = Vec::new();
    read_up_to(&mut r, &mut out, len).map_err(|source| LimitError::Read {
        what: what.to_owned(),
        source,
    })?;
    if (out.len() as u64) < len {
        return Err(LimitError::TooShort {
            what: what.to_owned(),
            found: out.len() as u64,
            expected: len,
        });
    }
    Ok(out)
}

/// Fails with [`LimitError::TooLong`] unless `r` has nothing left: a stream that holds
/// `limit` bytes (already read) must end there. Reads at most one byte.
pub fn expect_end(mut r: impl Read, limit: u64, what: &str) -> Result<(), LimitError> {
    let mut byte = [0u8; 1];
    loop {
        return match r.read(&mut byte) {
            Ok(0) => Ok(()),
            Ok(_) => Err(LimitError::TooLong {
                what: what.to_owned(),
                limit,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => Err(LimitError::Read {
                what: what.to_owned(),
                source,
            }),
        };
    }
}

/// Where a [`MemoryBudget`] came from (it changes how an over-budget error reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetOrigin {
    /// The memory the system reported available when the budget was taken.
    Available,
    /// Set by the caller (tests, fuzzing, a user setting).
    Fixed,
    /// No limit: the available memory could not be found out.
    Unlimited,
}

/// The most memory one load may take at its peak. Loaders estimate their peak from
/// headers before inflating or decoding anything and ask [`check`](Self::check).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryBudget {
    bytes: u64,
    origin: BudgetOrigin,
}

impl MemoryBudget {
    /// No limit.
    pub const UNLIMITED: MemoryBudget = MemoryBudget {
        bytes: u64::MAX,
        origin: BudgetOrigin::Unlimited,
    };

    /// The memory this machine has available now: the system's estimate of memory that
    /// can be given to a program without swapping (Linux `MemAvailable`; the matching
    /// figure on macOS and Windows), and no more than the free memory of the process's
    /// cgroup where one limits it (containers). Read through the `sysinfo` crate. When it
    /// cannot be found out the budget is [`UNLIMITED`](Self::UNLIMITED).
    pub fn available() -> MemoryBudget {
        let Ok(mut system) = sysinfo::System::new() else {
            return Self::UNLIMITED;
        };
        system.refresh_memory();
        let mut bytes = system.available_memory();
        if let Some(cgroup) = system.cgroup_limits()
            && cgroup.total_memory > 0
        {
            bytes = bytes.min(cgroup.free_memory);
        }
        if bytes == 0 {
            return Self::UNLIMITED;
        }
        MemoryBudget {
            bytes,
            origin: BudgetOrigin::Available,
        }
    }

    /// A budget of `bytes`, set by the caller.
    pub const fn fixed(bytes: u64) -> MemoryBudget {
        MemoryBudget {
            bytes,
            origin: BudgetOrigin::Fixed,
        }
    }

    /// The budget in bytes (`u64::MAX` when unlimited).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn origin(&self) -> BudgetOrigin {
        self.origin
    }

    /// Fails with [`LimitError::OverBudget`] when a load estimated to need `needed`
    /// bytes at its peak does not fit.
    pub fn check(&self, needed: u64) -> Result<(), LimitError> {
        if needed > self.bytes {
            return Err(LimitError::OverBudget {
                needed,
                budget: *self,
            });
        }
        Ok(())
    }
}

/// `image::Limits` for one decode: images up to `max_width` x `max_height` pixels
/// whose decoded buffer (in the file's own colour type, e.g. 4 bytes per pixel for
/// RGBA8, 8 for RGBA16) takes at most `max_bytes`. The decoder checks these against
/// the header before it allocates the pixels, and `max_bytes` also bounds what the
/// PNG decoder may allocate for metadata chunks.
pub fn image_limits(max_width: u32, max_height: u32, max_bytes: u64) -> image::Limits {
    let mut limits = image::Limits::no_limits();
    limits.max_image_width = Some(max_width);
    limits.max_image_height = Some(max_height);
    limits.max_alloc = Some(max_bytes);
    limits
}

/// Decodes the image in `bytes` (`what` names it in errors) within `limits`, as
/// `format` or, when `None`, as the format its content shows (PNG, WebP, JPEG: the
/// formats the `image` crate is built with). Declared dimensions or a buffer past the
/// limits fail before the pixel buffer is allocated.
pub fn decode_image(
    what: &str,
    bytes: &[u8],
    format: Option<image::ImageFormat>,
    limits: image::Limits,
) -> Result<image::DynamicImage, LimitError> {
    let bad = |source| LimitError::Image {
        what: what.to_owned(),
        source,
    };
    let mut reader = image::ImageReader::new(Cursor::new(bytes));
    match format {
        Some(f) => reader.set_format(f),
        None => {
            reader = reader
                .with_guessed_format()
                .map_err(|source| LimitError::Read {
                    what: what.to_owned(),
                    source,
                })?;
        }
    }
    reader.limits(limits);
    reader.decode().map_err(bad)
}

/// A byte count for people: "512 B", "64.0 KB", "3.2 GB" (decimal units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 6] = ["KB", "MB", "GB", "TB", "PB", "EB"];
        if self.0 < 1000 {
            return write!(f, "{} B", self.0);
        }
        let mut value = self.0 as f64 / 1000.0;
        let mut unit = 0;
        while value >= 999.95 && unit + 1 < UNITS.len() {
            value /= 1000.0;
            unit += 1;
        }
        write!(f, "{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader of `n` zero bytes that counts what was taken from it.
    struct Zeros {
        left: u64,
        taken: u64,
    }

    impl Read for Zeros {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = (buf.len() as u64).min(self.left) as usize;
            buf[..n].fill(0);
            self.left -= n as u64;
            self.taken += n as u64;
            Ok(n)
        }
    }

    fn zeros(n: u64) -> Zeros {
        Zeros { left: n, taken: 0 }
    }

    #[test]
    fn read_to_limit_stops_one_byte_past_the_limit() {
        let mut src = zeros(u64::MAX);
        let err = read_to_limit(&mut src, 100_000, "bomb").expect_err("too long");
        assert!(
            matches!(err, LimitError::TooLong { limit: 100_000, .. }),
            "{err}"
        );
        assert_eq!(src.taken, 100_001);
        assert!(err.to_string().contains("bomb"), "{err}");
        assert!(err.to_string().contains("100.0 KB"), "{err}");
    }

    #[test]
    fn read_to_limit_accepts_data_up_to_the_limit() {
        for n in [0, 1, 65_535, 65_536, 65_537, 300_000] {
            let data = read_to_limit(zeros(n), 300_000, "x").expect("within the limit");
            assert_eq!(data.len() as u64, n);
            assert!(
                data.capacity() as u64 <= 300_001,
                "capacity {}",
                data.capacity()
            );
        }
    }

    #[test]
    fn read_exact_len_reads_no_further_and_reports_short_data() {
        let mut src = zeros(1_000_000);
        let data = read_exact_len(&mut src, 200_000, "block").expect("exact");
        assert_eq!(data.len(), 200_000);
        assert_eq!(data.capacity(), 200_000, "never more room than the length");
        assert_eq!(src.taken, 200_000, "the rest stays for the next block");
        let err = read_exact_len(zeros(10), 11, "block").expect_err("short");
        assert!(
            matches!(
                err,
                LimitError::TooShort {
                    found: 10,
                    expected: 11,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_claimed_length_costs_only_what_arrives() {
        let data = read_exact_len(zeros(1000), u64::MAX, "claim").expect_err("short");
        assert!(matches!(data, LimitError::TooShort { found: 1000, .. }));
        // The buffer grew with the data: a first step, not the claim.
        let partial = {
            let mut out = Vec::new();
            read_up_to(&mut zeros(1000), &mut out, u64::MAX).expect("read");
            out
        };
        assert!(partial.capacity() <= READ_STEP, "{}", partial.capacity());
    }

    #[test]
    fn expect_end_reads_one_byte_at_most() {
        assert!(expect_end(zeros(0), 5, "s").is_ok());
        let mut src = zeros(10);
        assert!(matches!(
            expect_end(&mut src, 5, "s"),
            Err(LimitError::TooLong { limit: 5, .. })
        ));
        assert_eq!(src.taken, 1);
    }

    #[test]
    fn budget_refuses_what_does_not_fit_and_says_how_much() {
        let budget = MemoryBudget::fixed(48 << 20);
        assert!(budget.check(48 << 20).is_ok());
        let err = budget.check(24_000_000_000).expect_err("over");
        let text = err.to_string();
        assert!(
            text.contains("24.0 GB") && text.contains("50.3 MB"),
            "{text}"
        );
        assert!(MemoryBudget::UNLIMITED.check(u64::MAX).is_ok());
        let machine = MemoryBudget::available();
        assert!(machine.bytes() > 0);
        assert!(machine.check(u64::MAX).is_err() || machine == MemoryBudget::UNLIMITED);
    }

    #[test]
    fn byte_sizes_read_naturally() {
        assert_eq!(ByteSize(0).to_string(), "0 B");
        assert_eq!(ByteSize(999).to_string(), "999 B");
        assert_eq!(ByteSize(1000).to_string(), "1.0 KB");
        assert_eq!(ByteSize(999_960).to_string(), "1.0 MB");
        assert_eq!(ByteSize(3_100_000_000).to_string(), "3.1 GB");
        assert_eq!(ByteSize(u64::MAX).to_string(), "18.4 EB");
    }

    #[test]
    fn images_past_the_limits_are_refused_before_decoding() {
        let mut png = Vec::new();
        image::RgbaImage::new(64, 32)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode");
        let ok = decode_image("t.png", &png, None, image_limits(64, 32, 64 * 32 * 4));
        assert_eq!(ok.expect("fits").width(), 64);
        for limits in [
            image_limits(63, 32, 1 << 20),
            image_limits(64, 31, 1 << 20),
            image_limits(64, 32, 64 * 32 * 4 - 1),
        ] {
            let err = decode_image("t.png", &png, None, limits).expect_err("over");
            assert!(
                matches!(
                    &err,
                    LimitError::Image {
                        source: image::ImageError::Limits(_),
                        ..
                    }
                ),
                "{err}"
            );
        }
        let err = decode_image(
            "t.png",
            &png,
            Some(image::ImageFormat::WebP),
            image_limits(64, 32, 1 << 20),
        );
        assert!(err.is_err(), "a PNG is not a WebP");
    }
}
