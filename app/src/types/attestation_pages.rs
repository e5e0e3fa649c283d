//! What the attestation pages show: certifications, the reviewer's comments, the answers form,
//! and the developer's, the admin's and the public's pages.
use super::accounts::FormErrors;
use super::attestation::{Answer, Answered, AttestationState, Question, parse_answers};
use super::link::WebUrl;
use serde::{Deserialize, Serialize};

/// Certifications an attestation may list.
pub const MAX_CERTIFICATIONS: usize = 5;
const MAX_NOTE: usize = 200;
/// A reviewer's comment, on the whole or on one answer.
pub const MAX_COMMENT: usize = 2000;

/// What the law lets a payer do with these answers (CMS-9115-F, 85 FR 25516, and ONC's
/// information-blocking rule): shown wherever a payer meets them.
pub const PAYER_NOTICE: &str = "For payers: under the CMS Interoperability and Patient Access final rule \
(CMS-9115-F), a payer may ask an app to attest to its privacy practices, but may not refuse or end an \
app's access because of its answers or because it did not attest. Access may be denied only when the app \
poses a security risk to the payer's own systems. A payer may tell its members about an app's answers, \
but what it says must be factual and the same for every app.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificationKind {
    CarinCfa,
    EhnacTdraap,
    MyHealthApplication,
    Other,
}

impl CertificationKind {
    pub const ALL: [CertificationKind; 4] = [
        CertificationKind::CarinCfa,
        CertificationKind::EhnacTdraap,
        CertificationKind::MyHealthApplication,
        CertificationKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CertificationKind::CarinCfa => "carin_cfa",
            CertificationKind::EhnacTdraap => "ehnac_tdraap",
            CertificationKind::MyHealthApplication => "my_health_application",
            CertificationKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CertificationKind::CarinCfa => "CARIN-CFA accreditation (DirectTrust)",
            CertificationKind::EhnacTdraap => "EHNAC TDRAAP accreditation",
            CertificationKind::MyHealthApplication => "Listed on myhealthapplication.com",
            CertificationKind::Other => "Another certification",
        }
    }

    pub fn parse(text: &str) -> Option<CertificationKind> {
        CertificationKind::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }
}

/// A certification the app holds, with where to check it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certification {
    pub kind: CertificationKind,
    pub evidence_url: WebUrl,
    /// Its name for `Other`; otherwise an optional note (an accreditation number).
    pub note: String,
}

/// Parses `cert_kind-{i}`, `cert_url-{i}`, `cert_note-{i}` for `i` below the limit; a row with
/// no kind is left out.
pub fn parse_certifications(values: &[(String, String)]) -> Result<Vec<Certification>, FormErrors> {
    let get = |name: String| values.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str());
    let mut errors = FormErrors::default();
    let mut out = Vec::new();
    for i in 0..MAX_CERTIFICATIONS {
        let (kf, uf, nf) = (format!("cert_kind-{i}"), format!("cert_url-{i}"), format!("cert_note-{i}"));
        let kind_text = get(kf.clone()).trim();
        if kind_text.is_empty() {
            continue;
        }
        let Some(kind) = CertificationKind::parse(kind_text) else {
            errors.add(&kf, "choose a certification from the list");
            continue;
        };
        let note = match super::app_metadata::plain(get(nf.clone()), MAX_NOTE) {
            Ok(n) => n,
            Err(e) => {
                errors.add(&nf, e);
                continue;
            }
        };
        if kind == CertificationKind::Other && note.is_empty() {
            errors.add(&nf, "name the certification");
        }
        match WebUrl::parse(get(uf.clone())) {
            Ok(evidence_url) => out.push(Certification { kind, evidence_url, note }),
            Err(e) => errors.add(&uf, format!("a link where the certification can be checked: {e}")),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// What the reviewer wrote when asking for changes or rejecting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewComments {
    pub general: String,
    /// (question key, comment).
    pub answers: Vec<(String, String)>,
}

impl ReviewComments {
    pub fn on(&self, key: &str) -> Option<String> {
        self.answers.iter().find(|(k, _)| k == key).map(|(_, c)| c.clone())
    }

    pub fn is_empty(&self) -> bool {
        self.general.is_empty() && self.answers.is_empty()
    }

    /// Parses `comment` and `comment-{key}` for the questions' keys.
    pub fn parse(questions: &[Question], values: &[(String, String)]) -> Result<ReviewComments, FormErrors> {
        let get = |name: &str| values.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str());
        let mut errors = FormErrors::default();
        let mut out = ReviewComments::default();
        match super::app_metadata::plain(get("comment"), MAX_COMMENT) {
            Ok(t) => out.general = t,
            Err(e) => errors.add("comment", e),
        }
        for q in questions {
            let field = format!("comment-{}", q.key);
            match super::app_metadata::plain(get(&field), MAX_COMMENT) {
                Ok(t) if t.is_empty() => {}
                Ok(t) => out.answers.push((q.key.clone(), t)),
                Err(e) => errors.add(&field, e),
            }
        }
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }
}

