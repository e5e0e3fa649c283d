//! Distinct strings numbered in the order they were first seen, their text in one buffer and
//! the table holding only numbers: a map from an owned string costs tens of bytes a key on top
//! of its text, and an index being built at national scale has millions of them.
use super::compact::Strings;
use hashbrown::HashTable;
use std::hash::BuildHasher;

#[derive(Default)]
pub(super) struct Interner {
    text: Strings,
    /// Numbers, by the hash of their text. foldhash (what hashbrown defaults to, seeded at
    /// random) rather than SipHash, which was a twentieth of a build.
    table: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl Interner {
    /// The number of `s`, numbered next when it is new; `None` for a new one past 4 billion
    /// (left out rather than numbered as another).
    pub fn number(&mut self, s: &str) -> Option<u32> {
        let Interner { text, table, hasher } = self;
        let hash = hasher.hash_one(s);
        if let Some(n) = table.find(hash, |n| &text[*n as usize] == s) {
            return Some(*n);
        }
        if text.len() >= u32::MAX as usize {
            return None;
        }
        let n = text.len() as u32;
        text.push(s);
        table.insert_unique(hash, n, |n| hasher.hash_one(&text[*n as usize]));
        Some(n)
    }

    /// The strings by number (the table dropped).
    pub fn into_strings(self) -> Strings {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_distinct_string_gets_the_next_number_once() {
        let mut i = Interner::default();
        let numbers: Vec<_> = ["pine", "bay", "pine", "", "bay"].iter().map(|s| i.number(s)).collect();
        assert_eq!(numbers, [Some(0), Some(1), Some(0), Some(2), Some(1)]);
        let s = i.into_strings();
        assert_eq!((s.len(), &s[0], &s[1], &s[2]), (3, "pine", "bay", ""));
    }
}
