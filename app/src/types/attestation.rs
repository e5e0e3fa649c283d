//! An app's attestation to its privacy practices and the CARIN Code of Conduct: the questionnaire
//! it answers (stored as data, versioned), the answers, and the review's state machine.
//!
//! Under CMS-9115-F the answers inform members and payers; they never decide whether a payer
//! registers the app.
use super::accounts::FormErrors;
use super::link::WebUrl;
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};

/// Where an attestation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))"))]
#[serde(rename_all = "snake_case")]
pub enum AttestationState {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "draft"))]
    Draft,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "submitted"))]
    Submitted,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "changes_requested"))]
    ChangesRequested,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "approved"))]
    Approved,
    /// Approved, but the app's policy URL or scopes changed, or a new questionnaire version
    /// asks for re-attestation: still current until it is re-reviewed or lapses.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "review_due"))]
    ReviewDue,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rejected"))]
    Rejected,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "expired"))]
    Expired,
    /// A newer attestation of the same app was approved.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "superseded"))]
    Superseded,
}

/// What can happen to an attestation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttestationEvent {
    /// The developer submits it for review.
    Submit,
    /// An admin asks for changes (with comments on answers).
    RequestChanges,
    Approve,
    Reject,
    /// The app's policy URL or scopes changed, or a new questionnaire version came.
    Flag,
    /// Its 12 months (or a re-attestation's grace period) ran out.
    Expire,
    /// A newer attestation of the same app was approved.
    Supersede,
}

impl AttestationState {
    /// The state machine: the next state, or `None` when the event does not apply. An approved
    /// attestation's answers never change: re-attesting is a new attestation, and the approved
    /// one stays current until that one is approved (then it is superseded) or it lapses. An admin
    /// re-reviewing a flagged one confirms it (approve) or rejects it. Rejected, expired and
    /// superseded attestations stay ended.
    pub fn next(self, event: AttestationEvent) -> Option<AttestationState> {
        use AttestationEvent::*;
        use AttestationState::*;
        match (self, event) {
            (Draft | ChangesRequested, Submit) => Some(Submitted),
            (Submitted, RequestChanges) => Some(ChangesRequested),
            (Submitted | ReviewDue, Approve) => Some(Approved),
            (Submitted | ReviewDue, Reject) => Some(Rejected),
            (Approved | ReviewDue, Flag) => Some(ReviewDue),
            (Approved | ReviewDue, Expire) => Some(Expired),
            (Approved | ReviewDue, Supersede) => Some(Superseded),
            _ => None,
        }
    }

    /// The developer is still working on it or it waits for review (at most one per app).
    pub fn is_open(self) -> bool {
        matches!(self, AttestationState::Draft | AttestationState::Submitted | AttestationState::ChangesRequested)
    }

    /// An admin has something to decide.
    pub fn awaits_review(self) -> bool {
        matches!(self, AttestationState::Submitted | AttestationState::ReviewDue)
    }

    /// Members and payers may rely on it (shown in the public list).
    pub fn is_current(self) -> bool {
        matches!(self, AttestationState::Approved | AttestationState::ReviewDue)
    }

    /// The developer may change the answers.
    pub fn is_editable(self) -> bool {
        matches!(self, AttestationState::Draft | AttestationState::ChangesRequested)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AttestationState::Draft => "draft",
            AttestationState::Submitted => "submitted",
            AttestationState::ChangesRequested => "changes_requested",
            AttestationState::Approved => "approved",
            AttestationState::ReviewDue => "review_due",
            AttestationState::Rejected => "rejected",
            AttestationState::Expired => "expired",
            AttestationState::Superseded => "superseded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AttestationState::Draft => "draft",
            AttestationState::Submitted => "waiting for review",
            AttestationState::ChangesRequested => "changes requested",
            AttestationState::Approved => "approved",
            AttestationState::ReviewDue => "approved, re-review due",
            AttestationState::Rejected => "rejected",
            AttestationState::Expired => "expired",
            AttestationState::Superseded => "superseded",
        }
    }
}

/// How an approved attestation stays valid.
pub const VALID_DAYS: i64 = 365;
/// Reminders before it lapses, in days.
pub const REMINDER_DAYS: [i64; 2] = [30, 7];

/// Evidence a question asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    None,
    /// A URL into the app's policy, or text; optional.
    Optional,
    /// Required with a "yes".
    RequiredWithYes,
}

/// One question of a questionnaire version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable across versions when the question means the same (`sells-data`).
    pub key: String,
    pub text: String,
    /// What a "yes" says about the app, in plain language, for members.
    pub yes: String,
    /// What a "no" says.
    pub no: String,
    /// CARIN Code of Conduct principle, or "ONC/CMS privacy policy".
    pub principle: String,
    pub evidence: Evidence,
    /// An answer members should notice ("may sell data", "reads other device data"): the
    /// answer that is highlighted.
    pub highlight_when: Option<Answer>,
    /// The highlight's label ("May sell data").
    pub highlight: Option<String>,
    /// Sources of the question (`../shared/research`'s S-numbers).
    pub sources: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
    NotApplicable,
}