/// The answers form, as posted or as filled from stored answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationForm {
    pub values: Vec<(String, String)>,
}

/// A parsed answers form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttestationDraft {
    pub answers: Vec<Answered>,
    pub certifications: Vec<Certification>,
}

impl AttestationForm {
    pub fn get(&self, name: &str) -> &str {
        self.values.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    /// Parses the form against the questions; `complete` to submit.
    pub fn parse(&self, questions: &[Question], complete: bool) -> Result<AttestationDraft, FormErrors> {
        let answers = parse_answers(questions, &self.values, complete);
        let certifications = parse_certifications(&self.values);
        match (answers, certifications) {
            (Ok(answers), Ok(certifications)) => Ok(AttestationDraft { answers, certifications }),
            (a, c) => {
                let mut errors = FormErrors::default();
                for e in [a.err(), c.err()].into_iter().flatten() {
                    errors.fields.extend(e.fields);
                }
                Err(errors)
            }
        }
    }

    /// The form filled with stored answers (those whose question is still asked).
    pub fn of(answers: &[Answered], certifications: &[Certification]) -> AttestationForm {
        let mut values = Vec::new();
        for a in answers {
            values.push((format!("answer-{}", a.key), a.answer.as_str().to_string()));
            if let Some(u) = &a.evidence_url {
                values.push((format!("evidence_url-{}", a.key), u.to_string()));
            }
            if !a.evidence_text.is_empty() {
                values.push((format!("evidence_text-{}", a.key), a.evidence_text.clone()));
            }
        }
        for (i, c) in certifications.iter().enumerate() {
            values.push((format!("cert_kind-{i}"), c.kind.as_str().to_string()));
            values.push((format!("cert_url-{i}"), c.evidence_url.to_string()));
            values.push((format!("cert_note-{i}"), c.note.clone()));
        }
        AttestationForm { values }
    }
}

/// One attestation, as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationInfo {
    pub id: i32,
    pub state: AttestationState,
    pub questionnaire_version: i32,
    pub submitted_at: Option<i64>,
    pub approved_at: Option<i64>,
    pub valid_until: Option<i64>,
    pub review_reason: Option<String>,
}

/// The developer's attestation page for one app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationPage {
    pub app_id: i32,
    pub organization_id: i32,
    pub organization: String,
    pub client_name: String,
    /// The attestation being written or reviewed, if any.
    pub open: Option<AttestationInfo>,
    /// The approved one members and payers see, if it is still valid.
    pub current: Option<AttestationInfo>,
    /// Earlier ones, newest first.
    pub history: Vec<AttestationInfo>,
    /// The questionnaire the form asks (the newest version).
    pub questionnaire_version: i32,
    pub questions: Vec<Question>,
    pub form: AttestationForm,
    /// What the reviewer asked of the open attestation.
    pub comments: ReviewComments,
    pub can_edit: bool,
}

/// A question with its answer and the reviewer's comment, for the review page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnsweredQuestion {
    pub question: Question,
    pub answer: Option<Answered>,
    pub comment: Option<String>,
}

/// An attestation in the admins' queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub info: AttestationInfo,
    pub app_id: i32,
    pub client_name: String,
    pub organization: String,
}

/// The admin's review page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub item: ReviewItem,
    pub description: String,
    pub policy_uri: Option<String>,
    /// (scope, reason) as the app requests them.
    pub scopes: Vec<(String, String)>,
    pub app_version: i32,
    pub answers: Vec<AnsweredQuestion>,
    pub certifications: Vec<Certification>,
    pub comments: ReviewComments,
    pub can_decide: bool,
}

/// One answer as members read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub key: String,
    pub principle: String,
    pub question: String,
    pub answer: Answer,
    /// The plain-language sentence for the answer.
    pub says: String,
    /// Set when members should notice the answer ("May sell data").
    pub highlight: Option<String>,
    pub evidence_url: Option<WebUrl>,
    pub evidence_text: String,
}

