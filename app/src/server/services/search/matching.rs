//! Which documents a query matches and how well: every word and address is a requirement;
//! when no document meets them all, the least important are let go ("never a dead end"), and
//! a word no document has gets a "did you mean".
use super::address::{QueryAddress, registrable};
use super::compact::Posting;
use super::index::SearchIndex;
use super::query::{QueryPlan, QueryWord, typos_for};
use super::requirement::{Requirement, intersect};
use super::text::{fold, words};
use crate::types::search::{AddressKind, AddressMatch, MAX_QUERY_TERMS};

/// Score of a match, times the field's weight: exact beats prefix beats typo.
const EXACT: u32 = 3;
const PREFIX: u32 = 2;
const TYPO: u32 = 1;
/// An address match outranks any number of word matches.
const ENDPOINT_SCORE: u32 = 1000;
const HOST_SCORE: u32 = 400;
const DOMAIN_SCORE: u32 = 200;

/// The documents a query matched, best first not yet applied, and what was relaxed.
#[derive(Default)]
pub struct Matched {
    /// (document, score).
    pub docs: Vec<(u32, u32)>,
    /// Words (or addresses) no longer required, as typed.
    pub relaxed: Vec<String>,
    /// What is still required, when something was relaxed.
    pub kept: Vec<String>,
    pub address: Option<AddressMatch>,
    pub did_you_mean: Option<String>,
}

/// The longest words compared for typos, in bytes (terms are cut to 64 characters).
const MAX_TYPO_BYTES: usize = 64;

/// Optimal-string-alignment distance, or `None` once it must exceed `max`. Rows live on the
/// stack: this runs for thousands of terms per misspelt word.
pub fn edit_distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max || a.len() > MAX_TYPO_BYTES || b.len() > MAX_TYPO_BYTES {
        return None;
    }
    let (n, m) = (a.len(), b.len());
    let mut rows = [[0u8; MAX_TYPO_BYTES + 1]; 3];
    // Row r of the table is rows[r % 3].
    for (j, v) in rows[0].iter_mut().enumerate().take(m + 1) {
        *v = j as u8;
    }
    for i in 1..=n {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i as u8;
        let mut row_min = i as u8;
        for j in 1..=m {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[prev][j] + 1).min(rows[cur][j - 1] + 1).min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = v;
            row_min = row_min.min(v);
        }
        if row_min as usize > max {
            return None;
        }
    }
    let d = rows[n % 3][m] as usize;
    (d <= max).then_some(d)
}

impl SearchIndex {
    /// Index range of the terms that start with `prefix`.
    fn prefixed(&self, prefix: &str) -> std::ops::Range<usize> {
        let start = self.vocab.partition_point(0, |t| t < prefix);
        start..self.vocab.partition_point(start, |t| t.starts_with(prefix))
    }

    fn has_term(&self, term: &str) -> bool {
        self.vocab.find_sorted(term).is_some()
    }

    /// The postings of each term a word written as given matches (and, when `prefix`, of the
    /// terms it starts), with the score of that kind of match.
    fn each_match<'a>(&'a self, text: &str, prefix: bool, mut f: impl FnMut(&'a [Posting], u32)) {
        for i in self.prefixed(text) {
            let kind = if &self.vocab[i] == text {
                EXACT
            } else if prefix {
                PREFIX
            } else {
                continue;
            };
            f(&self.postings[i], kind);
        }
    }

