//! One thing a query asks for (a word, an address) as the documents meeting it with a score
//! each, and the intersection of several.
use super::compact::Posting;

/// A term's postings at least this long are read where they are rather than copied: a word
/// in most of a national directory ("health", or the "portal" of every portal name) would
/// otherwise be copied, sorted and merged at every search.
const LONG_LIST: usize = 4096;
/// At most this many long lists a requirement (a prefix of a few letters may start hundreds
/// of common terms); past it they are merged into the copied ones.
const MAX_LONG: usize = 8;
/// Credits held before they are merged, at least (see `bound_pending`).
const PENDING_BATCH: usize = 1 << 20;

/// One thing a query asks for, and each document's score for it.
pub(super) struct Requirement<'a> {
    /// As shown when it is let go.
    pub label: String,
    /// (document, score) in document order, each document once with its best score: a sorted
    /// list rather than a score per document, so a word in a few brands of a million costs
    /// those few, and intersections walk the lists side by side.
    hits: Vec<(u32, u32)>,
    /// Credits not yet merged into `hits` (`settle`).
    pending: Vec<(u32, u32)>,
    /// Long postings met whole, with the score of their kind of match (times each posting's
    /// field): a document's score is its best in `hits` and in these.
    long: Vec<(&'a [Posting], u32)>,
    /// How much it says: rare words say more than common ones.
    pub weight: f64,
    /// Documents it matched as written or as a prefix, not by typo: how common it really is.
    pub plain_docs: usize,
    /// Terms its typo matches came from, with their distance: the candidates for a correction.
    pub near: Vec<(usize, usize)>,
}

impl<'a> Requirement<'a> {
    pub fn new(label: String) -> Self {
        Requirement {
            label,
            hits: Vec::new(),
            pending: Vec::new(),
            long: Vec::new(),
            weight: 0.0,
            plain_docs: 0,
            near: Vec::new(),
        }
    }

    pub fn credit(&mut self, doc: u32, score: u32) {
        self.pending.push((doc, score));
        self.bound_pending();
    }

    /// Every document of a term's postings, scored `kind` times the posting's field.
    pub fn credit_list(&mut self, list: &'a [Posting], kind: u32) {
        if list.len() >= LONG_LIST && self.long.len() < MAX_LONG {
            self.long.push((list, kind));
        } else {
            self.pending.extend(list.iter().map(|p| (p.doc(), kind * u32::from(p.field()))));
            self.bound_pending();
        }
    }

    /// Merges the credits so far once they outgrow what they merge into: a prefix of one
    /// letter meets most terms of the vocabulary, and their postings copied whole would be
    /// several times the directory.
    fn bound_pending(&mut self) {
        if self.pending.len() > self.hits.len().max(PENDING_BATCH) {
            self.settle();
        }
    }

    /// Documents met, counting one in two long lists twice: an estimate (exact without long
    /// lists) that orders requirements and tells an empty one; words are weighed by
    /// `distinct_docs`.
    pub fn docs(&self) -> usize {
        self.hits.len() + self.pending.len() + self.long.iter().map(|(l, _)| l.len()).sum::<usize>()
    }

    /// Documents met, each once, of a directory of `n` (`settle` first).
    pub fn distinct_docs(&self, n: usize) -> usize {
        match (self.hits.is_empty(), self.long.as_slice()) {
            (_, []) => self.hits.len(),
            (true, [(list, _)]) => list.len(),
            _ => {
                let mut seen = vec![0u64; n.div_ceil(64)];
                let docs =
                    self.hits.iter().map(|h| h.0).chain(self.long.iter().flat_map(|(l, _)| l.iter().map(|p| p.doc())));
                docs.filter(|d| (*d as usize) < n).for_each(|d| seen[d as usize / 64] |= 1 << (d % 64));
                seen.iter().map(|w| w.count_ones() as usize).sum()
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.docs() == 0
    }

    /// Merges the pending credits into `hits`.
    pub fn settle(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut all = std::mem::take(&mut self.hits);
        all.append(&mut self.pending);
        // The credits come as runs already in document order (each term's postings, the hits
        // before): the stable sort merges runs rather than sorting from scratch.
        all.sort_by_key(|h| h.0);
        all.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 = kept.1.max(later.1);
            }
            same
        });
        self.hits = all;
        self.pending = Vec::new();
    }

    /// Every document met with its best score, in document order (`settle` first).
    fn all_hits(&self) -> std::borrow::Cow<'_, [(u32, u32)]> {
        if self.long.is_empty() {
            return std::borrow::Cow::Borrowed(&self.hits);
        }
        let mut whole = Requirement::new(String::new());
        whole.pending = self.hits.clone();
        for (list, kind) in &self.long {
            whole.pending.extend(list.iter().map(|p| (p.doc(), kind * u32::from(p.field()))));
        }
        whole.settle();
        std::borrow::Cow::Owned(whole.hits)
    }

    #[cfg(test)]
    pub fn hits(&self) -> Vec<(u32, u32)> {
        self.all_hits().into_owned()
    }
}

/// A requirement read forward in document order: each part from where the last document was
/// found.
struct Cursor<'r> {
    hits: &'r [(u32, u32)],
    long: Vec<(&'r [Posting], u32)>,
}

impl Cursor<'_> {
    /// The best score for `doc`, if it is met; `doc` never goes back between calls.
    fn score(&mut self, doc: u32) -> Option<u32> {
        self.hits = &self.hits[gallop(self.hits, doc, |h| h.0)..];
        let mut best = self.hits.first().filter(|h| h.0 == doc).map(|h| h.1);
        for (list, kind) in &mut self.long {
            *list = &list[gallop(list, doc, |p| p.doc())..];
            if let Some(p) = list.first().filter(|p| p.doc() == doc) {
                best = best.max(Some(*kind * u32::from(p.field())));
            }
        }
        best
    }
}

