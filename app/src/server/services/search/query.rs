//! What a typed query asks for: web addresses, words (each with its equivalent), and the stop
//! words it does not require.
use super::address::{QueryAddress, parse_query_address};
use super::text::{equivalent, is_number, is_stop_word, words};
use crate::types::search::MAX_QUERY_TERMS;

/// One word of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryWord {
    /// Folded, as it is shown back ("ignored: texs").
    pub text: String,
    /// What it may match: itself and its equivalent ("st" → "saint").
    pub alts: Vec<String>,
    pub number: bool,
    /// The word being typed (the last, with no space after it): it also matches as a prefix.
    pub last: bool,
}

impl QueryWord {
    pub(super) fn new(text: String, last: bool) -> Self {
        let mut alts = vec![text.clone()];
        alts.extend(equivalent(&text).map(str::to_string));
        QueryWord { number: is_number(&text), alts, text, last }
    }

    /// Whether it may match the start of a longer word: the word being typed, and any word of
    /// four letters or more ("hosp" → "hospital"); numbers only while being typed.
    pub fn prefix(&self) -> bool {
        if self.number { self.last && self.text.len() >= 3 } else { self.last || self.text.chars().count() >= 4 }
    }

    /// Edits a typo match may be away: none for short words, anything with a digit, and words
    /// in other scripts than Latin (edits are counted in bytes, and folding makes Latin words
    /// ASCII).
    pub fn max_typos(&self) -> usize {
        if !self.text.chars().all(|c| c.is_ascii_alphabetic()) {
            return 0;
        }
        typos_for(self.text.chars().count())
    }
}

/// One edit from four letters, two from nine. Eight-letter words stay at one: "medicaid" and
/// "medical" are two edits apart, and a search for one should not list every brand named
/// after the other.
pub fn typos_for(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=8 => 1,
        _ => 2,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryPlan {
    pub words: Vec<QueryWord>,
    pub addresses: Vec<QueryAddress>,
    /// Words (and addresses) past `MAX_QUERY_TERMS`, not searched for.
    pub beyond_limit: Vec<String>,
    /// The words in the order typed, repeats kept, equivalents applied: compared with a name's
    /// `text::phrase` ("Blue Cross Blue Shield of Texas" typed in full).
    pub phrase_words: Vec<String>,
}

impl QueryPlan {
    pub fn parse(text: &str) -> Self {
        let open_end = !text.ends_with(char::is_whitespace);
        let mut plan = QueryPlan::default();
        let mut all: Vec<String> = Vec::new();
        for chunk in text.split_whitespace() {
            match parse_query_address(chunk) {
                Some(a) => plan.addresses.push(a),
                None => {
                    let ws: Vec<String> = words(chunk).into_iter().filter(|w| !w.part).map(|w| w.text).collect();
                    // An identifier written in groups ("41-0730602") is one number.
                    if ws.len() > 1 && ws.iter().all(|w| is_number(w)) {
                        all.push(ws.concat());
                    } else {
                        all.extend(ws);
                    }
                }
            }
        }
        // Stop words are never required, unless they are all there is ("The Alliance" keeps
        // "alliance"; "the" alone stays).
        let kept: Vec<String> = if all.iter().any(|w| !is_stop_word(w)) || !plan.addresses.is_empty() {
            all.into_iter().filter(|w| !is_stop_word(w)).collect()
        } else {
            all
        };
        let ends_with_word =
            open_end && text.split_whitespace().last().is_some_and(|c| parse_query_address(c).is_none());
        if plan.addresses.len() > MAX_QUERY_TERMS {
            plan.beyond_limit.extend(plan.addresses.drain(MAX_QUERY_TERMS..).map(|a| a.text));
        }
        plan.phrase_words = kept.iter().map(|w| equivalent(w).map_or_else(|| w.clone(), str::to_string)).collect();
        let room = MAX_QUERY_TERMS - plan.addresses.len();
        let n = kept.len();
        for (i, w) in kept.into_iter().enumerate() {
            if plan.words.iter().any(|q| q.text == w) || plan.beyond_limit.contains(&w) {
                continue;
            }
            if plan.words.len() < room {
                plan.words.push(QueryWord::new(w, ends_with_word && i + 1 == n));
            } else {
                plan.beyond_limit.push(w);
            }
        }
        plan
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.addresses.is_empty()
    }

    /// The words as one phrase, equivalents applied (compared with names' `text::phrase`).
    pub fn phrase(&self) -> String {
        self.phrase_words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(p: &QueryPlan) -> Vec<&str> {
        p.words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn stop_words_addresses_and_the_word_being_typed() {
        let p = QueryPlan::parse("Blue Cross & Blue Shield of Tex");
        assert_eq!(texts(&p), ["blue", "cross", "shield", "tex"]);
        assert!(p.words[3].last && p.words[3].prefix() && !p.words[0].last);
        assert!(!QueryPlan::parse("tex ").words[0].last, "a space after the word: it is complete");
        assert_eq!(texts(&QueryPlan::parse("the")), ["the"]);
        let p = QueryPlan::parse("aetna https://apif1.aetna.com/fhir/v1/patientaccess/metadata");
        assert_eq!((texts(&p), p.addresses.len()), (vec!["aetna"], 1));
        assert!(!p.words[0].last, "the address was typed last");
    }

    #[test]
    fn words_past_the_limit_are_set_aside() {
        let many: Vec<String> = (0..14).map(|i| format!("w{i}")).collect();
        let p = QueryPlan::parse(&format!("the {} of and", many.join(" w0 ")));
        assert_eq!(p.words.len(), MAX_QUERY_TERMS);
        assert_eq!(p.beyond_limit, ["w10", "w11", "w12", "w13"]);
        assert!(!p.words.iter().any(|w| w.last), "the word being typed was set aside");
    }

    #[test]
    fn equivalents_numbers_and_typo_budgets() {
        let p = QueryPlan::parse("St. Louis 63110");
        assert_eq!(p.words[0].alts, ["st", "saint"]);
        assert!(p.words[2].number && p.words[2].max_typos() == 0 && p.words[2].prefix());
        assert!(!QueryPlan::parse("631 x").words[0].prefix(), "a finished number matches only as typed");
        assert_eq!(QueryPlan::parse("texs").words[0].max_typos(), 1);
        assert_eq!(QueryPlan::parse("medicaid").words[0].max_typos(), 1);
        assert_eq!(QueryPlan::parse("permanente").words[0].max_typos(), 2);
        assert_eq!(QueryPlan::parse("uhc").words[0].max_typos(), 0);
        assert_eq!(QueryPlan::parse("saint marys").phrase(), "saint marys");
        assert_eq!(QueryPlan::parse("st marys").phrase(), "saint marys");
        assert_eq!(QueryPlan::parse("Blue Cross Blue Shield of Texas").phrase(), "blue cross blue shield texas");
        assert_eq!(QueryPlan::parse("москва").words[0].max_typos(), 0);
    }
}
