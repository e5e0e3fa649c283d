//! Registration request forms: asking payers for access for an app, and each side's actions on a
//! request.
use super::ctx::Ctx;
use super::pages::Answer;
use app::error::AppError;
use app::server::services::registration::requests::{self, Acted, Action, Asked};
use app::types::registration::Environment;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;

const MAX_FIELDS: usize = 120;

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
}

/// `POST /orgs/{id}/apps/{app}/requests`: `brand` (repeated, up to 100) and `environment`.
pub async fn ask(ctx: Ctx, Path((org, app)): Path<(i32, i32)>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let page = format!("/orgs/{org}/apps/{app}/requests");
    let parsed = (|| {
        if pairs.len() > MAX_FIELDS {
            return Err(AppError::TooLarge(format!("at most {MAX_FIELDS} fields")));
        }
        let environment = Environment::parse(value(&pairs, "environment"))
            .ok_or_else(|| AppError::BadRequest("environment is sandbox or production".into()))?;
        let brands = pairs
            .iter()
            .filter(|(n, _)| n == "brand")
            .map(|(_, v)| {
                v.trim()
                    .parse::<i32>()
                    .map_err(|_| AppError::BadRequest(format!("\"{}\" is not a brand", v.escape_default())))
            })
            .collect::<Result<Vec<i32>, AppError>>()?;
        Ok((environment, brands))
    })();
    let answer = match (parsed, ctx.actor()) {
        (Err(e), _) | (_, Err(e)) => Answer::failed(page, "requests", e),
        (Ok((environment, brands)), Ok((_, actor))) => {
            let base = ctx.state.settings.public_url.clone();
            match requests::request_access(&ctx.state.db, &actor, org, app, &brands, environment, &base, ctx.now())
                .await
            {
                Ok(asked) => Answer::notice(page, "requests", said(&asked)),
                Err(e) => Answer::failed(page, "requests", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

fn said(asked: &[Asked]) -> String {
    let sent = asked.iter().filter(|a| matches!(a, Asked::Requested { .. })).count();
    let open = asked.iter().filter(|a| matches!(a, Asked::AlreadyOpen { .. })).count();
    let mut out = format!("Requested from {sent} payer{}.", if sent == 1 { "" } else { "s" });
    if open > 0 {
        out.push_str(&format!(" {open} already had an open or approved request."));
    }
    for a in asked {
        if let Asked::Refused { brand_id, why } = a {
            out.push_str(&format!(" Brand {brand_id}: {why}."));
        }
    }
    out
}

/// The action a request form names, from its `intent` and fields.
pub fn action_of(pairs: &[(String, String)]) -> Result<Action, AppError> {
    if pairs.len() > MAX_FIELDS {
        return Err(AppError::TooLarge(format!("at most {MAX_FIELDS} fields")));
    }
    let v = |n: &str| value(pairs, n).to_string();
    Ok(match value(pairs, "intent") {
        "review" => Action::StartReview,
        "ask" => Action::AskInfo { question: v("question") },
        "answer" => Action::Answer { text: v("answer") },
        "approve" => Action::Approve { client_id: v("client_id"), notes: v("notes") },
        "deny" => Action::Deny {
            grounds: pairs.iter().filter(|(n, _)| n == "grounds").map(|(_, g)| g.trim().to_string()).collect(),
            text: v("text"),
        },
        "withdraw" => Action::Withdraw,
        "revoke" => Action::Revoke { text: v("text") },
        _ => {
            return Err(AppError::BadRequest(
                "intent is review, ask, answer, approve, deny, withdraw or revoke".into(),
            ));
        }
    })
}

/// `POST /requests/{id}`: `intent` = `review`, `ask` (`question`), `answer` (`text`), `approve`
/// (`client_id`, `notes`), `deny` (`grounds` repeated, `text`), `withdraw` or `revoke` (`text`).
pub async fn act(ctx: Ctx, Path(id): Path<i32>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let page = format!("/requests/{id}");
    let action = match action_of(&pairs) {
        Ok(a) => a,
        Err(e) => return Answer::failed(page, "request", e).respond(&ctx.state, &ctx.parts).await,
    };
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "request", e),
        Ok((_, actor)) => {
            let base = ctx.state.settings.public_url.clone();
            match requests::act(&ctx.state.db, &actor, id, action, &ctx.state.settings.calendar(), &base, ctx.now())
                .await
            {
                Ok(Acted::Done(state)) => {
                    Answer::notice(page, "request", format!("The request is now {}.", state.label()))
                }
                Ok(Acted::Invalid(errors)) => Answer::invalid(page, "request", pairs, errors),
                Err(e) => Answer::failed(page, "request", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

/// `POST /orgs/{id}/queue/assign`: `request` (repeated, up to 100) and `assignee` (an account id
/// of the organization's members, or `none`); `back` is the queue or request page to show again.
pub async fn assign(ctx: Ctx, Path(org): Path<i32>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    use app::server::services::registration::assign;
    // Only this organization's queue or one request's page go back into the answer.
    let back = match value(&pairs, "back") {
        b if b.starts_with("/requests/") && b[10..].bytes().all(|c| c.is_ascii_digit()) && b.len() > 10 => {
            b.to_string()
        }
        _ => format!("/orgs/{org}/queue"),
    };
    let form = if back.starts_with("/requests/") { "request" } else { "queue" };
    let parsed = (|| {
        if pairs.len() > MAX_FIELDS + 10 {
            return Err(AppError::TooLarge(format!("at most {MAX_FIELDS} fields")));
        }
        let ids = pairs
            .iter()
            .filter(|(n, _)| n == "request")
            .map(|(_, v)| v.trim().parse::<i32>().map_err(|_| AppError::BadRequest("a request is a number".into())))
            .collect::<Result<Vec<i32>, AppError>>()?;
        let assignee = match value(&pairs, "assignee").trim() {
            "none" | "" => None,
            a => Some(a.parse::<i32>().map_err(|_| AppError::BadRequest("assignee is a member or none".into()))?),
        };
        Ok((ids, assignee))
    })();
    let answer = match (parsed, ctx.actor()) {
        (Err(e), _) | (_, Err(e)) => Answer::failed(back, form, e),
        (Ok((ids, assignee)), Ok((_, actor))) => {
            let base = ctx.state.settings.public_url.clone();
            match assign::assign(&ctx.state.db, &actor, org, &ids, assignee, &base, ctx.now()).await {
                Ok(n) => Answer::notice(
                    back,
                    form,
                    format!(
                        "{n} request{} {}.",
                        if n == 1 { "" } else { "s" },
                        if assignee.is_some() { "assigned" } else { "unassigned" }
                    ),
                ),
                Err(e) => Answer::failed(back, form, e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

/// `POST /orgs/{id}/registration`: `time_zone`, `notice`, `reasons` (one a line).
pub async fn settings(ctx: Ctx, Path(org): Path<i32>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    use app::server::services::registration::settings;
    let page = format!("/orgs/{org}/registration");
    if pairs.len() > 10 {
        let e = AppError::TooLarge("the form has at most 10 fields".into());
        return Answer::failed(page, "payer-settings", e).respond(&ctx.state, &ctx.parts).await;
    }
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "payer-settings", e),
        Ok((_, actor)) => {
            let (z, n, r) = (value(&pairs, "time_zone"), value(&pairs, "notice"), value(&pairs, "reasons"));
            match settings::save(&ctx.state.db, &actor, org, z, n, r, ctx.now()).await {
                Ok(Ok(())) => Answer::notice(page, "payer-settings", "Saved."),
                Ok(Err(errors)) => Answer::invalid(page, "payer-settings", pairs, errors),
                Err(e) => Answer::failed(page, "payer-settings", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}
