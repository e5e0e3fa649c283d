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

    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
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

/// Documents filed under keys as they are added: one (key, document) pair each, in flat
/// storage, grouped only at the end. A national directory has a website host and a domain
/// for nearly every brand, and a map from each to its own list held a few times what the
/// finished `KeyedDocs` does.
#[derive(Default)]
pub struct Filing {
    keys: Strings,
    docs: Vec<u32>,
}

impl Filing {
    /// Files `doc` under each of its keys, once each (a brand's endpoints share a host).
    /// Past 4 billion pairs a document is left out rather than numbered as another.
    pub fn file(&mut self, keys: impl IntoIterator<Item = String>, doc: u32) {
        let mut keys: Vec<String> = keys.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            if self.docs.len() >= u32::MAX as usize {
                return;
            }
            self.keys.push(&key);
            self.docs.push(doc);
        }
    }

    /// The keys in order, each with its documents in order, once each.
    pub fn finish(self) -> KeyedDocs {
        let key = |i: u32| &self.keys[i as usize];
        let mut order: Vec<u32> = (0..self.docs.len() as u32).collect();
        order.sort_unstable_by(|a, b| key(*a).cmp(key(*b)).then(self.docs[*a as usize].cmp(&self.docs[*b as usize])));
        // Room for every pair: no key is longer than all of them together.
        let mut out = KeyedDocs {
            keys: Strings::with_capacity(order.len(), self.keys.bytes.len()),
            docs: Lists::with_capacity(order.len(), order.len()),
        };
        for group in order.chunk_by(|a, b| key(*a) == key(*b)) {
            out.keys.push(key(group[0]));
            let mut docs: Vec<u32> = group.iter().map(|i| self.docs[*i as usize]).collect();
            docs.dedup();
            out.docs.push(docs);
        }
        out.keys.shrink_to_fit();
        out.docs.shrink_to_fit();
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
    fn filed_documents_are_grouped_by_key_in_order_once_each() {
        let mut f = Filing::default();
        f.file(["pine.example".to_string()], 1);
        f.file(["bay.example", "bay.example"].map(String::from), 2);
        f.file(["pine.example", "bay.example"].map(String::from), 4);
        assert_eq!(f.docs, [1, 2, 4, 4], "a brand's keys filed once each");
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
