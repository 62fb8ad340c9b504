//! CPU reference of the GPU radix sort: a stable sort of (key, value) pairs by key.

/// Sorts pairs ascending by key, keeping the input order of equal keys.
pub fn sort_pairs(keys: &[u32], values: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let mut pairs: Vec<(u32, u32)> = keys.iter().copied().zip(values.iter().copied()).collect();
    pairs.sort_by_key(|&(key, _)| key);
    pairs.into_iter().unzip()
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable() {
        let (k, v) = super::sort_pairs(&[3, 1, 3, 0], &[0, 1, 2, 3]);
        assert_eq!(k, [0, 1, 3, 3]);
        assert_eq!(v, [3, 1, 0, 2]);
    }
}
