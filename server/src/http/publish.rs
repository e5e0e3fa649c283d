//! Publishing: a payer's uploaded bundle (preview, then publish), a rollback to a published
//! version, and `/publishers/{slug}/brands.json`, the newest version, with the same HTTP
//! semantics as `/brands.json` (weak ETag, `304`, CORS).
use super::ctx::Ctx;
use super::pages::Answer;
use app::error::AppError;
use app::server::services::export::etag_matches;
use app::server::services::publishing::feed::{self, FeedOutcome};
use app::server::services::publishing::publications::{self, org_of_slug};
use app::server::services::publishing::upload::{UploadOutcome, Via, upload as publish_upload};
use app::server::state::AppState;
use app::types::accounts::{FormErrors, PostedForm};
use axum::body::Body;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The signed-in actor, within the per-account limit of heavy forms (a bundle is validated
/// and diffed, a logo decoded): the proposals' limit, 20 at once then one every 6 seconds.
fn limited(ctx: &Ctx, what: &str) -> Result<app::server::policy::Actor, AppError> {
    let (_, actor) = ctx.actor()?;
    ctx.state
        .proposal_limiter
        .check(&format!("{what}:{}", actor.account_id().unwrap_or(0)))
        .map_err(AppError::TooManyRequests)?;
    Ok(actor)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Intent {
    intent: String,
}

/// `POST /orgs/{id}/publish?intent=preview|publish` with the bundle as a file (`file`) or pasted
/// (`bundle`), multipart or form-encoded, up to the Validate page's limit.
pub async fn upload(ctx: Ctx, Path(org): Path<i32>, Query(q): Query<Intent>, body: Body) -> Response {
    let page = format!("/orgs/{org}");
    let limit = ctx.state.settings.max_validate_bytes;
    let answer = match limited(&ctx, "publish") {
        Err(e) => Answer::failed(page, "publish", e),
        Ok(actor) => match super::validate_form::read_bundle(&ctx.parts, body, limit).await {
            Err(message) => {
                let too_big = message.starts_with("The bundle is") && message.contains("limit");
                let status = if too_big { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::BAD_REQUEST };
                Answer::invalid(page, "publish", vec![], FormErrors::field("file", message)).with_status(status)
            }
            Ok(text) if text.trim().is_empty() => {
                Answer::invalid(page, "publish", vec![], FormErrors::field("file", "Choose a file or paste a bundle."))
            }
            Ok(text) => {
                let publish = q.intent == "publish";
                let base = ctx.state.settings.public_url.trim_end_matches('/').to_string();
                match publish_upload(
                    &ctx.state.db,
                    &actor,
                    org,
                    &base,
                    text.as_bytes(),
                    publish,
                    Via::Upload,
                    ctx.now(),
                )
                .await
                {
                    Ok(UploadOutcome::Published { version, .. }) => Answer::notice(
                        page,
                        "publish",
                        format!("Published as version {version}: the directory and your bundle's address show it now."),
                    ),
                    Ok(UploadOutcome::Preview(preview)) => {
                        let blocked = preview.blocked;
                        let posted = PostedForm {
                            form: "publish".into(),
                            values: vec![("bundle".into(), text.chars().take(200_000).collect())],
                            errors: if publish && blocked {
                                FormErrors::whole("Nothing was published: fix what is marked below first.")
                            } else {
                                FormErrors::default()
                            },
                            upload: Some(preview),
                            ..Default::default()
                        };
                        let status = if publish && blocked { StatusCode::BAD_REQUEST } else { StatusCode::OK };
                        Answer::posted(page, posted, status)
                    }
                    Err(e) => Answer::failed(page, "publish", e),
                }
            }
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeedForm {
    url: String,
}

/// `POST /orgs/{id}/publish/feed?intent=preview|publish|refetch|stop`: preview the bundle at a
/// URL, publish it and follow the URL, fetch it now, or stop following it.
pub async fn feed(ctx: Ctx, Path(org): Path<i32>, Query(q): Query<Intent>, Form(f): Form<FeedForm>) -> Response {
    let page = format!("/orgs/{org}");
    let base = ctx.state.settings.public_url.trim_end_matches('/').to_string();
    let (db, client, now) = (&ctx.state.db, &ctx.state.fetch, ctx.now());
    let typed = || vec![("url".to_string(), f.url.chars().take(2048).collect::<String>())];
    // Each of these fetches from the payer's site and may validate a whole bundle.
    let answer = match limited(&ctx, "publish") {
        Err(e) => Answer::failed(page, "feed", e),
        Ok(actor) => match q.intent.as_str() {
            "stop" => match feed::remove(db, &actor, org, now).await {
                Ok(()) => {
                    Answer::notice(page, "feed", "Signpost no longer follows the address. What it published stays.")
                }
                Err(e) => Answer::failed(page, "feed", e),
            },
            "refetch" => match feed::refetch_now(db, client, &actor, org, &base, now).await {
                Ok(r) => Answer::notice(page, "feed", format!("Fetched: {}.", r.describe())),
                Err(e) => Answer::failed(page, "feed", e),
            },
            intent => {
                let publish = intent == "publish";
                match feed::register(db, client, &actor, org, &f.url, &base, publish, now).await {
                    Ok(FeedOutcome::Following { version }) => Answer::notice(
                        page,
                        "feed",
                        format!(
                            "Published as version {version}. Signpost fetches the address every hour and publishes what changed."
                        ),
                    ),
                    Ok(FeedOutcome::Preview(preview)) => {
                        let blocked = publish && preview.blocked;
                        let posted = PostedForm {
                            form: "feed".into(),
                            values: typed(),
                            errors: if blocked {
                                FormErrors::whole("Nothing was published: fix what is marked below first.")
                            } else {
                                FormErrors::default()
                            },
                            upload: Some(preview),
                            ..Default::default()
                        };
                        Answer::posted(page, posted, if blocked { StatusCode::BAD_REQUEST } else { StatusCode::OK })
                    }
                    Err(AppError::BadRequest(message)) => {
                        Answer::invalid(page, "feed", typed(), FormErrors::field("url", message))
                    }
                    Err(e) => Answer::failed(page, "feed", e),
                }
            }
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

pub async fn rollback(ctx: Ctx, Path((org, version)): Path<(i32, i32)>) -> Response {
    let page = format!("/orgs/{org}");
    let base = ctx.state.settings.public_url.trim_end_matches('/').to_string();
    let answer = match limited(&ctx, "publish") {
        Err(e) => Answer::failed(page, "versions", e),
        Ok(actor) => match publications::rollback(&ctx.state.db, &actor, org, version, &base, ctx.now()).await {
            Ok(v) => Answer::notice(page, "versions", format!("Back to version {version}, published as version {v}.")),
            Err(e) => Answer::failed(page, "versions", e),
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

/// `GET /publishers/{slug}/brands.json`.
pub async fn bundle(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let org = org_of_slug(&slug).ok_or_else(|| AppError::NotFound(format!("publisher {slug}")))?;
    let latest = publications::latest(&state.db, org)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("publisher {slug} has published nothing")))?;
    let tag = format!("W/\"p{}-{}\"", latest.version, &latest.content_hash[..16.min(latest.content_hash.len())]);
    let matches =
        headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| etag_matches(v, &tag));
    let common = [
        (header::ETAG, tag.clone()),
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*".to_string()),
        (header::ACCESS_CONTROL_EXPOSE_HEADERS, "ETag".to_string()),
        (header::CACHE_CONTROL, "no-cache".to_string()),
    ];
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    Ok((StatusCode::OK, common, [(header::CONTENT_TYPE, "application/fhir+json".to_string())], latest.bundle)
        .into_response())
}

/// Reads the `logo` file of a multipart form, refusing past `limit` bytes.
async fn read_logo(
    parts: &axum::http::request::Parts,
    body: Body,
    limit: usize,
) -> Result<Vec<u8>, (StatusCode, String)> {
    use axum::extract::{FromRequest, Multipart};
    let bad = |e: String| (StatusCode::BAD_REQUEST, format!("could not read the form: {e}"));
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.starts_with("multipart/form-data") {
        return Err((StatusCode::BAD_REQUEST, "send the logo as a file (multipart/form-data)".into()));
    }
    let mut rebuilt = axum::http::Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .map_err(|e| bad(e.to_string()))?;
    *rebuilt.extensions_mut() = parts.extensions.clone();
    let mut form = Multipart::from_request(rebuilt, &()).await.map_err(|e| bad(e.to_string()))?;
    while let Some(mut field) = form.next_field().await.map_err(|e| bad(e.to_string()))? {
        if field.name() != Some("logo") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.to_string()))? {
            if bytes.len() + chunk.len() > limit {
                return Err((StatusCode::PAYLOAD_TOO_LARGE, format!("a logo may have at most {limit} bytes")));
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Err((StatusCode::BAD_REQUEST, "choose a logo file".into()))
}

/// `POST /orgs/{id}/logos` (multipart, `logo`): a payer organization's member uploads a logo;
/// the page gives its address for a brand's logo field.
pub async fn upload_logo(ctx: Ctx, Path(org): Path<i32>, body: Body) -> Response {
    use app::server::services::publishing::logos::{LogoOutcome, MAX_BYTES, upload};
    let page = format!("/orgs/{org}");
    let answer = match limited(&ctx, "logo") {
        Err(e) => Answer::failed(page, "logo", e),
        Ok(actor) => match read_logo(&ctx.parts, body, MAX_BYTES).await {
            Err((status, message)) => {
                Answer::invalid(page, "logo", vec![], FormErrors::field("logo", message)).with_status(status)
            }
            Ok(bytes) => match upload(&ctx.state.db, &actor, org, bytes, ctx.now()).await {
                Ok(LogoOutcome::Stored { path }) => {
                    let url = format!("{}{path}", ctx.state.settings.public_url.trim_end_matches('/'));
                    Answer::notice(page, "logo", format!("Stored. Use this address in a logo field: {url}"))
                }
                Ok(LogoOutcome::Refused(problem)) => {
                    Answer::invalid(page, "logo", vec![], FormErrors::field("logo", format!("Not stored: {problem}.")))
                }
                Err(e) => Answer::failed(page, "logo", e),
            },
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

/// `GET /logos/{name}`: a stored logo, cached for a year (its name is its content's hash).
pub async fn logo(State(state): State<AppState>, Path(name): Path<String>) -> Result<Response, AppError> {
    let bytes = app::server::services::publishing::logos::get(&state.db, &name)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("logo {}", name.chars().take(80).collect::<String>())))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CONTENT_DISPOSITION, "inline"),
        ],
        bytes,
    )
        .into_response())
}
