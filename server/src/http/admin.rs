//! Admin forms: disabling and re-enabling accounts, trusting contributors. The service checks the policy, so a
//! developer posting here directly gets 403.
use super::ctx::Ctx;
use super::pages::Answer;
use app::server::services::accounts::admin;
use axum::extract::Path;
use axum::response::Response;

async fn set(ctx: Ctx, id: i32, disable: bool) -> Response {
    let answer = match ctx.actor() {
        Err(e) => Answer::failed("/admin/accounts", "accounts", e),
        Ok((_, actor)) => match admin::set_disabled(&ctx.state.db, &actor, id, disable, ctx.now()).await {
            Ok(_) => Answer::redirect("/admin/accounts"),
            Err(e) => Answer::failed("/admin/accounts", "accounts", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

pub async fn disable(ctx: Ctx, Path(id): Path<i32>) -> Response {
    set(ctx, id, true).await
}

pub async fn enable(ctx: Ctx, Path(id): Path<i32>) -> Response {
    set(ctx, id, false).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct TrustForm {
    trusted: String,
}

/// Trusts a contributor (their edits apply at once), or no longer.
pub async fn trust(ctx: Ctx, Path(id): Path<i32>, axum::Form(f): axum::Form<TrustForm>) -> Response {
    let answer = match ctx.actor() {
        Err(e) => Answer::failed("/admin/accounts", "accounts", e),
        Ok((_, actor)) => {
            let trusting = f.trusted == "1";
            let needed = ctx.state.settings.trust_after;
            match admin::set_trusted(&ctx.state.db, &actor, id, trusting, needed, ctx.now()).await {
                Ok(()) => Answer::redirect("/admin/accounts"),
                Err(e) => Answer::failed("/admin/accounts", "accounts", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}
