//! What the public sees of apps: the list of apps with a current attestation, each app's page
//! with its answers in plain language, and the status document and badge payers embed. Only
//! approved attestations are shown; drafts and reviews stay with the app's organization.
use super::attestations::{is_valid, version};
use super::metadata_at;
use crate::error::AppError;
use crate::server::entities::{attestation, client_app, client_app_version, organization, questionnaire};
use crate::server::services::lookup;
use crate::types::app_metadata::AppMetadata;
use crate::types::attestation::{Answered, AttestationState, Question};
use crate::types::attestation_pages::{
    Certification, PAYER_NOTICE, PublicApp, PublicAppList, PublicAppPage, Statement,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Apps the list shows at once.
pub const LISTED: usize = 200;
/// The longest search text read.
const MAX_Q: usize = 100;
/// Current attestations read for the list.
const SCAN: u64 = 5_000;

/// The path of a logo Signpost stores (`/logos/{32 hex}.png` at this site), if it is one: a
/// logo elsewhere is not loaded in members' browsers.
fn own_logo(m: &AppMetadata, base: &str) -> Option<String> {
    let url = m.logo_uri.as_ref()?.to_string();
    let path = url.strip_prefix(base.trim_end_matches('/'))?;
    let name = path.strip_prefix("/logos/")?;
    let ok = name.len() == 36 && name.ends_with(".png") && name.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit);
    ok.then(|| path.to_string())
}

fn statements_of(questions: &[Question], a: &attestation::Model) -> Vec<Statement> {
    let answers: Vec<Answered> = serde_json::from_str(&a.answers).unwrap_or_default();
    questions
        .iter()
        .filter_map(|question| answers.iter().find(|x| x.key == question.key).map(|x| Statement::of(question, x)))
        .collect()
}

async fn statements(db: &impl ConnectionTrait, a: &attestation::Model) -> Result<Vec<Statement>, AppError> {
    Ok(statements_of(&version(db, a.questionnaire_version).await?.questions, a))
}

/// Every questionnaire version's questions (a handful of rows).
async fn all_questions(db: &impl ConnectionTrait) -> Result<HashMap<i32, Vec<Question>>, AppError> {
    Ok(questionnaire::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|q| serde_json::from_str(&q.questions).ok().map(|qs| (q.version, qs)))
        .collect())
}

/// The metadata of the attested versions, a few queries for many apps.
async fn attested_metadata(
    db: &impl ConnectionTrait,
    rows: &[attestation::Model],
) -> Result<HashMap<(i32, i32), AppMetadata>, AppError> {
    let mut out = HashMap::new();
    for chunk in rows.chunks(200) {
        let mut any = Condition::any();
        for a in chunk {
            any = any.add(
                Condition::all()
                    .add(client_app_version::Column::AppId.eq(a.app_id))
                    .add(client_app_version::Column::Version.eq(a.app_version)),
            );
        }
        for v in client_app_version::Entity::find().filter(any).all(db).await? {
            if let Ok(m) = serde_json::from_str(&v.metadata) {
                out.insert((v.app_id, v.version), m);
            }
        }
    }
    Ok(out)
}

fn summary(
    app: &client_app::Model,
    org: &str,
    m: &AppMetadata,
    a: &attestation::Model,
    highlights: Vec<String>,
    base: &str,
) -> PublicApp {
    PublicApp {
        id: app.id,
        client_name: m.client_name.clone(),
        organization: org.to_string(),
        platforms: m.platforms.iter().map(|p| p.label().to_string()).collect(),
        description: m.description.clone(),
        logo_path: own_logo(m, base),
        attested_on: a.approved_at.unwrap_or(a.decided_at.unwrap_or(a.updated_at)),
        valid_until: a.valid_until.unwrap_or(0),
        review_due: a.state == AttestationState::ReviewDue,
        highlights,
    }
}