    /// Scores for a term written as given (and, when `prefix`, as the start of longer ones).
    fn credit_text<'a>(&'a self, req: &mut Requirement<'a>, text: &str, prefix: bool) {
        self.each_match(text, prefix, |list, kind| req.credit_list(list, kind));
    }

    fn word_requirement(&self, w: &QueryWord) -> Requirement<'_> {
        let mut req = Requirement::new(w.text.clone());
        for alt in &w.alts {
            self.credit_text(&mut req, alt, w.prefix());
        }
        req.settle();
        req.plain_docs = req.distinct_docs(self.docs.len());
        let max = w.max_typos();
        if max > 0 {
            let tb = w.text.as_bytes();
            for bucket in (tb.len().saturating_sub(max)..=tb.len() + max).filter(|l| *l < self.by_length.len()) {
                for &n in &self.by_length[bucket] {
                    let term = self.vocab[n as usize].as_bytes();
                    if term != tb
                        && let Some(d) = edit_distance(tb, term, max)
                    {
                        req.credit_list(&self.postings[n as usize], TYPO);
                        req.near.push((d, n as usize));
                    }
                }
            }
        }
        req.settle();
        req
    }

    /// A pasted endpoint URL, host or domain: the brands using that endpoint, else those with
    /// endpoints or a website on that host, else in that domain.
    fn address_requirement(&self, a: &QueryAddress) -> Option<(Requirement<'_>, AddressMatch)> {
        let hit = |map: &super::compact::KeyedDocs, key: &str, score: u32| {
            map.get(key).map(|docs| {
                let mut req = Requirement::new(a.text.clone());
                docs.iter().for_each(|d| req.credit(*d, score));
                req.settle();
                req
            })
        };
        if let Some(found) = a.keys.iter().find_map(|k| hit(&self.endpoint_keys, k, ENDPOINT_SCORE).map(|r| (r, k))) {
            return Some((found.0, AddressMatch { kind: AddressKind::Endpoint, value: found.1.clone() }));
        }
        let domain = registrable(&a.host);
        // A host below the domain ("fhir.example.org") means that host first; the domain
        // itself ("example.org") means every host in it.
        if a.host != domain
            && let Some(r) = hit(&self.hosts, &a.host, HOST_SCORE)
        {
            return Some((r, AddressMatch { kind: AddressKind::Host, value: a.host.clone() }));
        }
        hit(&self.domains, &domain, DOMAIN_SCORE)
            .map(|r| (r, AddressMatch { kind: AddressKind::Domain, value: domain }))
    }

    /// Everything the query matches, relaxed when nothing matches all of it.
    pub fn matches(&self, plan: &QueryPlan) -> Matched {
        let n = self.docs.len();
        let mut out = Matched::default();
        let mut reqs: Vec<Requirement> = Vec::new();
        let mut words = plan.words.clone();
        let mut unmatched: Vec<&QueryAddress> = Vec::new();
        for a in &plan.addresses {
            match self.address_requirement(a) {
                Some((req, found)) => {
                    out.address.get_or_insert(found);
                    reqs.push(req);
                }
                None => unmatched.push(a),
            }
        }
        // No endpoint or website at an address: search for the organization's name in it,
        // within the limit on terms; an address with no such word is let go.
        for a in unmatched {
            let before = words.len();
            for w in &a.fallback {
                if words.len() + reqs.len() < MAX_QUERY_TERMS && !words.iter().any(|q| &q.text == w) {
                    words.push(QueryWord::new(w.clone(), false));
                }
            }
            if words.len() == before && !a.fallback.iter().any(|w| words.iter().any(|q| &q.text == w)) {
                out.relaxed.push(a.text.clone());
            }
        }
        let first_word = reqs.len();
        reqs.extend(words.iter().map(|w| self.word_requirement(w)));
        // Neighbouring words written as one by the brand ("Blue Cross" for "BlueCross"): a
        // match of both together meets each.
        let mut paired = vec![false; words.len()];
        for i in 0..words.len().saturating_sub(1) {
            let (a, b) = (&words[i], &words[i + 1]);
            if a.number || b.number {
                continue;
            }
            let (left, right) = reqs.split_at_mut(first_word + i + 1);
            let (first, second) = (&mut left[first_word + i], &mut right[0]);
            self.each_match(&format!("{}{}", a.text, b.text), b.last, |list, kind| {
                first.credit_list(list, kind);
                second.credit_list(list, kind);
                (paired[i], paired[i + 1]) = (true, true);
            });
        }
        reqs.iter_mut().for_each(Requirement::settle);
        let idf = |df: usize| ((n as f64 + 1.0) / (df.max(1) as f64)).ln() + 1.0;
        for (i, r) in reqs.iter_mut().enumerate() {
            r.weight = match (i < first_word, r.plain_docs) {
                (true, _) => 100.0,
                // Met only through typos: it may not be the word meant.
                (false, 0) => idf(r.distinct_docs(n)) / 2.0,
                (false, plain) => idf(plain),
            };
        }
        out.relaxed.extend(plan.beyond_limit.iter().cloned());
        if reqs.is_empty() {
            out.did_you_mean = self.did_you_mean(&words, &paired, &reqs[first_word..], plan, None);
            // Every document, in document order (`search_with` lists them in name order).
            out.docs = (0..n as u32).map(|d| (d, 0)).collect();
            return out;
        }
        let mut keep: Vec<usize> = (0..reqs.len()).filter(|i| !reqs[*i].is_empty()).collect();
        let mut docs = intersect(&reqs, &keep);
        while docs.is_empty() && keep.len() > 1 {
            let weight = |set: &[usize]| set.iter().map(|i| reqs[*i].weight).sum::<f64>();
            let best = (0..keep.len())
                .map(|drop| keep.iter().enumerate().filter(|(j, _)| *j != drop).map(|(_, i)| *i).collect::<Vec<_>>())
                .map(|set| (weight(&set), intersect(&reqs, &set), set))
                .filter(|(_, d, _)| !d.is_empty())
                // Of equals, the last: the set that let the later-typed word go.
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match best {
                Some((_, d, set)) => {
                    docs = d;
                    keep = set;
                }
                None => {
                    // No single word can go: let the least telling one go (of equals, the
                    // last typed: people type the word that matters first) and look again.
                    let least =
                        (0..keep.len()).rev().min_by(|a, b| reqs[keep[*a]].weight.total_cmp(&reqs[keep[*b]].weight));
                    if let Some(pos) = least {
                        keep.remove(pos);
                    }
                    docs = intersect(&reqs, &keep);
                }
            }
        }
        let let_go: Vec<String> =
            (0..reqs.len()).filter(|i| !keep.contains(i)).map(|i| reqs[i].label.clone()).collect();
        out.relaxed.splice(0..0, let_go);
        if !out.relaxed.is_empty() {
            out.kept = keep.iter().map(|i| reqs[*i].label.clone()).collect();
        }
        let phrase = plan.phrase();
        out.docs = docs
            .into_iter()
            .map(|(doc, score)| {
                let name = &self.docs.name_phrases[doc as usize];
                let bonus = if phrase.is_empty() {
                    0
                } else if name == phrase {
                    100
                } else if name.starts_with(&phrase) {
                    50
                } else {
                    0
                };
                (doc, score + bonus)
            })
            .collect();
        // A correction that agrees with the first result reads best ("alabama medicaid", not
        // "alabama medical", for "alabma medicad").
        let rank = &self.docs.rank;
        let top =
            out.docs.iter().max_by(|a, b| a.1.cmp(&b.1).then(rank[b.0 as usize].cmp(&rank[a.0 as usize]))).map(|d| d.0);
        out.did_you_mean = self.did_you_mean(&words, &paired, &reqs[first_word..], plan, top);
        out
    }

    /// The query with each word that no brand has (and is not being typed) replaced by a close
    /// word that brands have, when the corrected query then matches a brand: the closest such
    /// word, the most common of equals.
    fn did_you_mean(
        &self,
        words: &[QueryWord],
        paired: &[bool],
        reqs: &[Requirement],
        plan: &QueryPlan,
        top: Option<u32>,
    ) -> Option<String> {
        let unknown: Vec<bool> = words
            .iter()
            .zip(paired)
            .map(|(w, paired)| {
                // Known as typed, as the start of a word, or as half of a compound ("blue
                // cross" for "bluecross").
                let known = *paired
                    || w.alts.iter().any(|a| self.has_term(a))
                    || (w.prefix() && !self.prefixed(&w.text).is_empty());
                !known && !w.number && w.text.chars().count() >= 3 && w.text.chars().all(|c| c.is_ascii_alphabetic())
            })
            .enumerate()
            // Words taken from an address stay as the address is shown.
            .map(|(i, unknown)| unknown && i < plan.words.len())
            .collect();
        if !unknown.contains(&true) {
            return None;
        }
        // The brands every other word matches; each correction must keep some.
        let others: Vec<usize> = (0..words.len()).filter(|i| !unknown[*i]).collect();
        let mut within: Option<Vec<u32>> = (!others.is_empty()).then(|| {
            let mut d: Vec<u32> = intersect(reqs, &others).into_iter().map(|(d, _)| d).collect();
            d.sort_unstable();
            d
        });
        let mut out: Vec<String> = plan.words.iter().map(|w| w.text.clone()).collect();
        for (i, w) in words.iter().enumerate().filter(|(i, _)| unknown[*i]) {
            let fixed = self.corrections(w, &reqs[i], top).into_iter().find_map(|t| {
                let docs: Vec<u32> = match &within {
                    Some(keep) => {
                        self.postings[t].iter().map(|p| p.doc()).filter(|d| keep.binary_search(d).is_ok()).collect()
                    }
                    None => self.postings[t].iter().map(|p| p.doc()).collect(),
                };
                (!docs.is_empty()).then_some((t, docs))
            });
            let (t, docs) = fixed?;
            out[i] = self.vocab[t].to_string();
            within = Some(docs);
        }
        out.extend(plan.addresses.iter().map(|a| a.text.clone()));
        Some(out.join(" "))
    }

    /// Terms within a word's typo budget (at least one edit), closest first, then most common:
    /// those its typo matches found, or, for a word too short for typos, a scan of its own.
    fn corrections(&self, w: &QueryWord, req: &Requirement, top: Option<u32>) -> Vec<usize> {
        const KEEP: usize = 5;
        let word = w.text.as_str();
        let mut found: Vec<(usize, std::cmp::Reverse<usize>, usize)> = if w.max_typos() > 0 {
            req.near.iter().map(|(d, t)| (*d, std::cmp::Reverse(self.postings[*t].len()), *t)).collect()
        } else {
            let max = typos_for(word.chars().count()).max(1);
            let tb = word.as_bytes();
            let mut found = Vec::new();
            for bucket in (tb.len().saturating_sub(max)..=tb.len() + max).filter(|l| *l < self.by_length.len()) {
                for &t in &self.by_length[bucket] {
                    if let Some(d) = edit_distance(tb, self.vocab[t as usize].as_bytes(), max) {
                        found.push((d, std::cmp::Reverse(self.postings[t as usize].len()), t as usize));
                    }
                }
            }
            found
        };
        // Terms the first result has come first (postings are in document order).
        let in_top = |t: usize| top.is_some_and(|d| self.postings[t].binary_search_by_key(&d, |p| p.doc()).is_ok());
        found.sort_unstable_by_key(|(d, df, t)| (!in_top(*t), *d, *df, *t));
        found.into_iter().take(KEEP).map(|(_, _, t)| t).collect()
    }
}

