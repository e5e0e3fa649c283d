//! Organization forms: create one, invite, withdraw an invitation, accept one, remove a
//! member (or leave), hand over ownership.
use super::ctx::Ctx;
use super::pages::{Answer, Cookie};
use app::error::AppError;
use app::server::services::organizations::{self, AcceptOutcome, CreateOutcome, InviteOutcome};
use app::types::accounts::FormErrors;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    name: String,
    kind: String,
}

pub async fn create(ctx: Ctx, Form(f): Form<CreateForm>) -> Response {
    let answer = match ctx.actor() {
        Err(e) => Answer::failed("/login", "login", e),
        Ok((session, _)) => {
            let client = ctx.client.to_string();
            match organizations::create(&ctx.state.db, &session, &client, &f.name, &f.kind, ctx.now()).await {
                Ok(CreateOutcome::Created { id, token }) => {
                    let a = Answer::redirect(format!("/orgs/{id}"));
                    match token {
                        Some(t) => a.with_cookie(Cookie::Set(t)),
                        None => a,
                    }
                }
                Ok(CreateOutcome::Invalid(errors)) => {
                    let typed = vec![
                        ("name".into(), f.name.chars().take(200).collect()),
                        ("kind".into(), f.kind.chars().take(16).collect()),
                    ];
                    Answer::invalid("/account", "org", typed, errors)
                }
                Err(e) => Answer::failed("/account", "org", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    email: String,
}

pub async fn invite(ctx: Ctx, Path(org): Path<i32>, Form(f): Form<InviteForm>) -> Response {
    let page = format!("/orgs/{org}");
    let answer = match (ctx.actor(), ctx.state.account_mail_limiter.check(ctx.client)) {
        (Err(e), _) => Answer::failed(page, "invite", e),
        (Ok(_), Err(wait)) => Answer::failed(page, "invite", AppError::TooManyRequests(wait)),
        (Ok((_, actor)), Ok(())) => {
            match organizations::invite(&ctx.state.db, &actor, ctx.base(), org, &f.email, ctx.now()).await {
                Ok(InviteOutcome::Sent { email }) => Answer::notice(
                    page,
                    "invite",
                    format!("Invitation sent to {email}. The link in it works once, for 7 days."),
                ),
                Ok(InviteOutcome::AlreadyMember { email }) => Answer::invalid(
                    page,
                    "invite",
                    vec![("email".into(), email.clone())],
                    FormErrors::field("email", format!("{email} is a member already.")),
                )
                .with_status(StatusCode::CONFLICT),
                Ok(InviteOutcome::Invalid(errors)) => {
                    Answer::invalid(page, "invite", vec![("email".into(), f.email.chars().take(254).collect())], errors)
                }
                Err(e) => Answer::failed(page, "invite", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

pub async fn revoke(ctx: Ctx, Path((org, invitation)): Path<(i32, i32)>) -> Response {
    let page = format!("/orgs/{org}");
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "invitations", e),
        Ok((_, actor)) => {
            match organizations::revoke_invitation(&ctx.state.db, &actor, org, invitation, ctx.now()).await {
                Ok(()) => Answer::redirect(page),
                Err(e) => Answer::failed(page, "invitations", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

pub async fn remove_member(ctx: Ctx, Path((org, member)): Path<(i32, i32)>) -> Response {
    let page = format!("/orgs/{org}");
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "members", e),
        Ok((session, actor)) => match organizations::remove_member(&ctx.state.db, &actor, org, member, ctx.now()).await
        {
            Ok(()) if session.viewer.account_id == member => Answer::redirect("/account"),
            Ok(()) => Answer::redirect(page),
            Err(e) => Answer::failed(page, "members", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OwnerForm {
    account_id: String,
}

pub async fn transfer(ctx: Ctx, Path(org): Path<i32>, Form(f): Form<OwnerForm>) -> Response {
    let page = format!("/orgs/{org}");
    let to = f.account_id.trim().parse::<i32>().map_err(|_| AppError::BadRequest("choose a member".into()));
    let answer = match (ctx.actor(), to) {
        (Err(e), _) | (_, Err(e)) => Answer::failed(page, "members", e),
        (Ok((_, actor)), Ok(to)) => {
            match organizations::transfer_ownership(&ctx.state.db, &actor, org, to, ctx.now()).await {
                Ok(()) => Answer::redirect(page),
                Err(e) => Answer::failed(page, "members", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    token: String,
}

pub async fn accept(ctx: Ctx, Form(f): Form<TokenForm>) -> Response {
    let safe: String = f.token.chars().filter(char::is_ascii_hexdigit).take(64).collect();
    let page = format!("/invitations?token={safe}");
    let whole =
        |m: String, status| Answer::invalid(page.clone(), "accept", vec![], FormErrors::whole(m)).with_status(status);
    let answer = match &ctx.session {
        None => whole(
            "Log in (or sign up) with the invited address first, then open the link again.".into(),
            StatusCode::UNAUTHORIZED,
        ),
        Some(session) => {
            let client = ctx.client.to_string();
            match organizations::accept(&ctx.state.db, session, &client, &f.token, ctx.now()).await {
                Ok(AcceptOutcome::Joined { org_id, token }) => {
                    let a = Answer::redirect(format!("/orgs/{org_id}"));
                    match token {
                        Some(t) => a.with_cookie(Cookie::Set(t)),
                        None => a,
                    }
                }
                Ok(AcceptOutcome::OtherAddress { invited }) => whole(
                    format!("This invitation is for {invited}. Log in with that address to accept it."),
                    StatusCode::FORBIDDEN,
                ),
                Ok(AcceptOutcome::Invalid) => whole(
                    "This invitation is not valid: it was used already, withdrawn, or it has expired.".into(),
                    StatusCode::NOT_FOUND,
                ),
                Err(e) => Answer::failed(page.clone(), "accept", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}