/// The current attestation of each app that has one.
async fn current_rows(db: &impl ConnectionTrait, now: i64) -> Result<Vec<attestation::Model>, AppError> {
    Ok(attestation::Entity::find()
        .filter(attestation::Column::State.is_in([AttestationState::Approved, AttestationState::ReviewDue]))
        .filter(attestation::Column::ValidUntil.gt(now))
        .order_by_desc(attestation::Column::ApprovedAt)
        .limit(SCAN)
        .all(db)
        .await?)
}

/// The public list, searched by name, organization or description. What it shows of each app
/// is the version its attestation was reviewed against.
pub async fn list(db: &impl ConnectionTrait, q: &str, base: &str, now: i64) -> Result<PublicAppList, AppError> {
    let q: String = q.trim().chars().take(MAX_Q).collect();
    let needle = q.to_lowercase();
    let mut rows = current_rows(db, now).await?;
    // One per app: the newest approval (an older one is superseded as the newer is approved).
    let mut seen = std::collections::HashSet::new();
    rows.retain(|a| seen.insert(a.app_id));
    let apps = lookup::apps(db, rows.iter().map(|a| a.app_id).collect()).await?;
    let orgs = lookup::org_names(db, apps.values().map(|a| a.organization_id).collect()).await?;
    let metadata = attested_metadata(db, &rows).await?;
    let questions = all_questions(db).await?;
    let mut out = Vec::new();
    let mut more = false;
    for a in &rows {
        let (Some(app), Some(m)) = (apps.get(&a.app_id), metadata.get(&(a.app_id, a.app_version))) else { continue };
        let org = orgs.get(&app.organization_id).map_or("", String::as_str);
        let matches = needle.is_empty()
            || [m.client_name.as_str(), org, m.description.as_str()].iter().any(|t| t.to_lowercase().contains(&needle));
        if !matches {
            continue;
        }
        if out.len() == LISTED {
            more = true;
            break;
        }
        let asked = questions.get(&a.questionnaire_version).map_or(&[][..], Vec::as_slice);
        let highlights = statements_of(asked, a).into_iter().filter_map(|s| s.highlight).collect();
        out.push(summary(app, org, m, a, highlights, base));
    }
    out.sort_by_key(|p| p.client_name.to_lowercase());
    Ok(PublicAppList { q, apps: out, more })
}

async fn current_of(
    db: &impl ConnectionTrait,
    app_id: i32,
    now: i64,
) -> Result<Option<(client_app::Model, attestation::Model)>, AppError> {
    let Some(app) = client_app::Entity::find_by_id(app_id).one(db).await? else { return Ok(None) };
    let a = attestation::Entity::find()
        .filter(attestation::Column::AppId.eq(app_id))
        .filter(attestation::Column::State.is_in([AttestationState::Approved, AttestationState::ReviewDue]))
        .filter(attestation::Column::ValidUntil.gt(now))
        .order_by_desc(attestation::Column::ApprovedAt)
        .one(db)
        .await?;
    Ok(a.map(|a| (app, a)))
}

/// An app's public page: only while its attestation is current (else "not found"), with the
/// app as it was when the attestation was reviewed.
pub async fn page(db: &impl ConnectionTrait, app_id: i32, base: &str, now: i64) -> Result<PublicAppPage, AppError> {
    let (app, a) = current_of(db, app_id, now)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no app {app_id} has a current attestation")))?;
    let org = organization::Entity::find_by_id(app.organization_id).one(db).await?.map(|o| o.name).unwrap_or_default();
    let m = metadata_at(db, app.id, a.app_version).await?;
    let statements = statements(db, &a).await?;
    let highlights = statements.iter().filter_map(|s| s.highlight.clone()).collect();
    let certifications: Vec<Certification> = serde_json::from_str(&a.certifications).unwrap_or_default();
    Ok(PublicAppPage {
        app: summary(&app, &org, &m, &a, highlights, base),
        client_uri: m.client_uri.clone(),
        policy_uri: m.policy_uri.clone(),
        tos_uri: m.tos_uri.clone(),
        questionnaire_version: a.questionnaire_version,
        statements,
        certifications,
    })
}

fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Where an app's attestation stands, for its status document and badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Current,
    ReviewDue,
    /// It was approved once, and is no longer.
    Lapsed,
    /// Never approved (or no such app).
    None,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Current => "current",
            Status::ReviewDue => "current_review_due",
            Status::Lapsed => "not_current",
            Status::None => "none",
        }
    }
}

/// The app's status: from its newest approved attestation.
pub async fn status(
    db: &impl ConnectionTrait,
    app_id: i32,
    now: i64,
) -> Result<(Status, Option<(client_app::Model, attestation::Model)>), AppError> {
    if let Some((app, a)) = current_of(db, app_id, now).await? {
        let s = if a.state == AttestationState::ReviewDue { Status::ReviewDue } else { Status::Current };
        return Ok((s, Some((app, a))));
    }
    let ever = attestation::Entity::find()
        .filter(attestation::Column::AppId.eq(app_id))
        .filter(attestation::Column::ApprovedAt.is_not_null())
        .order_by_desc(attestation::Column::ApprovedAt)
        .one(db)
        .await?;
    Ok((if ever.is_some() { Status::Lapsed } else { Status::None }, None))
}

/// `/apps/{id}/attestation.json`: the status and, while it is current, the answers. An app
/// never approved is "not found", so the document does not tell which apps are being written.
pub async fn status_document(db: &impl ConnectionTrait, app_id: i32, base: &str, now: i64) -> Result<Value, AppError> {
    let base = base.trim_end_matches('/');
    let (status, found) = status(db, app_id, now).await?;
    let mut doc = json!({
        "app": app_id,
        "status": status.as_str(),
        "page": format!("{base}/apps/{app_id}"),
        "notice": PAYER_NOTICE,
    });
    match (status, found) {
        (Status::None, _) => return Err(AppError::NotFound(format!("app {app_id} has no attestation"))),
        (_, Some((app, a))) if is_valid(&a, now) => {
            let p = page(db, app.id, base, now).await?;
            doc["client_name"] = json!(p.app.client_name);
            doc["organization"] = json!(p.app.organization);
            doc["policy_uri"] = json!(p.policy_uri.map(|u| u.to_string()));
            doc["attested_at"] = json!(rfc3339(p.app.attested_on));
            doc["valid_until"] = json!(rfc3339(p.app.valid_until));
            doc["questionnaire_version"] = json!(p.questionnaire_version);
            doc["highlights"] = json!(p.app.highlights);
            doc["answers"] = Value::Array(
                p.statements
                    .iter()
                    .map(|s| {
                        json!({
                            "key": s.key,
                            "principle": s.principle,
                            "question": s.question,
                            "answer": s.answer,
                            "says": s.says,
                            "highlight": s.highlight,
                            "evidence_url": s.evidence_url.as_ref().map(|u| u.to_string()),
                            "evidence_text": s.evidence_text,
                        })
                    })
                    .collect(),
            );
            doc["certifications"] = json!(p.certifications);
        }
        _ => {}
    }
    Ok(doc)
}

/// `/apps/{id}/badge.svg`: a small image of the status (our own text only, nothing typed by a
/// developer, so nothing to escape).
pub fn badge(status: Status, valid_until: Option<i64>) -> String {
    let (text, color) = match status {
        Status::Current => {
            (format!("attested until {}", valid_until.map(super::mails::day).unwrap_or_default()), "#1a7f37")
        }
        Status::ReviewDue => ("attested, re-review due".to_string(), "#9a6700"),
        Status::Lapsed => ("attestation lapsed".to_string(), "#6e7781"),
        Status::None => ("not attested".to_string(), "#6e7781"),
    };
    let left = 118;
    let right = 8 + text.len() as i32 * 7;
    let width = left + right;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" role=\"img\" \
         aria-label=\"Signpost privacy attestation: {text}\"><title>Signpost privacy attestation: {text}</title>\
         <rect width=\"{left}\" height=\"20\" fill=\"#24292f\"/><rect x=\"{left}\" width=\"{right}\" height=\"20\" \
         fill=\"{color}\"/><g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">\
         <text x=\"6\" y=\"14\">Signpost attestation</text><text x=\"{}\" y=\"14\">{text}</text></g></svg>",
        left + 4
    )
}
