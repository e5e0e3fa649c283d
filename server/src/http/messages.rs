//! A request's thread: `POST /requests/{id}/messages` (multipart: `body`, optional `file`) and
//! `GET /requests/{id}/messages/{message}/attachment`, always a download with the stored type.
use super::ctx::Ctx;
use super::pages::Answer;
use app::error::AppError;
use app::server::services::registration::thread::{self, MAX_ATTACHMENT, MAX_BODY, Posted, Upload};
use app::types::accounts::FormErrors;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Reads `body` and `file` of a multipart form; other fields are ignored, sizes capped.
async fn read_form(
    parts: &axum::http::request::Parts,
    body: Body,
) -> Result<(String, Option<Upload>), (StatusCode, String)> {
    use axum::extract::{FromRequest, Multipart};
    let bad = |e: String| (StatusCode::BAD_REQUEST, format!("could not read the form: {e}"));
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.starts_with("multipart/form-data") {
        return Err((StatusCode::BAD_REQUEST, "send the message as multipart/form-data".into()));
    }
    let mut rebuilt = axum::http::Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .map_err(|e| bad(e.to_string()))?;
    *rebuilt.extensions_mut() = parts.extensions.clone();
    let mut form = Multipart::from_request(rebuilt, &()).await.map_err(|e| bad(e.to_string()))?;
    let (mut text, mut upload) = (String::new(), None);
    let mut fields = 0;
    while let Some(mut field) = form.next_field().await.map_err(|e| bad(e.to_string()))? {
        fields += 1;
        if fields > 10 {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "the form has at most 10 fields".into()));
        }
        let name = field.name().unwrap_or("").to_string();
        // A message's characters, in UTF-8, take at most 4 bytes each.
        let limit = if name == "file" { MAX_ATTACHMENT } else { MAX_BODY * 4 };
        let file_name = field.file_name().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.to_string()))? {
            if bytes.len() + chunk.len() > limit {
                return Err((StatusCode::PAYLOAD_TOO_LARGE, format!("{name} may have at most {limit} bytes")));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "body" => text = String::from_utf8(bytes).map_err(|_| bad("the message is not UTF-8".into()))?,
            "file" if !bytes.is_empty() => upload = Some(Upload { name: file_name, bytes }),
            _ => {}
        }
    }
    Ok((text, upload))
}

/// `POST /requests/{id}/messages`.
pub async fn post(ctx: Ctx, Path(id): Path<i32>, body: Body) -> Response {
    let page = format!("/requests/{id}");
    let answer = match ctx.actor() {
        Err(e) => Answer::failed(page, "thread", e),
        Ok((_, actor)) => match read_form(&ctx.parts, body).await {
            Err((status, message)) => {
                Answer::invalid(page, "thread", vec![], FormErrors::field("file", message)).with_status(status)
            }
            Ok((text, upload)) => {
                let base = ctx.state.settings.public_url.clone();
                match thread::post(&ctx.state.db, &actor, id, &text, upload, &base, ctx.now()).await {
                    Ok(Posted::Sent(_)) => Answer::notice(page, "thread", "Sent; the other side is told by mail."),
                    Ok(Posted::Invalid(errors)) => Answer::invalid(page, "thread", vec![("body".into(), text)], errors),
                    Err(e) => Answer::failed(page, "thread", e),
                }
            }
        },
    };
    answer.respond(&ctx.state, &ctx.parts).await
}

/// `GET /requests/{id}/messages/{message}/attachment`.
pub async fn attachment(ctx: Ctx, Path((id, message)): Path<(i32, i32)>) -> Result<Response, AppError> {
    let (_, actor) = ctx.actor()?;
    let (name, kind, bytes) = thread::attachment(&ctx.state.db, &actor, id, message).await?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    // The stored type is one `sniff` chose; the name is `safe_name`'s.
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&kind).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(r)
}
