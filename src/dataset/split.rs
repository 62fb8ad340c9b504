//! The train/test split of 3DGS (`scene/dataset_readers.py`, `llffhold = 8`): views
//! sorted by name, every `test_every`-th one from index 0 is a test view.

/// Which views to use: the test views, the training views, or all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Indices `0, n, 2n, ...` of the sorted views.
    Test {
        every: usize,
    },
    /// All other views.
    Train {
        every: usize,
    },
    All,
}

impl Split {
    /// 3DGS's hold-out interval.
    pub const DEFAULT_TEST_EVERY: usize = 8;

    /// Whether the view at `index` (in name order) is in this split. An interval
    /// of 0 is taken as 1 (every view is a test view).
    pub fn contains(self, index: usize) -> bool {
        match self {
            Self::Test { every } => index.is_multiple_of(every.max(1)),
            Self::Train { every } => !index.is_multiple_of(every.max(1)),
            Self::All => true,
        }
    }

    /// "test", "train" or "all".
    pub fn name(self) -> &'static str {
        match self {
            Self::Test { .. } => "test",
            Self::Train { .. } => "train",
            Self::All => "all",
        }
    }

    /// "1 test view", "12 train views", "40 views" (of every split).
    pub fn views(self, count: usize) -> String {
        let plural = if count == 1 { "" } else { "s" };
        match self {
            Self::All => format!("{count} view{plural}"),
            _ => format!("{count} {} view{plural}", self.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_counts_read_as_english() {
        assert_eq!(Split::Test { every: 8 }.views(1), "1 test view");
        assert_eq!(Split::Train { every: 8 }.views(12), "12 train views");
        assert_eq!(Split::All.views(10), "10 views");
    }

    #[test]
    fn every_eighth_from_zero() {
        let test: Vec<usize> = (0..20)
            .filter(|&i| Split::Test { every: 8 }.contains(i))
            .collect();
        assert_eq!(test, vec![0, 8, 16]);
        let train = (0..20)
            .filter(|&i| Split::Train { every: 8 }.contains(i))
            .count();
        assert_eq!(train, 17);
        assert!((0..20).all(|i| Split::All.contains(i)));
        assert!((0..5).all(|i| Split::Test { every: 1 }.contains(i)));
        assert_eq!(Split::Test { every: 8 }.name(), "test");
    }
}
