//! A developer organization's app forms (register, change) and the app's exports.
use super::ctx::Ctx;
use super::pages::Answer;
use app::error::AppError;
use app::server::services::apps::{self, Export, SaveOutcome};
use app::types::app_metadata::AppForm;
use axum::Form;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// Fields an app form may have (its own, platforms and grant types repeated).
const MAX_APP_FIELDS: usize = 60;

fn too_many(pairs: &[(String, String)]) -> Option<AppError> {
    (pairs.len() > MAX_APP_FIELDS)
        .then(|| AppError::TooLarge(format!("an app form has at most {MAX_APP_FIELDS} fields")))
}

/// `POST /orgs/{id}/apps`: registers an app (version 1) and opens its page.
pub async fn create(ctx: Ctx, Path(org): Path<i32>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let page = format!("/orgs/{org}/apps/new");
    if let Some(e) = too_many(&pairs) {
        return Answer::failed(page, "app", e).respond(&ctx.state, &ctx.parts).await;
    }
    let form = AppForm { values: pairs };
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "app", e),
        Ok((_, actor)) => match apps::create(&ctx.state.db, &actor, org, &form, ctx.now()).await {
            Ok(SaveOutcome::Saved { app_id, .. } | SaveOutcome::Unchanged { app_id }) => {
                Answer::redirect(format!("/orgs/{org}/apps/{app_id}"))
            }
            Ok(SaveOutcome::Invalid(errors)) => Answer::invalid(page, "app", form.values, errors),
            Err(e) => Answer::failed(page, "app", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

/// `POST /orgs/{id}/apps/{app}`: saves the form as the next version when it changes anything.
pub async fn update(
    ctx: Ctx,
    Path((org, app)): Path<(i32, i32)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let page = format!("/orgs/{org}/apps/{app}");
    if let Some(e) = too_many(&pairs) {
        return Answer::failed(page, "app", e).respond(&ctx.state, &ctx.parts).await;
    }
    let form = AppForm { values: pairs };
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "app", e),
        Ok((_, actor)) => {
            match apps::update(&ctx.state.db, &actor, org, app, &form, &ctx.state.settings.public_url, ctx.now()).await
            {
                Ok(SaveOutcome::Saved { version, .. }) => {
                    Answer::notice(page, "app", format!("Saved as version {version}."))
                }
                Ok(SaveOutcome::Unchanged { .. }) => {
                    Answer::notice(page, "app", "Nothing changed, so there is no new version.")
                }
                Ok(SaveOutcome::Invalid(errors)) => Answer::invalid(page, "app", form.values, errors),
                Err(e) => Answer::failed(page, "app", e),
            }
        }
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

async fn export(ctx: Ctx, org: i32, app: i32, which: Export, file: &str) -> Result<Response, AppError> {
    let (_, actor) = ctx.actor()?;
    let doc = apps::export(&ctx.state.db, &actor, org, app, which).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        serde_json::to_string_pretty(&doc).unwrap_or_default(),
    )
        .into_response())
}

/// `GET /orgs/{id}/apps/{app}/registration.json`: the RFC 7591 registration request.
pub async fn registration(ctx: Ctx, Path((org, app)): Path<(i32, i32)>) -> Result<Response, AppError> {
    export(ctx, org, app, Export::Registration, "registration.json").await
}

/// `GET /orgs/{id}/apps/{app}/udap-claims.json`: the unsigned UDAP software statement claims.
pub async fn udap_claims(ctx: Ctx, Path((org, app)): Path<(i32, i32)>) -> Result<Response, AppError> {
    export(ctx, org, app, Export::UdapClaims, "udap-claims.json").await
}
