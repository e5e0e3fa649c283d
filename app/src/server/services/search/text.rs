//! How text becomes search words, the same way for the index and for queries: split at
//! anything not a letter or digit, diacritics folded ("Montréal" → "montreal"), lower-cased,
//! and each word's equivalent added beside it ("St." → "st" and "saint", "Centre" → "centre"
//! and "center"), so either spelling finds the other.
use crate::types::search::MAX_TERM_CHARS;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Words a query never requires ("Blue Cross & Blue Shield of Texas" is found by "blue cross
/// blue shield texas"). `&` is not a word at all.
pub const STOP_WORDS: [&str; 12] = ["a", "an", "and", "at", "by", "for", "in", "of", "on", "the", "to", "y"];

pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// Abbreviations and British spellings, with the word they stand for. Both forms are indexed,
/// and a query for either looks for the second.
const EQUIVALENTS: [(&str, &str); 30] = [
    ("st", "saint"),
    ("ste", "sainte"),
    ("mt", "mount"),
    ("ft", "fort"),
    ("ctr", "center"),
    ("hosp", "hospital"),
    ("univ", "university"),
    ("med", "medical"),
    ("centre", "center"),
    ("centres", "centers"),
    ("theatre", "theater"),
    ("paediatric", "pediatric"),
    ("paediatrics", "pediatrics"),
    ("orthopaedic", "orthopedic"),
    ("orthopaedics", "orthopedics"),
    ("anaesthesia", "anesthesia"),
    ("anaesthesiology", "anesthesiology"),
    ("haematology", "hematology"),
    ("gynaecology", "gynecology"),
    ("oesophageal", "esophageal"),
    ("organisation", "organization"),
    ("organisations", "organizations"),
    ("behaviour", "behavior"),
    ("behavioural", "behavioral"),
    ("counselling", "counseling"),
    ("programme", "program"),
    ("labour", "labor"),
    ("honour", "honor"),
    ("neighbourhood", "neighborhood"),
    ("defence", "defense"),
];

/// The word a short form or a British spelling stands for.
pub fn equivalent(word: &str) -> Option<&'static str> {
    EQUIVALENTS.iter().find(|(from, _)| *from == word).map(|(_, to)| *to)
}

/// One word of a text and where it is (bytes of the original text), for highlighting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// A part of a word written in camel case ("Healthcare" in "UnitedHealthcare").
    pub part: bool,
}

/// Lower case without diacritics; letters that do not decompose are spelled out.
pub fn fold(word: &str) -> String {
    // Nearly every word of a US directory is ASCII, which decomposing leaves as it is; at
    // national scale decomposing every word was a good part of an index build.
    if word.is_ascii() {
        let mut out = word[..word.len().min(MAX_TERM_CHARS)].to_string();
        out.make_ascii_lowercase();
        return out;
    }
    fold_unicode(word)
}

fn fold_unicode(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.nfd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'ł' | 'Ł' => out.push('l'),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    if out.chars().count() > MAX_TERM_CHARS { out.chars().take(MAX_TERM_CHARS).collect() } else { out }
}

/// Whether a character belongs to a word. An apostrophe inside a word joins it ("Mary's").
fn in_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// The words of a text, folded, with camel-case parts after the word they are part of.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !in_word(c) {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            let apostrophe = matches!(c, '\'' | '’')
                && text[i + c.len_utf8()..].chars().next().is_some_and(char::is_alphabetic)
                && text[..i].chars().next_back().is_some_and(char::is_alphabetic);
            if !in_word(c) && !apostrophe {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let raw = &text[start..end];
        let text = if raw.contains(['\'', '’']) { fold(&raw.replace(['\'', '’'], "")) } else { fold(raw) };
        // A lone combining sign is alphanumeric but folds to nothing.
        if text.is_empty() {
            continue;
        }
        out.push(Word { text, start, end, part: false });
        out.extend(camel_parts(raw, start));
    }
    out
}

/// "UnitedHealthcare" → "united" and "healthcare"; nothing for words in one case ("BCBSTX").
fn camel_parts(raw: &str, offset: usize) -> Vec<Word> {
    let lower_then_upper = |w: &[u8]| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase();
    if raw.is_ascii() && !raw.as_bytes().windows(2).any(lower_then_upper) {
        return Vec::new();
    }
    let mut cuts = vec![0];
    let mut prev: Option<char> = None;
    for (i, c) in raw.char_indices() {
        if let Some(p) = prev
            && p.is_lowercase()
            && c.is_uppercase()
        {
            cuts.push(i);
        }
        prev = Some(c);
    }
    if cuts.len() < 2 {
        return Vec::new();
    }
    cuts.push(raw.len());
    cuts.windows(2)
        .map(|w| (w[0], &raw[w[0]..w[1]]))
        .filter(|(_, piece)| piece.chars().count() >= 2)
        .map(|(at, piece)| Word {
            text: fold(&piece.replace(['\'', '’'], "")),
            start: offset + at,
            end: offset + at + piece.len(),
            part: true,
        })
        .filter(|w| !w.text.is_empty())
        .collect()
}