/// How much of a name is looked at for highlights.
const HIGHLIGHT_BYTES: usize = 300;

/// Byte ranges of a name that the query matched, in order and not overlapping, for the
/// result list to mark.
pub fn highlight(name: &str, plan: &QueryPlan) -> Vec<[u32; 2]> {
    // Names are imported data of any length; a result line shows the start of one.
    let mut end = name.len().min(HIGHLIGHT_BYTES);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    let ws = words(&name[..end]);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let whole: Vec<&super::text::Word> = ws.iter().filter(|w| !w.part).collect();
    for w in &ws {
        for q in &plan.words {
            let hit = q.alts.iter().find_map(|alt| {
                if w.text == *alt
                    || (q.max_typos() > 0
                        && edit_distance(q.text.as_bytes(), w.text.as_bytes(), q.max_typos()).is_some())
                {
                    Some(w.end)
                } else if q.prefix() && w.text.starts_with(alt.as_str()) {
                    Some(prefix_end(name, w, alt.chars().count()))
                } else {
                    None
                }
            });
            if let Some(end) = hit {
                ranges.push((w.start, end));
            }
        }
    }
    // A query word the name writes as two ("unitedhealthcare" for "United Healthcare"), or two
    // query words the name writes as one.
    for pair in whole.windows(2) {
        let joined = format!("{}{}", pair[0].text, pair[1].text);
        if plan.words.iter().any(|q| q.alts.contains(&joined)) {
            ranges.push((pair[0].start, pair[0].end));
            ranges.push((pair[1].start, pair[1].end));
        }
    }
    for pair in plan.words.windows(2) {
        let joined = format!("{}{}", pair[0].text, pair[1].text);
        for w in whole.iter().filter(|w| w.text == joined) {
            ranges.push((w.start, w.end));
        }
    }
    ranges.sort();
    let mut merged: Vec<[u32; 2]> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last[1] as usize => last[1] = last[1].max(e as u32),
            _ => merged.push([s as u32, e as u32]),
        }
    }
    merged
}

