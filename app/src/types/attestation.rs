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
}

impl AttestationState {
    /// The state machine: the next state, or `None` when the event does not apply. Rejected
    /// and expired attestations stay ended (the developer starts a new one).
    pub fn next(self, event: AttestationEvent) -> Option<AttestationState> {
        use AttestationEvent::*;
        use AttestationState::*;
        match (self, event) {
            (Draft | ChangesRequested | ReviewDue, Submit) => Some(Submitted),
            (Submitted, RequestChanges) => Some(ChangesRequested),
            (Submitted, Approve) => Some(Approved),
            (Submitted, Reject) => Some(Rejected),
            (Approved | ReviewDue, Flag) => Some(ReviewDue),
            (Approved | ReviewDue, Expire) => Some(Expired),
            _ => None,
        }
    }

    /// Members and payers may rely on it (shown in the public list).
    pub fn is_current(self) -> bool {
        matches!(self, AttestationState::Approved | AttestationState::ReviewDue)
    }

    /// The developer may change the answers.
    pub fn is_editable(self) -> bool {
        matches!(self, AttestationState::Draft | AttestationState::ChangesRequested | AttestationState::ReviewDue)
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
    /// CARIN Code of Conduct principle, or "ONC/CMS privacy policy".
    pub principle: String,
    pub evidence: Evidence,
    /// An answer members should notice ("may sell data", "reads other device data"): the
    /// answer that is highlighted.
    pub highlight_when: Option<Answer>,
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
        let evidence_text = get(text_field.clone()).trim().to_string();
        if evidence_text.chars().count() > MAX_EVIDENCE_TEXT {
            errors.add(&text_field, format!("at most {MAX_EVIDENCE_TEXT} characters"));
        }
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
        assert_eq!(ReviewDue.next(Submit), Some(Submitted));
        assert_eq!(Approved.next(Expire), Some(Expired));
        assert_eq!(Submitted.next(Reject), Some(Rejected));
        for (s, e) in [
            (Draft, Approve),
            (Draft, Reject),
            (Approved, Approve),
            (Rejected, Submit),
            (Expired, Submit),
            (ChangesRequested, Approve),
        ] {
            assert_eq!(s.next(e), None, "{s:?} {e:?}");
        }
        assert!(Approved.is_current() && ReviewDue.is_current() && !Submitted.is_current());
        assert!(!Submitted.is_editable() && ChangesRequested.is_editable());
    }

    fn questions() -> Vec<Question> {
        vec![
            Question {
                key: "public-policy".into(),
                text: "Public, plain-language privacy policy?".into(),
                principle: "Transparency".into(),
                evidence: Evidence::RequiredWithYes,
                highlight_when: None,
                sources: "S4".into(),
            },
            Question {
                key: "sells-data".into(),
                text: "May the app sell data?".into(),
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
}