/// The documents meeting every requirement in `set`, with their summed scores, in document
/// order: the shortest walked, the others searched forward from where the last document was
/// found.
pub(super) fn intersect(reqs: &[Requirement], set: &[usize]) -> Vec<(u32, u32)> {
    let Some(&smallest) = set.iter().min_by_key(|i| reqs[**i].docs()) else { return Vec::new() };
    let mut others: Vec<Cursor> = set
        .iter()
        .filter(|i| **i != smallest)
        .map(|i| Cursor { hits: &reqs[*i].hits, long: reqs[*i].long.clone() })
        .collect();
    let walked = reqs[smallest].all_hits();
    let mut out = Vec::new();
    'docs: for &(doc, score) in walked.iter() {
        let mut total = score;
        for rest in others.iter_mut() {
            match rest.score(doc) {
                Some(s) => total += s,
                None => continue 'docs,
            }
        }
        out.push((doc, total));
    }
    out
}

/// The first place in `items` (in document order) whose document is `doc` or later: doubling
/// steps, then a binary search within the last step.
fn gallop<T>(items: &[T], doc: u32, doc_of: impl Fn(&T) -> u32) -> usize {
    let mut end = 1;
    while end < items.len() && doc_of(&items[end - 1]) < doc {
        end *= 2;
    }
    let start = end / 2;
    let end = end.min(items.len());
    start + items[start..end].partition_point(|h| doc_of(h) < doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_merge_credits_and_intersect_in_document_order() {
        let req = |credits: &[(u32, u32)]| {
            let mut r = Requirement::new(String::new());
            // Two runs, as two terms' postings come: the second repeats documents.
            let (a, b) = credits.split_at(credits.len() / 2);
            a.iter().for_each(|(d, s)| r.credit(*d, *s));
            r.settle();
            b.iter().for_each(|(d, s)| r.credit(*d, *s));
            r.settle();
            r
        };
        let first = req(&[(1, 5), (4, 2), (9, 1), (0, 1), (4, 7), (12, 3)]);
        assert_eq!(first.hits(), [(0, 1), (1, 5), (4, 7), (9, 1), (12, 3)], "each document once, its best score");
        let long: Vec<(u32, u32)> = (0..1000).map(|d| (d * 3, 1)).collect();
        let second = req(&long);
        let reqs = [first, second];
        // 0, 9 and 12 are multiples of 3; 1 and 4 are not.
        assert_eq!(intersect(&reqs, &[0, 1]), [(0, 2), (9, 2), (12, 4)]);
        assert_eq!(intersect(&reqs, &[1]).len(), 1000);
        assert!(intersect(&reqs, &[]).is_empty());
        for doc in [0, 1, 2, 3, 2997, 2998, 5000] {
            let at = gallop(&long, doc, |h| h.0);
            assert!(long[..at].iter().all(|h| h.0 < doc) && long[at..].iter().all(|h| h.0 >= doc), "{doc}");
        }
        assert_eq!(gallop(&[] as &[(u32, u32)], 4, |h| h.0), 0);
    }

    #[test]
    fn credits_are_merged_before_they_outgrow_the_batch() {
        let mut r = Requirement::new(String::new());
        for i in 0..(5 * PENDING_BATCH / 2) as u32 {
            r.credit(i % 10, 1 + i % 3);
            assert!(r.pending.len() <= PENDING_BATCH, "at {i}");
        }
        r.settle();
        assert_eq!(r.hits(), (0..10).map(|d| (d, 3)).collect::<Vec<_>>());
    }

    #[test]
    fn long_postings_are_read_in_place_and_score_as_copied_ones() {
        // Every other document, in the name (field 3); and every third, in another field.
        let evens: Vec<Posting> = (0..2 * LONG_LIST as u32).step_by(2).map(|d| Posting::new(d, 3)).collect();
        let thirds: Vec<Posting> = (0..3 * LONG_LIST as u32).step_by(3).map(|d| Posting::new(d, 1)).collect();
        let mut lazy = Requirement::new(String::new());
        lazy.credit_list(&evens, 3);
        lazy.credit_list(&thirds, 2);
        lazy.credit(1, 100);
        lazy.settle();
        let mut copied = Requirement::new(String::new());
        evens.iter().for_each(|p| copied.credit(p.doc(), 9));
        thirds.iter().for_each(|p| copied.credit(p.doc(), 2));
        copied.credit(1, 100);
        copied.settle();
        assert_eq!(lazy.long.len(), 2, "both lists are long");
        // 4,096 evens and 4,096 multiples of three, 1,366 of them in both, and document 1.
        assert_eq!(lazy.docs(), 8193, "an estimate");
        assert_eq!(lazy.distinct_docs(1 << 14), copied.hits().len());
        assert_eq!(copied.distinct_docs(1 << 14), copied.hits().len());
        assert_eq!(lazy.hits(), copied.hits(), "the same documents with the same best scores");
        // Document 6 is in both lists: its best score (9) once.
        assert!(lazy.hits().contains(&(6, 9)) && lazy.hits().contains(&(3, 2)));
        let mut few = Requirement::new(String::new());
        [1, 3, 6, 7, 12_000].iter().for_each(|d| few.credit(*d, 1));
        few.settle();
        // Walked from the short one; looked up in the long one, as when it is copied.
        let with_lazy = intersect(&[few, lazy], &[0, 1]);
        assert_eq!(with_lazy, [(1, 101), (3, 3), (6, 10), (12_000, 3)]);
    }
}
