//! The account settings forms (signed in): password, address, sessions, deleting the account,
//! and which organization the session acts for.
use super::ctx::Ctx;
use super::pages::{Answer, Cookie};
use app::error::AppError;
use app::server::services::accounts::settings::{self, DeleteOutcome, EmailChangeOutcome, PasswordChangeOutcome};
use app::server::services::accounts::signup::LinkOutcome;
use app::server::services::organizations;
use axum::Form;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// Signed out: the log-in page, with 401, coming back here afterwards.
fn log_in_first(next: &str) -> Answer {
    let posted = vec![("next".to_string(), next.to_string())];
    Answer::invalid("/login", "login", posted, app::types::accounts::FormErrors::whole("Log in first."))
        .with_status(StatusCode::UNAUTHORIZED)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn change_password(ctx: Ctx, Form(f): Form<PasswordForm>) -> Response {
    let Some(session) = ctx.session.clone() else {
        return log_in_first("/account").respond(&ctx.state, &ctx.parts).await;
    };
    let client = ctx.client.to_string();
    let r = settings::change_password(
        &ctx.state.db,
        &ctx.state.login_limits.per_account,
        ctx.base(),
        &session,
        &f.current_password,
        &f.new_password,
        &client,
        ctx.now(),
    )
    .await;
    let answer = match r {
        Ok(PasswordChangeOutcome::Changed(token)) => {
            Answer::notice("/account", "password", "Your password is changed. Every other session was signed out.")
                .with_cookie(Cookie::Set(token))
        }
        Ok(PasswordChangeOutcome::Invalid(errors)) => Answer::invalid("/account", "password", vec![], errors),
        Err(e) => Answer::failed("/account", "password", e),
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailChangeForm {
    email: String,
    current_password: String,
}

pub async fn change_email(ctx: Ctx, Form(f): Form<EmailChangeForm>) -> Response {
    let Some(session) = ctx.session.clone() else {
        return log_in_first("/account").respond(&ctx.state, &ctx.parts).await;
    };
    let answer = match ctx.state.account_mail_limiter.check(ctx.client) {
        Err(wait) => Answer::failed("/account", "email", AppError::TooManyRequests(wait)),
        Ok(()) => {
            match settings::request_email_change(
                &ctx.state.db,
                &ctx.state.login_limits.per_account,
                ctx.base(),
                &session,
                &f.email,
                &f.current_password,
                ctx.now(),
            )
            .await
            {
                Ok(EmailChangeOutcome::MailSent { email }) => Answer::notice(
                    "/account",
                    "email",
                    format!("Check the inbox of {email}: the account moves there once you open the link we sent."),
                ),
                Ok(EmailChangeOutcome::Invalid(errors)) => Answer::invalid(
                    "/account",
                    "email",
                    vec![("email".into(), f.email.chars().take(254).collect())],
                    errors,
                ),
                Err(e) => Answer::failed("/account", "email", e),
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

pub async fn confirm_email(ctx: Ctx, Form(f): Form<TokenForm>) -> Response {
    let safe: String = f.token.chars().filter(char::is_ascii_hexdigit).take(64).collect();
    let page = format!("/account/email/confirm?token={safe}");
    let client = ctx.client.to_string();
    let answer = match settings::confirm_email_change(&ctx.state.db, &f.token, &client, ctx.now()).await {
        Ok(LinkOutcome::Done { .. }) => Answer::redirect("/account/email/confirm?done=1"),
        Ok(LinkOutcome::Invalid) => Answer::invalid(
            page,
            "confirm-email",
            vec![],
            app::types::accounts::FormErrors::whole("This link is not valid: it was used already, or it has expired."),
        )
        .with_status(StatusCode::NOT_FOUND),
        Err(e) => Answer::failed(page, "confirm-email", e),
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

pub async fn end_sessions(ctx: Ctx) -> Response {
    let Some(session) = ctx.session.clone() else {
        return log_in_first("/account").respond(&ctx.state, &ctx.parts).await;
    };
    let client = ctx.client.to_string();
    let answer = match settings::end_everywhere(&ctx.state.db, &session, &client, ctx.now()).await {
        Ok(_) => Answer::redirect("/login?ended=1").with_cookie(Cookie::Clear),
        Err(e) => Answer::failed("/account", "sessions", e),
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    delete_password: String,
}

pub async fn delete_account(ctx: Ctx, Form(f): Form<DeleteForm>) -> Response {
    let Some(session) = ctx.session.clone() else {
        return log_in_first("/account").respond(&ctx.state, &ctx.parts).await;
    };
    let client = ctx.client.to_string();
    let answer = match settings::delete_account(
        &ctx.state.db,
        &ctx.state.login_limits.per_account,
        &session,
        &f.delete_password,
        &client,
        ctx.now(),
    )
    .await
    {
        Ok(DeleteOutcome::Deleted) => Answer::redirect("/login?deleted=1").with_cookie(Cookie::Clear),
        Ok(DeleteOutcome::Invalid(errors)) => Answer::invalid("/account", "delete", vec![], errors),
        Err(e) => Answer::failed("/account", "delete", e),
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActingForm {
    /// An organization id, or empty for none.
    organization: String,
}

pub async fn act_for(ctx: Ctx, Form(f): Form<ActingForm>) -> Response {
    let (session, actor) = match ctx.actor() {
        Ok(x) => x,
        Err(_) => return log_in_first("/account").respond(&ctx.state, &ctx.parts).await,
    };
    let org = match f.organization.trim() {
        "" => Ok(None),
        text => text.parse::<i32>().map(Some).map_err(|_| AppError::BadRequest("choose an organization".into())),
    };
    let answer = match org {
        Err(e) => Answer::failed("/account", "acting", e),
        Ok(org) => match organizations::act_for(&ctx.state.db, &actor, &session, org).await {
            Ok(Some(token)) => Answer::redirect("/account").with_cookie(Cookie::Set(token)),
            Ok(None) => Answer::redirect("/login?ended=1").with_cookie(Cookie::Clear),
            Err(e) => Answer::failed("/account", "acting", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}
