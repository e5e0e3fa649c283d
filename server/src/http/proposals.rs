//! Proposal forms: propose a new brand or a change, edit or withdraw one, report a problem,
//! write in a proposal's thread, and the moderators' decisions, reverts and import conflicts.
//! Each answers with a redirect, or the form's page again with what was typed and found.
use super::ctx::Ctx;
use super::pages::Answer;
use app::error::AppError;
use app::server::policy::Actor;
use app::server::services::moderation::proposals::{self, Env, ProposeOutcome, Report, ReportOutcome};
use app::server::services::moderation::records;
use app::server::services::moderation::review::{self, ApproveOutcome};
use app::types::accounts::{FormErrors, PostedForm};
use app::types::proposals::BrandDraft;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

type Pairs = Vec<(String, String)>;

fn value<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// What was typed, for the page rendered again (capped like the draft).
fn typed(pairs: &Pairs) -> Vec<(String, String)> {
    pairs
        .iter()
        .take(2000)
        .map(|(n, v)| (n.chars().take(64).collect(), v.chars().take(app::types::proposals::MAX_TEXT).collect()))
        .collect()
}

/// Seconds to wait when this account has sent its share of proposal forms and messages.
fn limited(ctx: &Ctx, account: i32) -> Option<u64> {
    ctx.state.proposal_limiter.check(&account.to_string()).err()
}

fn env<'a>(ctx: &'a Ctx, may_check: &'a (dyn Fn() -> bool + Sync)) -> Env<'a> {
    Env { search: &ctx.state.search, fetch: &ctx.state.fetch, base: ctx.base(), may_check }
}

fn page_again(
    page: String,
    pairs: &Pairs,
    errors: FormErrors,
    preview: app::types::proposals::ProposalPreview,
) -> Answer {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let posted = PostedForm {
        form: "proposal".into(),
        values: typed(pairs),
        errors,
        preview: Some(preview),
        ..Default::default()
    };
    Answer::posted(page, posted, status)
}