impl Statement {
    pub fn of(q: &Question, a: &Answered) -> Statement {
        let says = match a.answer {
            Answer::Yes => q.yes.clone(),
            Answer::No => q.no.clone(),
            Answer::NotApplicable => format!("Not applicable: {}", q.text),
        };
        Statement {
            key: q.key.clone(),
            principle: q.principle.clone(),
            question: q.text.clone(),
            answer: a.answer,
            says,
            highlight: q.highlight.clone().filter(|_| q.highlight_when == Some(a.answer)),
            evidence_url: a.evidence_url.clone(),
            evidence_text: a.evidence_text.clone(),
        }
    }
}

/// An app with a current attestation, in the public list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicApp {
    pub id: i32,
    pub client_name: String,
    pub organization: String,
    pub platforms: Vec<String>,
    pub description: String,
    /// A logo stored by Signpost (`/logos/…`); others are not loaded in members' browsers.
    pub logo_path: Option<String>,
    pub attested_on: i64,
    pub valid_until: i64,
    pub review_due: bool,
    pub highlights: Vec<String>,
}

/// The public list (`/apps`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAppList {
    pub q: String,
    pub apps: Vec<PublicApp>,
    /// More matched than are shown.
    pub more: bool,
}

/// An app's public page (`/apps/:id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAppPage {
    pub app: PublicApp,
    pub client_uri: Option<WebUrl>,
    pub policy_uri: Option<WebUrl>,
    pub tos_uri: Option<WebUrl>,
    pub questionnaire_version: i32,
    pub statements: Vec<Statement>,
    pub certifications: Vec<Certification>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn certifications_need_a_kind_from_the_list_and_a_link() {
        let ok = parse_certifications(&pairs(&[
            ("cert_kind-0", "carin_cfa"),
            ("cert_url-0", "https://accreditation.directtrust.org/x"),
            ("cert_kind-1", ""),
            ("cert_kind-2", "other"),
            ("cert_url-2", "https://example.org/cert"),
            ("cert_note-2", "SOC 2 Type II"),
        ]))
        .unwrap();
        assert_eq!(ok.len(), 2);
        let e =
            parse_certifications(&pairs(&[("cert_kind-0", "carin_cfa"), ("cert_url-0", "javascript:x")])).unwrap_err();
        assert!(e.for_field("cert_url-0").is_some());
        let e = parse_certifications(&pairs(&[("cert_kind-0", "gold-star")])).unwrap_err();
        assert!(e.for_field("cert_kind-0").is_some());
        let e = parse_certifications(&pairs(&[("cert_kind-4", "other"), ("cert_url-4", "https://x.example/")]))
            .unwrap_err();
        assert!(e.for_field("cert_note-4").is_some());
        // Rows past the limit are not read.
        assert!(parse_certifications(&pairs(&[("cert_kind-5", "gold-star")])).unwrap().is_empty());
    }

    #[test]
    fn comments_are_kept_per_answer_and_capped() {
        let q: Vec<Question> =
            serde_json::from_str(include_str!("../../../migrations/src/data/questionnaire_v1.json")).unwrap();
        let c = ReviewComments::parse(
            &q,
            &pairs(&[("comment-sells-data", " Link the policy section. "), ("comment-unknown", "x")]),
        )
        .unwrap();
        assert_eq!(c.answers, vec![("sells-data".to_string(), "Link the policy section.".to_string())]);
        assert_eq!(c.on("sells-data").as_deref(), Some("Link the policy section."));
        let long = "x".repeat(MAX_COMMENT + 1);
        assert!(ReviewComments::parse(&q, &pairs(&[("comment", &long)])).is_err());
    }

    #[test]
    fn a_stored_attestation_fills_the_form_it_came_from() {
        let q: Vec<Question> =
            serde_json::from_str(include_str!("../../../migrations/src/data/questionnaire_v1.json")).unwrap();
        let mut values = Vec::new();
        for x in &q {
            values.push((format!("answer-{}", x.key), "yes".to_string()));
            values.push((format!("evidence_text-{}", x.key), format!("Section on {}", x.key)));
        }
        values.extend(pairs(&[("cert_kind-0", "ehnac_tdraap"), ("cert_url-0", "https://ehnac.org/x")]));
        let draft = AttestationForm { values }.parse(&q, true).unwrap();
        let again = AttestationForm::of(&draft.answers, &draft.certifications).parse(&q, true).unwrap();
        assert_eq!(draft, again);
        let sells = q.iter().find(|x| x.key == "sells-data").unwrap();
        let s = Statement::of(sells, draft.answers.iter().find(|a| a.key == "sells-data").unwrap());
        assert_eq!(s.highlight.as_deref(), Some("May sell data"));
        assert_eq!(s.says, sells.yes);
    }
}
