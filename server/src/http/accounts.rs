//! The account forms that work signed out: sign up, confirm the address, log in and out,
//! forgot password, choose a new password. Each posts to the path of its page, and the answer
//! is a redirect or that page again (`pages::Answer`).
use super::ctx::Ctx;
use super::pages::{Answer, Cookie, local_path};
use app::error::AppError;
use app::server::services::accounts::login::{self, Attempt, LogInOutcome};
use app::server::services::accounts::recovery::{self, ForgotOutcome, ResetOutcome};
use app::server::services::accounts::sessions;
use app::server::services::accounts::signup::{self, SignUpOutcome, VerifyOutcome};
use app::types::accounts::FormErrors;
use axum::Form;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.chars().take(500).collect())).collect()
}

/// The answer to a sign-up, the same for every address that parses.
pub fn check_inbox(email: &str) -> String {
    format!("Check your inbox at {email}: we sent a message with what to do next. The link in it works for 24 hours.")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignUpForm {
    email: String,
    password: String,
}

/// Sign-up and reset requests answer no sooner than this after they arrive, for an address
/// with an account and one without alike: their work differs by a database write or two (under
/// a millisecond), which the floor hides from anyone timing the answers.
pub const ANSWER_FLOOR: std::time::Duration = std::time::Duration::from_millis(50);

async fn after_floor(started: tokio::time::Instant) {
    tokio::time::sleep_until(started + ANSWER_FLOOR).await;
}

pub async fn sign_up(ctx: Ctx, Form(f): Form<SignUpForm>) -> Response {
    let started = tokio::time::Instant::now();
    let answer = match ctx.state.account_mail_limiter.check(ctx.client) {
        Err(wait) => Answer::failed("/signup", "signup", AppError::TooManyRequests(wait)),
        Ok(()) => match signup::sign_up(&ctx.state.db, ctx.base(), &f.email, &f.password, ctx.now()).await {
            Ok(SignUpOutcome::MailSent { email }) => Answer::notice("/signup", "signup", check_inbox(&email)),
            Ok(SignUpOutcome::Invalid(errors)) => {
                Answer::invalid("/signup", "signup", values(&[("email", &f.email)]), errors)
            }
            Err(e) => Answer::failed("/signup", "signup", e),
        },
    };
    after_floor(started).await;
    answer.respond(&ctx.state, &ctx.parts).await
}

fn link_page(path: &str, token: &str) -> String {
    let safe: String = token.chars().filter(char::is_ascii_hexdigit).take(64).collect();
    format!("{path}?token={safe}")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VerifyForm {
    token: String,
    password: String,
}

/// Confirms the address with the password chosen at sign-up, and signs in.
pub async fn verify(ctx: Ctx, Form(f): Form<VerifyForm>) -> Response {
    let page = link_page("/verify", &f.token);
    let answer = match signup::verify(&ctx.state.db, &f.token, &f.password, ctx.now()).await {
        Ok(VerifyOutcome::Verified { account_id, proof, .. }) => {
            let client = ctx.client.to_string();
            match sessions::start(&ctx.state.db, account_id, &proof, None, &client, &ctx.user_agent(), ctx.now()).await
            {
                Ok(Some(token)) => {
                    if let Some(old) = &ctx.session {
                        if let Err(e) = sessions::end(&ctx.state.db, &old.id_hash).await {
                            tracing::warn!(error = %e, "could not end the previous session");
                        }
                    }
                    Answer::redirect("/account?welcome=1").with_cookie(Cookie::Set(token))
                }
                Ok(None) | Err(_) => Answer::redirect("/login?verified=1"),
            }
        }
        Ok(VerifyOutcome::WrongPassword) => Answer::invalid(
            page,
            "verify",
            vec![],
            FormErrors::field(
                "password",
                "That is not the password chosen with this link. If you signed up more than once, open the newest mail.",
            ),
        )
        .with_status(StatusCode::UNAUTHORIZED),
        Ok(VerifyOutcome::Invalid) => {
            Answer::invalid(page, "verify", vec![], invalid_link()).with_status(StatusCode::NOT_FOUND)
        }
        Err(e) => Answer::failed(page, "verify", e),
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

fn invalid_link() -> FormErrors {
    FormErrors::whole("This link is not valid: it was used already, it has expired, or it was never sent.")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogInForm {
    email: String,
    password: String,
    next: String,
}

pub async fn log_in(ctx: Ctx, Form(f): Form<LogInForm>) -> Response {
    let attempt = Attempt { email: &f.email, password: &f.password, client: ctx.client, user_agent: &ctx.user_agent() };
    let typed = values(&[("email", &f.email), ("next", &f.next)]);
    let whole =
        |m: &str, status| Answer::invalid("/login", "login", typed.clone(), FormErrors::whole(m)).with_status(status);
    let answer = match login::log_in(&ctx.state.db, &ctx.state.login_limits, ctx.base(), attempt, ctx.now()).await {
        Ok(LogInOutcome::SignedIn { token, .. }) => {
            // A new session, never the one the browser had.
            if let Some(old) = &ctx.session {
                if let Err(e) = sessions::end(&ctx.state.db, &old.id_hash).await {
                    tracing::warn!(error = %e, "could not end the previous session");
                }
            }
            Answer::redirect(local_path(&f.next)).with_cookie(Cookie::Set(token))
        }
        Ok(LogInOutcome::Failed) => whole(
            "That address and password do not match an account. Check both, or choose a new password.",
            StatusCode::UNAUTHORIZED,
        ),
        Ok(LogInOutcome::Unverified) => {
            whole("Confirm your address first: we sent a new link to it. Open it, then log in.", StatusCode::FORBIDDEN)
        }
        Ok(LogInOutcome::Disabled) => whole(
            "This account is disabled. Write to the site's operators if you think that is a mistake.",
            StatusCode::FORBIDDEN,
        ),
        Ok(LogInOutcome::Limited(wait)) => Answer::failed("/login", "login", AppError::TooManyRequests(wait)),
        Err(e) => Answer::failed("/login", "login", e),
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

pub async fn log_out(ctx: Ctx) -> Response {
    if let Some(s) = &ctx.session {
        if let Err(e) = sessions::end(&ctx.state.db, &s.id_hash).await {
            return Answer::failed("/account", "logout", e).respond(&ctx.state, &ctx.parts).await;
        }
    }
    Answer::redirect("/login?out=1").with_cookie(Cookie::Clear).respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

/// The answer to a reset request, the same for every address that parses.
pub fn reset_sent(email: &str) -> String {
    format!("If {email} has an account, a link to choose a new password is on its way. It works once, for 1 hour.")
}

pub async fn forgot(ctx: Ctx, Form(f): Form<EmailForm>) -> Response {
    let started = tokio::time::Instant::now();
    let answer = match ctx.state.account_mail_limiter.check(ctx.client) {
        Err(wait) => Answer::failed("/forgot", "forgot", AppError::TooManyRequests(wait)),
        Ok(()) => match recovery::forgot(&ctx.state.db, ctx.base(), &f.email, ctx.now()).await {
            Ok(ForgotOutcome::MailSent { email }) => Answer::notice("/forgot", "forgot", reset_sent(&email)),
            Ok(ForgotOutcome::Invalid(errors)) => {
                Answer::invalid("/forgot", "forgot", values(&[("email", &f.email)]), errors)
            }
            Err(e) => Answer::failed("/forgot", "forgot", e),
        },
    };
    after_floor(started).await;
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    token: String,
    password: String,
}

pub async fn reset(ctx: Ctx, Form(f): Form<ResetForm>) -> Response {
    let page = link_page("/reset", &f.token);
    let client = ctx.client.to_string();
    let answer = match recovery::reset(&ctx.state.db, ctx.base(), &f.token, &f.password, &client, ctx.now()).await {
        Ok(ResetOutcome::Done { .. }) => Answer::redirect("/login?reset=1").with_cookie(Cookie::Clear),
        Ok(ResetOutcome::Weak(errors)) => Answer::invalid(page, "reset", vec![], errors),
        Ok(ResetOutcome::Invalid) => {
            Answer::invalid(page, "reset", vec![], invalid_link()).with_status(StatusCode::NOT_FOUND)
        }
        Err(e) => Answer::failed(page, "reset", e),
    };
    answer.respond(&ctx.state, &ctx.parts).await
}
