//! Claim forms: a payer organization claims a brand, checks its well-known file, withdraws a
//! claim; the mailed link is confirmed; admins grant, transfer and revoke claims.
use super::ctx::Ctx;
use super::pages::Answer;
use app::error::AppError;
use app::server::policy::Actor;
use app::server::services::publishing::checks::{self, FileOutcome};
use app::server::services::publishing::{admin, claims};
use app::types::accounts::FormErrors;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ClaimForm {
    brand: String,
    method: String,
    email: String,
}

pub async fn start(ctx: Ctx, Path(org): Path<i32>, Form(f): Form<ClaimForm>) -> Response {
    let page = format!("/orgs/{org}");
    let typed = || {
        vec![
            ("brand".to_string(), f.brand.chars().take(200).collect()),
            ("method".to_string(), f.method.chars().take(16).collect()),
            ("email".to_string(), f.email.chars().take(254).collect()),
        ]
    };
    // Claims need an account; each may mail a link or lead to a fetch: limited per account, as
    // proposals are (the service also allows one mail per brand every 10 minutes).
    let answer = match ctx.actor().map(|(_, a)| {
        let l = ctx.state.proposal_limiter.check(&format!("claim:{}", a.account_id().unwrap_or(0)));
        (a, l)
    }) {
        Err(e) => Answer::failed(page, "claim", e),
        Ok((_, Err(wait))) => Answer::failed(page, "claim", AppError::TooManyRequests(wait)),
        Ok((actor, Ok(()))) => {
            let db = &ctx.state.db;
            match claims::start(db, &actor, ctx.base(), org, &f.brand, &f.method, &f.email, ctx.now()).await {
                Ok(claims::StartOutcome::Mailed { email }) => Answer::notice(
                    page,
                    "claim",
                    format!("A link went to {email}. Whoever opens it there confirms the claim (it works for 3 days)."),
                ),
                Ok(claims::StartOutcome::FileReady { .. }) => Answer::notice(
                    page,
                    "claim",
                    "Place the line below in the file at the address shown, then press \"Check the file now\".",
                ),
                Ok(claims::StartOutcome::Invalid(errors)) => Answer::invalid(page, "claim", typed(), errors),
                Err(e) => Answer::failed(page, "claim", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

pub async fn check(ctx: Ctx, Path((org, claim)): Path<(i32, i32)>) -> Response {
    let page = format!("/orgs/{org}");
    // Each check fetches from the payer's site: limited per account, as proposal checks are.
    let limited = |a: &Actor| ctx.state.proposal_limiter.check(&format!("claim-check:{}", a.account_id().unwrap_or(0)));
    let answer = match ctx.actor().map(|(_, a)| {
        let l = limited(&a);
        (a, l)
    }) {
        Err(e) => Answer::failed(page, "claims", e),
        Ok((_, Err(wait))) => Answer::failed(page, "claims", AppError::TooManyRequests(wait)),
        Ok((actor, Ok(()))) => {
            match checks::check_file(&ctx.state.db, &ctx.state.fetch, &actor, org, claim, ctx.now()).await {
                Ok(FileOutcome::Verified { .. }) => {
                    Answer::notice(page, "claims", "Found it: your organization now maintains the brand.")
                }
                Ok(FileOutcome::NotYet(problem)) => {
                    Answer::invalid(page, "claims", vec![], FormErrors::whole(format!("Not verified yet: {problem}.")))
                }
                Err(e) => Answer::failed(page, "claims", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

pub async fn withdraw(ctx: Ctx, Path((org, claim)): Path<(i32, i32)>) -> Response {
    let page = format!("/orgs/{org}");
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "claims", e),
        Ok((_, actor)) => match claims::withdraw(&ctx.state.db, &actor, org, claim, ctx.now()).await {
            Ok(()) => Answer::redirect(page),
            Err(e) => Answer::failed(page, "claims", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    token: String,
}

/// The mailed link's button. Anyone holding the link may press it: it went to the domain's
/// mailbox, which is what the claim proves.
pub async fn confirm(ctx: Ctx, Form(f): Form<TokenForm>) -> Response {
    let safe: String = f.token.chars().filter(char::is_ascii_hexdigit).take(64).collect();
    let page = format!("/claims/confirm?token={safe}");
    let actor = match ctx.actor() {
        Ok((_, a)) => a,
        Err(_) => Actor::request(None, ctx.client.to_string()),
    };
    let answer = match claims::confirm(&ctx.state.db, &actor, &f.token, ctx.now()).await {
        Ok(brand) => Answer::redirect(format!("/brands/{brand}")),
        Err(e) => Answer::failed(page, "confirm", e),
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GrantForm {
    organization: String,
    brand: String,
}

fn number(text: &str, what: &str) -> Result<i32, AppError> {
    text.trim().parse::<i32>().map_err(|_| AppError::BadRequest(format!("give the {what}'s number")))
}

pub async fn grant(ctx: Ctx, Form(f): Form<GrantForm>) -> Response {
    let page = "/admin/claims";
    let brand = claims::parse_brand_ref(&f.brand).ok_or_else(|| AppError::BadRequest("give the brand's number".into()));
    let answer = match (ctx.actor(), number(&f.organization, "organization"), brand) {
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Answer::failed(page, "grant", e),
        (Ok((_, actor)), Ok(org), Ok(brand)) => {
            match admin::grant(&ctx.state.db, &actor, org, brand, ctx.now()).await {
                Ok(_) => Answer::redirect(page),
                Err(e) => Answer::failed(page, "grant", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TransferForm {
    organization: String,
}

pub async fn transfer(ctx: Ctx, Path(claim): Path<i32>, Form(f): Form<TransferForm>) -> Response {
    let page = "/admin/claims";
    let answer = match (ctx.actor(), number(&f.organization, "organization")) {
        (Err(e), _) | (_, Err(e)) => Answer::failed(page, "claims", e),
        (Ok((_, actor)), Ok(org)) => match admin::transfer(&ctx.state.db, &actor, claim, org, ctx.now()).await {
            Ok(()) => Answer::redirect(page),
            Err(e) => Answer::failed(page, "claims", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

pub async fn revoke(ctx: Ctx, Path(claim): Path<i32>) -> Response {
    let page = "/admin/claims";
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "claims", e),
        Ok((_, actor)) => match admin::revoke(&ctx.state.db, &actor, claim, ctx.now()).await {
            Ok(()) => Answer::redirect(page),
            Err(e) => Answer::failed(page, "claims", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}
