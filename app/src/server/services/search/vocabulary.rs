//! The terms of an index being built, each with the documents it was found in. A national
//! directory has millions of distinct terms (names' word pairs, numbers, places), most in a
//! handful of documents; a map from an owned string to a list costs about a hundred bytes a
//! term, and doubling its table held the old and the new one at the peak of a build. Here the
//! text of every term is in one buffer and the table holds only term numbers.
use super::compact::{Lists, Posting, Strings};
use super::interner::Interner;

#[derive(Default)]
pub(super) struct Vocabulary {
    terms: Interner,
    postings: Vec<Vec<Posting>>,
}

impl Vocabulary {
    /// Records that `doc` has `term` in `field`; a document is listed once per term, with the
    /// best field it has it in. Documents are added in order.
    pub fn add(&mut self, term: &str, doc: u32, field: u8) {
        let Some(id) = self.terms.number(term) else { return };
        if id as usize == self.postings.len() {
            self.postings.push(Vec::new());
        }
        let list = &mut self.postings[id as usize];
        match list.last_mut() {
            Some(p) if p.doc() == doc => *p = Posting::new(doc, p.field().max(field)),
            _ => list.push(Posting::new(doc, field)),
        }
    }

    /// The terms in order, and each one's documents, in flat storage allocated once.
    pub fn finish(self) -> (Strings, Lists<Posting>) {
        let Vocabulary { terms, mut postings } = self;
        let text = terms.into_strings();
        let mut order: Vec<u32> = (0..postings.len() as u32).collect();
        order.sort_unstable_by(|a, b| text[*a as usize].cmp(&text[*b as usize]));
        let mut vocab = Strings::with_capacity(order.len(), text.bytes.len());
        let mut lists = Lists::with_capacity(order.len(), postings.iter().map(Vec::len).sum());
        for id in order {
            vocab.push(&text[id as usize]);
            // Each list freed once copied, so the peak holds little more than one copy.
            lists.push(std::mem::take(&mut postings[id as usize]));
        }
        (vocab, lists)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_come_out_in_order_with_each_document_once_at_its_best_field() {
        let mut v = Vocabulary::default();
        v.add("pine", 0, 1);
        v.add("bay", 0, 3);
        v.add("pine", 0, 3);
        v.add("pine", 2, 2);
        v.add("cedar", 2, 1);
        let (vocab, lists) = v.finish();
        assert_eq!((0..vocab.len()).map(|i| &vocab[i]).collect::<Vec<_>>(), ["bay", "cedar", "pine"]);
        let docs = |i: usize| lists[i].iter().map(|p| (p.doc(), p.field())).collect::<Vec<_>>();
        assert_eq!(docs(0), [(0, 3)]);
        assert_eq!(docs(1), [(2, 1)]);
        assert_eq!(docs(2), [(0, 3), (2, 2)]);
        assert_eq!((vocab.bytes.capacity(), lists.items.capacity()), (12, 4), "allocated exactly");
    }
}
