//! The developer-facts form of a brand (its maintainer's or an admin's).
use super::ctx::Ctx;
use super::pages::Answer;
use app::error::AppError;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;

/// Fields a developer-facts form may have: 20 plans of 7 fields, and the brand's own.
const MAX_FACT_FIELDS: usize = 400;

/// `POST /brands/{id}/developer`: the maintainer's or an admin's facts form.
pub async fn developer_facts(ctx: Ctx, Path(brand): Path<i32>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    use app::server::services::publishing::facts;
    use app::types::developer::FactsForm;
    let page = format!("/brands/{brand}/developer");
    if pairs.len() > MAX_FACT_FIELDS {
        let e = AppError::TooLarge(format!("a facts form has at most {MAX_FACT_FIELDS} fields"));
        return Answer::failed(page, "facts", e).respond(&ctx.state, &ctx.parts).await;
    }
    let form = FactsForm { values: pairs };
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "facts", e),
        Ok((_, actor)) => match facts::save(&ctx.state.db, &actor, brand, &form, ctx.now()).await {
            Ok(Ok(())) => Answer::redirect(format!("/brands/{brand}#developers-heading")),
            Ok(Err(errors)) => Answer::invalid(page, "facts", form.values, errors),
            Err(e) => Answer::failed(page, "facts", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

/// `GET /export/developer-facts.ndjson`: every brand's stated developer facts, one per line.
pub async fn export(
    axum::extract::State(state): axum::extract::State<app::server::state::AppState>,
) -> Result<Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let body = app::server::services::publishing::facts::ndjson(&state.db).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response())
}
