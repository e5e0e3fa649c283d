//! Flat containers for the index: many strings in one buffer, many lists in one array. A
//! national directory is millions of small strings and lists; as separate allocations each
//! costs its allocator overhead (tens of bytes) on top of its contents, and they cannot be
//! written to a file and read back as a few large blocks.
use std::ops::Index;

/// Whether ends never go back and stay within `len`.
fn ends_fit(ends: &[u64], len: usize) -> bool {
    ends.windows(2).all(|w| w[0] <= w[1]) && ends.last().is_none_or(|e| *e as usize <= len)
}

/// Strings `0..len()`, stored end to end.
#[derive(Default, Debug, PartialEq)]
pub struct Strings {
    pub(super) bytes: String,
    /// Where each string ends in `bytes`.
    pub(super) ends: Vec<u64>,
}

impl Strings {
    /// Room for `count` strings of `bytes` in all, allocated once: at national scale growing
    /// by doubling held the old and the new buffer at once, hundreds of megabytes at the peak.
    pub fn with_capacity(count: usize, bytes: usize) -> Self {
        Strings { bytes: String::with_capacity(bytes), ends: Vec::with_capacity(count) }
    }

    pub fn push(&mut self, s: &str) {
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len() as u64);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    fn start(&self, i: usize) -> usize {
        if i == 0 { 0 } else { self.ends[i - 1] as usize }
    }

    /// The first index in `from..len()` for which `pred` is false, `pred` being true for a
    /// prefix of that range (as `slice::partition_point`).
    pub fn partition_point(&self, from: usize, pred: impl Fn(&str) -> bool) -> usize {
        let (mut lo, mut hi) = (from, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(&self[mid]) { lo = mid + 1 } else { hi = mid }
        }
        lo
    }

    /// The index of `s`, when the strings are sorted.
    pub fn find_sorted(&self, s: &str) -> Option<usize> {
        let at = self.partition_point(0, |t| t < s);
        (at < self.len() && &self[at] == s).then_some(at)
    }

    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 8
    }

    /// Whether the ends are in order and within the buffer, at char boundaries (a file read
    /// back is checked before any string is taken from it).
    pub fn is_consistent(&self) -> bool {
        ends_fit(&self.ends, self.bytes.len()) && self.ends.iter().all(|e| self.bytes.is_char_boundary(*e as usize))
    }
}

impl Index<usize> for Strings {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        &self.bytes[self.start(i)..self.ends[i] as usize]
    }
}

/// Lists `0..len()` of `T`, stored end to end.
#[derive(Debug, PartialEq)]
pub struct Lists<T> {
    pub(super) items: Vec<T>,
    pub(super) ends: Vec<u64>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists { items: Vec::new(), ends: Vec::new() }
    }
}

impl<T: Copy> Lists<T> {
    /// Room for `count` lists of `items` in all, allocated once (as `Strings::with_capacity`).
    pub fn with_capacity(count: usize, items: usize) -> Self {
        Lists { items: Vec::with_capacity(items), ends: Vec::with_capacity(count) }
    }

    pub fn push(&mut self, list: impl IntoIterator<Item = T>) {
        self.items.extend(list);
        self.ends.push(self.items.len() as u64);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn heap_bytes(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<T>() + self.ends.capacity() * 8
    }

    pub fn shrink_to_fit(&mut self) {
        self.items.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    pub fn is_consistent(&self) -> bool {
        ends_fit(&self.ends, self.items.len())
    }
}

impl<T> Index<usize> for Lists<T> {
    type Output = [T];

    fn index(&self, i: usize) -> &[T] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.items[start..self.ends[i] as usize]
    }
}

/// A term's occurrence: the document, and in its top two bits the field's weight (1 to 3),
/// in four bytes where a `(u32, u8)` takes eight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Posting(pub(super) u32);

/// Documents an index can number (the top two bits hold the field).
pub const MAX_DOCS: usize = 1 << 30;

impl Posting {
    pub fn new(doc: u32, field: u8) -> Self {
        Posting((doc & (MAX_DOCS as u32 - 1)) | (u32::from(field.min(3)) << 30))
    }

    pub fn doc(self) -> u32 {
        self.0 & (MAX_DOCS as u32 - 1)
    }

