//! Attestation forms (the developer's answers, an admin's decision, a new questionnaire
//! version) and the public status document and badge.
use super::ctx::Ctx;
use super::pages::Answer;
use app::error::AppError;
use app::server::services::apps::attestations::{self, AttestOutcome, Intent};
use app::server::services::apps::public;
use app::server::services::apps::review::{self, DecideOutcome, Decision};
use app::server::state::AppState;
use app::types::attestation::Question;
use app::types::attestation_pages::AttestationForm;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;

/// Fields an answers or review form may have: three per question (at most 60) and three per
/// certification, and the intent.
const MAX_FIELDS: usize = 200;

fn intent_of(pairs: &[(String, String)]) -> &str {
    pairs.iter().find(|(n, _)| n == "intent").map_or("", |(_, v)| v.as_str())
}

fn too_many(pairs: &[(String, String)]) -> Option<AppError> {
    (pairs.len() > MAX_FIELDS).then(|| AppError::TooLarge(format!("the form has at most {MAX_FIELDS} fields")))
}

/// `POST /orgs/{id}/apps/{app}/attestation`: saves the answers as a draft (`intent=save`) or
/// submits them for review (`intent=submit`).
pub async fn save(ctx: Ctx, Path((org, app)): Path<(i32, i32)>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let page = format!("/orgs/{org}/apps/{app}/attestation");
    if let Some(e) = too_many(&pairs) {
        return Answer::failed(page, "attestation", e).respond(&ctx.state, &ctx.parts).await;
    }
    let intent = match intent_of(&pairs) {
        "save" => Intent::Save,
        "submit" => Intent::Submit,
        _ => {
            let e = AppError::BadRequest("intent is save or submit".into());
            return Answer::failed(page, "attestation", e).respond(&ctx.state, &ctx.parts).await;
        }
    };
    let form = AttestationForm { values: pairs };
    let base = ctx.state.settings.public_url.clone();
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "attestation", e),
        Ok((_, actor)) => {
            match attestations::save(&ctx.state.db, &actor, org, app, &form, intent, &base, ctx.now()).await {
                Ok(AttestOutcome::Saved { .. }) => Answer::notice(page, "attestation", "The draft is saved."),
                Ok(AttestOutcome::Submitted { .. }) => Answer::notice(
                    page,
                    "attestation",
                    "Submitted: an admin reviews it, and you get a mail when they decide.",
                ),
                Ok(AttestOutcome::Invalid(errors)) => Answer::invalid(page, "attestation", form.values, errors),
                Err(e) => Answer::failed(page, "attestation", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

/// `POST /admin/attestations/{id}`: `intent=approve|changes|reject`, with `comment` and
/// `comment-{question}`.
pub async fn decide(ctx: Ctx, Path(id): Path<i32>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let page = format!("/admin/attestations/{id}");
    if let Some(e) = too_many(&pairs) {
        return Answer::failed(page, "review", e).respond(&ctx.state, &ctx.parts).await;
    }
    let decision = match intent_of(&pairs) {
        "approve" => Decision::Approve,
        "changes" => Decision::RequestChanges,
        "reject" => Decision::Reject,
        _ => {
            let e = AppError::BadRequest("intent is approve, changes or reject".into());
            return Answer::failed(page, "review", e).respond(&ctx.state, &ctx.parts).await;
        }
    };
    let base = ctx.state.settings.public_url.clone();
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "review", e),
        Ok((_, actor)) => match review::decide(&ctx.state.db, &actor, id, decision, &pairs, &base, ctx.now()).await {
            Ok(DecideOutcome::Decided(state)) => {
                Answer::notice(page, "review", format!("Decided: the attestation is {}.", state.label()))
            }
            Ok(DecideOutcome::Invalid(errors)) => Answer::invalid(page, "review", pairs, errors),
            Err(e) => Answer::failed(page, "review", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize)]
pub struct NewQuestionnaire {
    pub questions: Vec<Question>,
    pub grace_days: i32,
}

/// `POST /admin/questionnaires` (JSON): publishes the next questionnaire version.
pub async fn publish_questionnaire(ctx: Ctx, Json(body): Json<NewQuestionnaire>) -> Result<Response, AppError> {
    let (_, actor) = ctx.actor()?;
    let base = ctx.state.settings.public_url.clone();
    let version =
        review::publish_questionnaire(&ctx.state.db, &actor, &body.questions, body.grace_days, &base, ctx.now())
            .await?;
    Ok((axum::http::StatusCode::CREATED, Json(serde_json::json!({"version": version}))).into_response())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// `GET /apps/{id}/attestation.json`: the app's attestation status, with its answers while it
/// is current, for payers to show their members.
pub async fn status_document(State(state): State<AppState>, Path(id): Path<i32>) -> Result<Response, AppError> {
    let doc = public::status_document(&state.db, id, &state.settings.public_url, now()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        serde_json::to_string_pretty(&doc).unwrap_or_default(),
    )
        .into_response())
}

/// `GET /apps/{id}/badge.svg`.
pub async fn badge(State(state): State<AppState>, Path(id): Path<i32>) -> Result<Response, AppError> {
    let (status, found) = public::status(&state.db, id, now()).await?;
    let svg = public::badge(status, found.and_then(|(_, a)| a.valid_until));
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
        ],
        svg,
    )
        .into_response())
}