impl Answer {
    pub fn parse(text: &str) -> Option<Answer> {
        match text.trim() {
            "yes" => Some(Answer::Yes),
            "no" => Some(Answer::No),
            "na" | "not_applicable" => Some(Answer::NotApplicable),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::NotApplicable => "na",
        }
    }
}

/// One answer with its evidence, parsed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answered {
    pub key: String,
    pub answer: Answer,
    pub evidence_url: Option<WebUrl>,
    pub evidence_text: String,
}

pub const MAX_EVIDENCE_TEXT: usize = 1000;

/// Parses the answers form (`answer-{key}`, `evidence_url-{key}`, `evidence_text-{key}`)
/// against the questions. `complete`: every question must be answered (to submit); a draft may
/// leave some out.
pub fn parse_answers(
    questions: &[Question],
    values: &[(String, String)],
    complete: bool,
) -> Result<Vec<Answered>, FormErrors> {
    let get = |name: String| values.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str());
    let mut errors = FormErrors::default();
    let mut out = Vec::new();
    for q in questions {
        let field = format!("answer-{}", q.key);
        let raw = get(field.clone());
        let answer = match (raw.trim(), Answer::parse(raw)) {
            ("", _) => {
                if complete {
                    errors.add(&field, "answer yes, no or not applicable");
                }
                continue;
            }
            (_, Some(a)) => a,
            (_, None) => {
                errors.add(&field, "answer yes, no or not applicable");
                continue;
            }
        };
        let url_field = format!("evidence_url-{}", q.key);
        let url_text = get(url_field.clone()).trim();
        let evidence_url = if url_text.is_empty() {
            None
        } else {
            match WebUrl::parse(url_text) {
                Ok(u) => Some(u),
                Err(e) => {
                    errors.add(&url_field, e.to_string());
                    None
                }
            }
        };
        let text_field = format!("evidence_text-{}", q.key);
        let evidence_text = match super::app_metadata::plain(get(text_field.clone()), MAX_EVIDENCE_TEXT) {
            Ok(t) => t,
            Err(e) => {
                errors.add(&text_field, e);
                String::new()
            }
        };
        if complete
            && q.evidence == Evidence::RequiredWithYes
            && answer == Answer::Yes
            && url_text.is_empty()
            && evidence_text.is_empty()
        {
            errors.add(&url_field, "this question asks for evidence with a yes: a link into the policy, or text");
        }
        out.push(Answered { key: q.key.clone(), answer, evidence_url, evidence_text });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Questions a questionnaire version may hold.
pub const MAX_QUESTIONS: usize = 60;
const MAX_KEY: usize = 40;
const MAX_QUESTION_TEXT: usize = 500;

/// Checks a new questionnaire version's questions: keys unique and short (`a-z`, `0-9`, `-`),
/// texts present and capped, a highlight labelled.
pub fn check_questions(questions: &[Question]) -> Result<(), String> {
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        return Err(format!("a questionnaire has 1 to {MAX_QUESTIONS} questions"));
    }
    let mut keys = std::collections::HashSet::new();
    for (i, q) in questions.iter().enumerate() {
        let n = i + 1;
        let key_ok = !q.key.is_empty()
            && q.key.len() <= MAX_KEY
            && q.key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !key_ok {
            return Err(format!("question {n}: a key is 1 to {MAX_KEY} of a-z, 0-9 and -"));
        }
        if !keys.insert(q.key.as_str()) {
            return Err(format!("question {n}: the key {} is used twice", q.key));
        }
        for (what, text) in [("text", &q.text), ("yes", &q.yes), ("no", &q.no), ("principle", &q.principle)] {
            if text.trim().is_empty() || text.chars().count() > MAX_QUESTION_TEXT {
                return Err(format!("question {n}: its {what} is 1 to {MAX_QUESTION_TEXT} characters"));
            }
        }
        if q.sources.chars().count() > MAX_QUESTION_TEXT {
            return Err(format!("question {n}: its sources are at most {MAX_QUESTION_TEXT} characters"));
        }
        match (&q.highlight_when, &q.highlight) {
            (Some(_), Some(label)) if !label.trim().is_empty() && label.chars().count() <= 60 => {}
            (None, None) => {}
            _ => {
                return Err(format!(
                    "question {n}: a highlight needs both the answer and a label of up to 60 characters"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::AttestationEvent::*;
    use super::AttestationState::*;
    use super::*;

    #[test]
    fn the_review_moves_only_along_its_edges() {
        assert_eq!(Draft.next(Submit), Some(Submitted));
        assert_eq!(Submitted.next(RequestChanges), Some(ChangesRequested));
        assert_eq!(ChangesRequested.next(Submit), Some(Submitted));
        assert_eq!(Submitted.next(Approve), Some(Approved));
        assert_eq!(Approved.next(Flag), Some(ReviewDue));
        assert_eq!(ReviewDue.next(Approve), Some(Approved), "re-review confirms it");
        assert_eq!(ReviewDue.next(Supersede), Some(Superseded));
        assert_eq!(Approved.next(Expire), Some(Expired));
        assert_eq!(Submitted.next(Reject), Some(Rejected));
        for (s, e) in [
            (Draft, Approve),
            (Draft, Reject),
            (Approved, Approve),
            (Rejected, Submit),
            (Expired, Submit),
            (ChangesRequested, Approve),
            (ReviewDue, Submit),
            (Approved, Submit),
            (Superseded, Approve),
            (Draft, Flag),
        ] {
            assert_eq!(s.next(e), None, "{s:?} {e:?}");
        }
        assert!(Approved.is_current() && ReviewDue.is_current() && !Submitted.is_current());
        assert!(!Submitted.is_editable() && ChangesRequested.is_editable() && !ReviewDue.is_editable());
        assert!(Submitted.is_open() && !Approved.is_open() && ReviewDue.awaits_review());
    }

    fn questions() -> Vec<Question> {
        vec![
            Question {
                key: "public-policy".into(),
                text: "Public, plain-language privacy policy?".into(),
                yes: "Has one.".into(),
                no: "Has none.".into(),
                highlight: None,
                principle: "Transparency".into(),
                evidence: Evidence::RequiredWithYes,
                highlight_when: None,
                sources: "S4".into(),
            },
            Question {
                key: "sells-data".into(),
                text: "May the app sell data?".into(),
                yes: "May sell data.".into(),
                no: "Does not sell data.".into(),
                highlight: Some("May sell data".into()),
                principle: "Use and disclosure".into(),
                evidence: Evidence::Optional,
                highlight_when: Some(Answer::Yes),
                sources: "S5".into(),
            },
        ]
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn answers_parse_and_submitting_needs_them_all() {
        let q = questions();
        let draft = parse_answers(&q, &pairs(&[("answer-sells-data", "no")]), false).unwrap();
        assert_eq!(draft.len(), 1);
        let e = parse_answers(&q, &pairs(&[("answer-sells-data", "no")]), true).unwrap_err();
        assert!(e.for_field("answer-public-policy").is_some());
        let e = parse_answers(&q, &pairs(&[("answer-public-policy", "yes"), ("answer-sells-data", "no")]), true)
            .unwrap_err();
        assert!(e.for_field("evidence_url-public-policy").unwrap().contains("evidence"));
        let ok = parse_answers(
            &q,
            &pairs(&[
                ("answer-public-policy", "yes"),
                ("evidence_url-public-policy", "https://app.example/privacy"),
                ("answer-sells-data", "na"),
            ]),
            true,
        )
        .unwrap();
        assert_eq!(ok[1].answer, Answer::NotApplicable);
        let e = parse_answers(&q, &pairs(&[("answer-sells-data", "maybe")]), false).unwrap_err();
        assert!(e.for_field("answer-sells-data").is_some());
        let e = parse_answers(
            &q,
            &pairs(&[("answer-sells-data", "no"), ("evidence_url-sells-data", "javascript:alert(1)")]),
            false,
        )
        .unwrap_err();
        assert!(e.for_field("evidence_url-sells-data").is_some());
        let long = "x".repeat(MAX_EVIDENCE_TEXT + 1);
        let e = parse_answers(&q, &pairs(&[("answer-sells-data", "no"), ("evidence_text-sells-data", &long)]), false)
            .unwrap_err();
        assert!(e.for_field("evidence_text-sells-data").is_some());
    }

    #[test]
    fn version_one_of_the_questionnaire_is_well_formed() {
        let v1: Vec<Question> =
            serde_json::from_str(include_str!("../../../migrations/src/data/questionnaire_v1.json")).unwrap();
        check_questions(&v1).unwrap();
        let highlighted: Vec<_> = v1.iter().filter_map(|q| q.highlight.as_deref()).collect();
        assert!(highlighted.contains(&"May sell data") && highlighted.contains(&"Reads other device data"));
        let mut twice = v1.clone();
        twice.push(v1[0].clone());
        assert!(check_questions(&twice).unwrap_err().contains("twice"));
        let mut bad = v1[..1].to_vec();
        bad[0].key = "Bad Key".into();
        assert!(check_questions(&bad).is_err());
        bad[0].key = "ok".into();
        bad[0].highlight = None;
        bad[0].highlight_when = Some(Answer::No);
        assert!(check_questions(&bad).unwrap_err().contains("highlight"));
        assert!(check_questions(&[]).is_err());
    }
}