    pub fn field(self) -> u8 {
        (self.0 >> 30) as u8
    }
}

/// Documents by a string key (an endpoint address, a host, a domain): keys sorted, each with
/// its documents, in order.
#[derive(Default, Debug, PartialEq)]
pub struct KeyedDocs {
    pub(super) keys: Strings,
    pub(super) docs: Lists<u32>,
}

impl KeyedDocs {
    pub fn get(&self, key: &str) -> Option<&[u32]> {
        self.keys.find_sorted(key).map(|i| &self.docs[i])
    }

    pub fn heap_bytes(&self) -> usize {
        self.keys.heap_bytes() + self.docs.heap_bytes()
    }
}

/// Strings `0..len()` in blocks of up to `BLOCK` bytes, none split between two, for the
/// largest sets of an index (its summaries, about 300 MB at national scale): one buffer grown
/// by doubling copied the whole of it into one twice its size, the old and the new held at
/// once at the peak of a build, and putting blocks end to end afterwards held both as well
/// (the allocator keeps freed blocks a while). A file read back is one block.
#[derive(Default, Debug)]
pub struct BlockStrings {
    blocks: Vec<String>,
    /// Where each block starts, counted over the bytes of all blocks before it.
    starts: Vec<u64>,
    /// Where each string ends, counted the same way.
    ends: Vec<u64>,
    len: u64,
}

const BLOCK: usize = 8 << 20;

impl BlockStrings {
    pub fn push(&mut self, s: &str) {
        match self.blocks.last_mut() {
            Some(block) if block.capacity() - block.len() >= s.len() => block.push_str(s),
            _ => {
                let mut block = String::with_capacity(BLOCK.max(s.len()));
                block.push_str(s);
                self.blocks.push(block);
                self.starts.push(self.len);
            }
        }
        self.len += s.len() as u64;
        self.ends.push(self.len);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The blocks' bytes end to end, as `Strings` lays them out (what a file holds).
    pub fn byte_len(&self) -> u64 {
        self.len
    }

    pub fn blocks(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().map(String::as_str)
    }

    pub fn ends(&self) -> &[u64] {
        &self.ends
    }

    pub fn heap_bytes(&self) -> usize {
        self.blocks.iter().map(String::capacity).sum::<usize>() + (self.starts.capacity() + self.ends.capacity()) * 8
    }

    /// The room the last block and the lists have left, given back once nothing is added.
    pub fn shrink_to_fit(&mut self) {
        if let Some(block) = self.blocks.last_mut() {
            block.shrink_to_fit();
        }
        self.ends.shrink_to_fit();
    }
}

impl From<Strings> for BlockStrings {
    fn from(s: Strings) -> Self {
        let len = s.bytes.len() as u64;
        BlockStrings { blocks: vec![s.bytes], starts: vec![0], ends: s.ends, len }
    }
}

impl Index<usize> for BlockStrings {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let end = self.ends[i];
        // The block a string starts in holds all of it; an empty one at a block's end is
        // found at the next one's start.
        let b = self.starts.partition_point(|s| *s <= start).saturating_sub(1);
        let from = (start - self.starts[b]) as usize;
        &self.blocks[b][from..from + (end - start) as usize]
    }
}

/// Documents filed under keys as they are added: each distinct key numbered once
/// (`Interner`), and one (key number, document) pair a filing, grouped only at the end. A
/// national directory has a website host and a domain for nearly every brand, and a map from
/// each to its own list held a few times what the finished `KeyedDocs` does; the text of a
/// key shared by many brands (an endpoint's address and host) is held once.
#[derive(Default)]
pub struct Filing {
    keys: super::interner::Interner,
    pairs: Vec<(u32, u32)>,
}

impl Filing {
    /// Files `doc` under each of its keys, once each (a brand's endpoints share a host).
    /// Past 4 billion pairs or keys a document is left out rather than numbered as another.
    pub fn file(&mut self, keys: impl IntoIterator<Item = String>, doc: u32) {
        let mut keys: Vec<String> = keys.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            if self.pairs.len() >= u32::MAX as usize {
                return;
            }
            let Some(n) = self.keys.number(&key) else { return };
            self.pairs.push((n, doc));
        }
    }