/// Whether a word is a number (zip codes, NPIs, payer ids): matched only as typed.
pub fn is_number(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_digit())
}

/// The terms a name or alias puts in the index: its words, their equivalents, camel-case
/// parts, possessives without the "s", and each pair of neighbouring words written as one
/// ("Blue Cross" → "bluecross"), so a query spelling a compound either way finds it.
pub fn index_terms(text: &str) -> Vec<String> {
    let words = words(text);
    let mut out = Vec::with_capacity(words.len() * 2);
    let whole: Vec<&Word> = words.iter().filter(|w| !w.part && !is_stop_word(&w.text)).collect();
    for w in &words {
        if is_stop_word(&w.text) && !w.part {
            continue;
        }
        out.push(w.text.clone());
        if let Some(e) = equivalent(&w.text) {
            out.push(e.to_string());
        }
        let raw = &text[w.start..w.end];
        if let Some(stem) = w.text.strip_suffix('s')
            && (raw.ends_with("'s") || raw.ends_with("’s"))
        {
            out.push(stem.to_string());
        }
    }
    for pair in whole.windows(2) {
        if !is_number(&pair[0].text) && !is_number(&pair[1].text) {
            let joined = format!("{}{}", pair[0].text, pair[1].text);
            if joined.chars().count() <= MAX_TERM_CHARS {
                out.push(joined);
            }
        }
    }
    out
}

/// A text as one normalized line of words (stop words left out), to compare a whole name
/// with a whole query.
pub fn phrase(text: &str) -> String {
    words(text)
        .into_iter()
        .filter(|w| !w.part && !is_stop_word(&w.text))
        .map(|w| equivalent(&w.text).map(str::to_string).unwrap_or(w.text))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn ascii_folds_as_it_would_decomposed() {
        let every: String = (0u8..128).map(char::from).collect();
        let long = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789".repeat(3);
        for w in [every.as_str(), &long, "UnitedHealthcare", "BCBSTX", "", "41-0730602", "O'NEIL"] {
            assert_eq!(fold(w), fold_unicode(w), "{w:?}");
        }
        assert_eq!(fold(&long).len(), MAX_TERM_CHARS);
        assert_eq!(fold("Montréal"), "montreal");
    }

    #[test]
    fn words_are_folded_and_keep_their_place() {
        assert_eq!(texts("Hôpital Sainte-Justine, Montréal"), ["hopital", "sainte", "justine", "montreal"]);
        assert_eq!(texts("Straße & Ærø"), ["strasse", "aero"]);
        let w = words("  Café Été");
        assert_eq!((w[1].start, w[1].end), (8, 13));
        assert_eq!(&"  Café Été"[w[1].start..w[1].end], "Été");
    }

    #[test]
    fn apostrophes_join_and_camel_case_splits() {
        assert_eq!(texts("St. Mary's"), ["st", "marys"]);
        assert_eq!(texts("'quoted'"), ["quoted"]);
        assert_eq!(texts("\u{093E} x"), ["x"], "a lone vowel sign folds to nothing and is no word");
        assert_eq!(texts("UnitedHealthcare"), ["unitedhealthcare", "united", "healthcare"]);
        assert_eq!(texts("BCBSTX"), ["bcbstx"]);
        let parts = words("MyUHC");
        assert_eq!(parts.iter().filter(|w| w.part).map(|w| w.text.as_str()).collect::<Vec<_>>(), ["my", "uhc"]);
    }

    #[test]
    fn index_terms_add_equivalents_compounds_and_possessives() {
        let t = index_terms("St. Mary's Medical Centre of the Valley");
        for want in ["st", "saint", "marys", "mary", "centre", "center", "valley", "stmarys", "marysmedical"] {
            assert!(t.contains(&want.to_string()), "{want} in {t:?}");
        }
        assert!(!t.contains(&"of".to_string()) && !t.contains(&"the".to_string()), "{t:?}");
        assert!(index_terms("Blue-Cross").contains(&"bluecross".to_string()));
        assert!(!index_terms("Clinic 75001 2").iter().any(|t| t == "750012"), "numbers are not joined");
    }

    #[test]
    fn phrases_compare_whole_names() {
        assert_eq!(phrase("Blue Cross & Blue Shield of Texas"), "blue cross blue shield texas");
        assert_eq!(phrase("St Luke's"), phrase("Saint Lukes"));
    }

    #[test]
    fn long_words_are_cut_and_numbers_known() {
        assert_eq!(fold(&"x".repeat(100)).len(), MAX_TERM_CHARS);
        assert!(is_number("75001") && !is_number("r4") && !is_number(""));
    }
}
