//! SPZ coordinate systems: the spec stores RUB (x right, y up, z back); a file may say
//! otherwise with the `SPZ_ADOBE_coordinate_system` extension. `SplatCloud` uses PLY's
//! RDF (x right, y down, z forward). Between systems of the same family the conversion
//! is a sign flip per axis, applied to positions, quaternions and SH coefficients as the
//! spz library's `CoordinateConverter` does (nianticlabs/spz `src/cc/splat-types.h`).

use std::path::Path;

use super::FORMAT;
use crate::io::LoadError;
use crate::io::convert::u32_at;

/// Extension type of `SPZ_ADOBE_coordinate_system` (payload: one u32 system id).
const COORDINATE_SYSTEM_EXTENSION: u32 = 0xADBE_0003;
/// Ids of the spz `CoordinateSystem` enum: 1-8 are `{L,R}{D,U}{B,F}` (bit 0: right,
/// bit 1: up, bit 2: front, of id - 1); 9-16 have y and z swapped.
const RUB: u32 = 4;
const RDF: u32 = 6;

/// Sign flips taking data stored in some system to RDF.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Flips {
    pub position: [f32; 3],
    /// For the quaternion's x, y, z (w never changes).
    pub quat: [f32; 3],
    /// Per SH coefficient after DC (bands 1-3).
    pub sh: [f32; 15],
}

impl Flips {
    /// The flips from `system` (an spz `CoordinateSystem` id; 0 means the default, RUB)
    /// to RDF.
    pub(super) fn to_rdf(path: &Path, system: u32) -> Result<Self, LoadError> {
        let system = if system == 0 { RUB } else { system };
        if !(1..=8).contains(&system) {
            return Err(LoadError::unsupported(
                path,
                FORMAT,
                format!(
                    "data stored in coordinate system {system} (only the 8 axis-flip systems are supported)"
                ),
            ));
        }
        let sign = |bit: u32| {
            if ((system - 1) >> bit) & 1 == ((RDF - 1) >> bit) & 1 {
                1.0
            } else {
                -1.0
            }
        };
        let (x, y, z) = (sign(0), sign(1), sign(2));
        Ok(Self {
            position: [x, y, z],
            quat: [y * z, x * z, x * y],
            sh: [
                y,
                z,
                x, // band 1
                x * y,
                y * z,
                1.0,
                x * z,
                1.0, // band 2
                y,
                x * y * z,
                y,
                z,
                x,
                z,
                x, // band 3
            ],
        })
    }
}

/// The coordinate system named by an `SPZ_ADOBE_coordinate_system` record among the
/// extension records `records` (`u32 type, u32 length, payload`, repeated), if any.
pub(super) fn stored_system(records: &[u8]) -> Option<u32> {
    let mut at = 0usize;
    while at + 8 <= records.len() {
        let ty = u32_at(records, at);
        let len = u32_at(records, at + 4) as usize;
        let payload = at + 8;
        if ty == COORDINATE_SYSTEM_EXTENSION && len >= 4 && payload + 4 <= records.len() {
            return Some(u32_at(records, payload));
        }
        at = payload.checked_add(len)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rub_to_rdf_turns_about_x() {
        let f = Flips::to_rdf(Path::new("t.spz"), 0).expect("RUB");
        assert_eq!(f.position, [1.0, -1.0, -1.0]);
        assert_eq!(f.quat, [1.0, -1.0, -1.0]);
        assert_eq!(&f.sh[..3], &[-1.0, -1.0, 1.0]);
        let id = Flips::to_rdf(Path::new("t.spz"), RDF).expect("RDF");
        assert!(
            id.position
                .iter()
                .chain(&id.quat)
                .chain(&id.sh)
                .all(|&v| v == 1.0)
        );
        assert!(Flips::to_rdf(Path::new("t.spz"), 9).is_err());
        assert!(Flips::to_rdf(Path::new("t.spz"), 17).is_err());
    }

    #[test]
    fn extension_records_are_walked() {
        let mut r = Vec::new();
        r.extend_from_slice(&0xADBE_0002u32.to_le_bytes());
        r.extend_from_slice(&12u32.to_le_bytes());
        r.extend_from_slice(&[0; 12]);
        r.extend_from_slice(&COORDINATE_SYSTEM_EXTENSION.to_le_bytes());
        r.extend_from_slice(&4u32.to_le_bytes());
        r.extend_from_slice(&RDF.to_le_bytes());
        assert_eq!(stored_system(&r), Some(RDF));
        assert_eq!(stored_system(&r[..30]), None);
        assert_eq!(stored_system(&[]), None);
    }
}