/// A proposal form posted: a new one (`editing` `None`, on `brand` or a new brand) or the
/// proposer's changes to proposal `editing`.
async fn proposal_posted(ctx: Ctx, brand: Option<i32>, editing: Option<i32>, page: String, pairs: Pairs) -> Response {
    let answer = match (ctx.actor(), BrandDraft::from_form(&pairs)) {
        (Err(e), _) => Answer::failed(page, "proposal", e),
        (Ok(_), Err(too_much)) => Answer::failed(page, "proposal", AppError::TooLarge(too_much.0)),
        (Ok((session, _)), Ok(_)) if let Some(wait) = limited(&ctx, session.viewer.account_id) => {
            Answer::failed(page, "proposal", AppError::TooManyRequests(wait))
        }
        (Ok((_, actor)), Ok(draft)) => {
            let preview = value(&pairs, "intent") != "submit";
            let comment = value(&pairs, "comment");
            let may_check = || ctx.state.check_limiter.check(ctx.client).is_ok();
            let env = env(&ctx, &may_check);
            let (db, now) = (&ctx.state.db, ctx.now());
            let outcome = match editing {
                Some(id) => proposals::edit(db, &env, &actor, id, &draft, comment, preview, now).await,
                None => proposals::propose(db, &env, &actor, brand, &draft, comment, preview, now).await,
            };
            match outcome {
                Ok(ProposeOutcome::Checked { preview, errors }) => page_again(page, &pairs, errors, preview),
                Ok(ProposeOutcome::Created { id, .. }) => Answer::redirect(format!("/proposals/{id}")),
                Err(e) => Answer::failed(page, "proposal", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

pub async fn propose_new(ctx: Ctx, Form(pairs): Form<Pairs>) -> Response {
    proposal_posted(ctx, None, None, "/propose".into(), pairs).await
}

pub async fn propose_change(ctx: Ctx, Path(brand): Path<i32>, Form(pairs): Form<Pairs>) -> Response {
    proposal_posted(ctx, Some(brand), None, format!("/brands/{brand}/propose"), pairs).await
}

pub async fn edit(ctx: Ctx, Path(id): Path<i32>, Form(pairs): Form<Pairs>) -> Response {
    proposal_posted(ctx, None, Some(id), format!("/proposals/{id}/edit"), pairs).await
}

pub async fn withdraw(ctx: Ctx, Path(id): Path<i32>) -> Response {
    let page = format!("/proposals/{id}");
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "decision", e),
        Ok((_, actor)) => match proposals::withdraw(&ctx.state.db, &actor, id, ctx.now()).await {
            Ok(()) => Answer::redirect(page),
            Err(e) => Answer::failed(page, "decision", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    body: String,
}

pub async fn message(ctx: Ctx, Path(id): Path<i32>, Form(f): Form<MessageForm>) -> Response {
    let page = format!("/proposals/{id}");
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "message", e),
        Ok((_, actor)) if let Some(wait) = actor.account_id().and_then(|a| limited(&ctx, a)) => {
            Answer::failed(page, "message", AppError::TooManyRequests(wait))
        }
        Ok((_, actor)) => {
            match proposals::post_message(&ctx.state.db, &actor, ctx.base(), id, &f.body, ctx.now()).await {
                Ok(()) => Answer::redirect(format!("{page}#thread")),
                Err(AppError::BadRequest(m)) => Answer::invalid(page, "message", vec![], FormErrors::field("body", m)),
                Err(e) => Answer::failed(page, "message", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

/// Approves as proposed (`note`, and `force` over conflicts), or, from the review page, the
/// moderator's edited draft (`edited=1` with the draft's fields).
pub async fn approve(ctx: Ctx, Path(id): Path<i32>, Form(pairs): Form<Pairs>) -> Response {
    let edited = value(&pairs, "edited") == "1";
    let page = if edited { format!("/proposals/{id}/review") } else { format!("/proposals/{id}") };
    let answer = match (ctx.actor(), BrandDraft::from_form(&pairs)) {
        (Err(e), _) => Answer::failed(page, "decision", e),
        (Ok(_), Err(too_much)) => Answer::failed(page, "decision", AppError::TooLarge(too_much.0)),
        (Ok((_, actor)), Ok(draft)) => {
            let force = value(&pairs, "force") == "1";
            let draft = edited.then_some(&draft);
            let note = value(&pairs, "note");
            let seen = review::Seen { revision: value(&pairs, "seen"), record_revision: value(&pairs, "record_seen") };
            match review::approve(&ctx.state.db, &actor, id, draft, force, note, seen, ctx.base(), ctx.now()).await {
                Ok(ApproveOutcome::Approved { .. }) => Answer::redirect(format!("/proposals/{id}")),
                Ok(ApproveOutcome::Conflict(conflicts)) => {
                    let list: Vec<String> =
                        conflicts.iter().map(|c| format!("{} is now \"{}\"", c.label, c.before)).collect();
                    let message = format!(
                        "The record changed since this was proposed: {}. Approve anyway to overwrite, or edit it first.",
                        list.join("; ")
                    );
                    let posted = PostedForm {
                        form: "decision".into(),
                        values: vec![("conflict".into(), "1".into())],
                        errors: FormErrors::whole(message),
                        ..Default::default()
                    };
                    Answer::posted(page, posted, StatusCode::CONFLICT)
                }
                Ok(ApproveOutcome::Invalid(errors)) => {
                    let form = if edited { "proposal" } else { "decision" };
                    Answer::invalid(page, form, if edited { typed(&pairs) } else { vec![] }, errors)
                }
                Err(e) => Answer::failed(page, "decision", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RejectForm {
    reason: String,
    seen: String,
}

pub async fn reject(ctx: Ctx, Path(id): Path<i32>, Form(f): Form<RejectForm>) -> Response {
    let page = format!("/proposals/{id}");
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "reject", e),
        Ok((_, actor)) => {
            match review::reject(&ctx.state.db, &actor, id, &f.reason, &f.seen, ctx.base(), ctx.now()).await {
                Ok(Ok(())) => Answer::redirect(page),
                Ok(Err(errors)) => Answer::invalid(page, "reject", vec![], errors),
                Err(e) => Answer::failed(page, "reject", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportForm {
    kind: String,
    endpoint: String,
    detail: String,
    comment: String,
    email: String,
}

/// A report from anyone, signed in or not: limited per client address.
pub async fn report(ctx: Ctx, Path(brand): Path<i32>, Form(f): Form<ReportForm>) -> Response {
    let page = format!("/brands/{brand}/report");
    let actor = Actor::request(ctx.session.as_ref().map(|s| s.viewer.clone()), ctx.client.to_string());
    let answer = match ctx.state.report_limiter.check(ctx.client) {
        Err(wait) => Answer::failed(page, "report", AppError::TooManyRequests(wait)),
        Ok(()) => {
            let r = Report {
                brand_id: brand,
                endpoint_id: f.endpoint.parse().ok(),
                kind: &f.kind,
                detail: &f.detail,
                comment: &f.comment,
                email: &f.email,
            };
            match proposals::report(&ctx.state.db, &actor, ctx.base(), &r, ctx.now()).await {
                Ok(ReportOutcome::Sent { id }) => {
                    let notice = format!("Thank you: report #{id} is in the moderators' queue.");
                    Answer::notice(format!("/brands/{brand}"), "report", notice)
                }
                Ok(ReportOutcome::Invalid(errors)) => {
                    let cap = |s: &str, n: usize| s.chars().take(n).collect::<String>();
                    let values = vec![
                        ("kind".into(), cap(&f.kind, 32)),
                        ("endpoint".into(), cap(&f.endpoint, 12)),
                        ("detail".into(), cap(&f.detail, 2048)),
                        ("comment".into(), cap(&f.comment, 4000)),
                        ("email".into(), cap(&f.email, 254)),
                    ];
                    Answer::invalid(page, "report", values, errors)
                }
                Err(e) => Answer::failed(page, "report", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevertForm {
    change: i64,
}

pub async fn revert(ctx: Ctx, Path(brand): Path<i32>, Form(f): Form<RevertForm>) -> Response {
    let page = format!("/brands/{brand}/history");
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "revert", e),
        Ok((_, actor)) => match records::revert(&ctx.state.db, &actor, brand, f.change, ctx.now()).await {
            Ok(_) => Answer::redirect(page),
            Err(e) => Answer::failed(page, "revert", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettleForm {
    restore: String,
}

pub async fn settle_conflict(ctx: Ctx, Path(id): Path<i32>, Form(f): Form<SettleForm>) -> Response {
    let page = "/moderation".to_string();
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "conflicts", e),
        Ok((_, actor)) => {
            match records::settle_conflict(&ctx.state.db, &actor, id, f.restore == "1", ctx.now()).await {
                Ok(()) => Answer::redirect(page),
                Err(e) => Answer::failed(page, "conflicts", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}