    /// The keys in order, each with its documents in order, once each.
    pub fn finish(self) -> KeyedDocs {
        let Filing { keys, mut pairs } = self;
        let keys = keys.into_strings();
        let mut order: Vec<u32> = (0..keys.len() as u32).collect();
        order.sort_unstable_by(|a, b| keys[*a as usize].cmp(&keys[*b as usize]));
        // Each key number's place in that order, in the place of its number.
        let mut place = vec![0u32; order.len()];
        order.iter().enumerate().for_each(|(at, n)| place[*n as usize] = at as u32);
        pairs.iter_mut().for_each(|(n, _)| *n = place[*n as usize]);
        drop(place);
        pairs.sort_unstable();
        pairs.dedup();
        let mut out = KeyedDocs {
            keys: Strings::with_capacity(order.len(), keys.bytes.len()),
            docs: Lists::with_capacity(order.len(), pairs.len()),
        };
        for group in pairs.chunk_by(|a, b| a.0 == b.0) {
            out.keys.push(&keys[order[group[0].0 as usize] as usize]);
            out.docs.push(group.iter().map(|(_, doc)| *doc));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_lists_give_back_what_was_pushed() {
        let mut s = Strings::default();
        for w in ["alpha", "", "beta", "gamma"] {
            s.push(w);
        }
        assert_eq!((&s[0], &s[1], &s[2], &s[3]), ("alpha", "", "beta", "gamma"));
        assert!(s.is_consistent());
        let mut l = Lists::default();
        l.push([1u32, 2]);
        l.push([]);
        l.push([7]);
        assert_eq!((&l[0], &l[1], &l[2]), (&[1, 2][..], &[][..], &[7][..]));
        assert!(l.is_consistent());
        l.ends[1] = 99;
        assert!(!l.is_consistent(), "an end past the items");
    }

    #[test]
    fn block_strings_give_back_what_was_pushed_across_blocks() {
        let mut b = BlockStrings::default();
        let long = "x".repeat(BLOCK + 1);
        let words = ["alpha", "", long.as_str(), "", "beta", &long[..BLOCK - 2], "", "gamma", ""];
        words.iter().for_each(|w| b.push(w));
        assert!(b.blocks.len() >= 3, "a string longer than a block, and one that no longer fits, start new ones");
        assert_eq!(b.len(), words.len());
        words.iter().enumerate().for_each(|(i, w)| assert_eq!(&b[i], *w, "string {i}"));
        assert_eq!(b.byte_len() as usize, words.iter().map(|w| w.len()).sum::<usize>());
        assert_eq!(b.blocks().collect::<String>().len() as u64, b.byte_len());
        let mut one = Strings::default();
        words.iter().for_each(|w| one.push(w));
        let read_back = BlockStrings::from(one);
        words.iter().enumerate().for_each(|(i, w)| assert_eq!(&read_back[i], *w));
    }

    #[test]
    fn filed_documents_are_grouped_by_key_in_order_once_each() {
        let mut f = Filing::default();
        f.file(["pine.example".to_string()], 1);
        f.file(["bay.example", "bay.example"].map(String::from), 2);
        f.file(["pine.example", "bay.example"].map(String::from), 4);
        assert_eq!(f.pairs.len(), 4, "a brand's keys filed once each");
        let k = f.finish();
        assert_eq!(k.get("bay.example"), Some(&[2, 4][..]));
        assert_eq!(k.get("pine.example"), Some(&[1, 4][..]));
        assert_eq!(k.get("oak.example"), None);
        assert_eq!(k.keys.len(), 2);
        assert_eq!(Filing::default().finish().keys.len(), 0);
    }

    #[test]
    fn sorted_strings_are_searched() {
        let mut s = Strings::default();
        for w in ["bay", "cedar", "cedars", "pine"] {
            s.push(w);
        }
        assert_eq!(s.find_sorted("cedar"), Some(1));
        assert_eq!(s.find_sorted("ced"), None);
        let start = s.partition_point(0, |t| t < "ced");
        assert_eq!(start, 1);
        assert_eq!(s.partition_point(start, |t| t.starts_with("ced")), 3);
    }

    #[test]
    fn a_posting_keeps_its_document_and_field() {
        for (doc, field) in [(0, 1), (12_345, 3), (MAX_DOCS as u32 - 1, 2)] {
            let p = Posting::new(doc, field);
            assert_eq!((p.doc(), p.field()), (doc, field));
        }
    }
}
