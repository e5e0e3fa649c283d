//! `POST /respond`: an email-only payer's registration contact answers a request through its
//! signed link (`token`), with `intent` = `review`, `ask` (`question`), `approve` (`client_id`,
//! `notes`) or `deny` (`grounds` repeated, `text`).
use super::ctx::Ctx;
use super::pages::Answer;
use super::requests::action_of;
use app::server::services::registration::email_payers;
use app::server::services::registration::requests::Acted;
use axum::Form;
use axum::response::Response;

pub async fn respond(ctx: Ctx, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let token = pairs.iter().find(|(n, _)| n == "token").map_or("", |(_, v)| v.as_str()).trim().to_string();
    // Only a well-formed token goes back into the page's address.
    let token = if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) { token } else { String::new() };
    let page = format!("/respond?token={token}");
    let action = match action_of(&pairs) {
        Ok(a) => a,
        Err(e) => return Answer::failed(page, "respond", e).respond(&ctx.state, &ctx.parts).await,
    };
    let base = ctx.state.settings.public_url.clone();
    let calendar = ctx.state.settings.calendar();
    let answer = match email_payers::act(&ctx.state.db, &token, action, &calendar, &base, ctx.now()).await {
        Ok(Acted::Done(state)) => Answer::notice(
            page,
            "respond",
            format!(
                "The request is now {}. The developer is told; any next step comes with a new link.",
                state.label()
            ),
        ),
        Ok(Acted::Invalid(errors)) => Answer::invalid(page, "respond", pairs, errors),
        Err(e) => Answer::failed(page, "respond", e),
    };
    answer.respond(&ctx.state, &ctx.parts).await
}