/// Where the first `chars` folded characters of a word end in the original text; the whole
/// word when folding changed its length ("Straße").
fn prefix_end(name: &str, w: &super::text::Word, chars: usize) -> usize {
    let raw = &name[w.start..w.end];
    if fold(raw).chars().count() != raw.chars().count() {
        return w.end;
    }
    raw.char_indices().nth(chars).map_or(w.end, |(i, _)| w.start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_transpositions_as_one() {
        assert_eq!(edit_distance(b"aetan", b"aetna", 1), Some(1));
        assert_eq!(edit_distance(b"aetan", b"kaiser", 2), None);
        assert_eq!(edit_distance(b"permanente", b"permanent", 1), Some(1));
        assert_eq!(edit_distance(b"texs", b"texas", 1), Some(1));
        assert_eq!(edit_distance(b"medicaid", b"medical", 1), None);
        assert_eq!(edit_distance(b"medicaid", b"medical", 2), Some(2));
        assert_eq!(edit_distance(b"", b"ab", 2), Some(2));
        assert_eq!(edit_distance(b"abc", b"abc", 0), Some(0));
        assert_eq!(edit_distance(b"ca", b"abc", 3), Some(3), "optimal string alignment, not Damerau");
        assert_eq!(edit_distance(&[b'a'; 65], &[b'a'; 65], 2), None, "longer than any term");
    }

    #[test]
    fn highlights_cover_exact_prefix_typo_and_compound_matches() {
        let marked = |name: &str, q: &str| {
            highlight(name, &QueryPlan::parse(q))
                .iter()
                .map(|[s, e]| name[*s as usize..*e as usize].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(marked("Blue Cross Blue Shield of Texas", "blue texs"), ["Blue", "Blue", "Texas"]);
        assert_eq!(marked("Aetna Better Health", "aet"), ["Aet"]);
        assert_eq!(marked("UnitedHealthcare", "united healthcare"), ["UnitedHealthcare"]);
        assert_eq!(marked("United Healthcare", "unitedhealthcare"), ["United", "Healthcare"]);
        assert_eq!(marked("Hôpital Montréal", "montreal"), ["Montréal"]);
        assert_eq!(marked("Straße Clinic", "stras"), ["Straße"]);
        assert!(marked("Kaiser", "zzzz").is_empty());
    }
}
