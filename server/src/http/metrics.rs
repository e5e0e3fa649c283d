//! `/metrics`, in Prometheus text format: the process's request, poll and mail metrics, then
//! what waits in the database (the same on every instance). With `SIGNPOST_METRICS_TOKEN` set
//! it answers only `Authorization: Bearer <token>`; without, only requests from this machine
//! that no proxy forwarded (a proxy on the same machine adds `X-Forwarded-For`), so the figures
//! are never public by accident.
use app::server::services::operations;
use app::server::state::{AppState, MetricsToken};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::net::SocketAddr;

fn allowed(token: Option<&MetricsToken>, peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    match token {
        Some(MetricsToken(expected)) => {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            // Digests compared, so the time taken says nothing about the token's characters.
            Sha256::digest(given.trim().as_bytes()) == Sha256::digest(expected.as_bytes())
        }
        None => {
            let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key(header::FORWARDED);
            peer.is_some_and(|p| p.ip().to_canonical().is_loopback()) && !forwarded
        }
    }
}

pub async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let token = state.settings.metrics_token.as_ref();
    if !allowed(token, peer, request.headers()) {
        let why = if token.is_some() {
            "metrics need the token (Authorization: Bearer …)\n"
        } else {
            "metrics answer only on this machine, or with SIGNPOST_METRICS_TOKEN\n"
        };
        return (StatusCode::FORBIDDEN, why).into_response();
    }
    let now = chrono::Utc::now().timestamp();
    let depths = match operations::depths(&state.db, &state.turnaround, &state.settings.calendar(), now).await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let mut body = crate::telemetry::metrics().render();
    gauge(
        &mut body,
        "signpost_outbox_pending",
        "Mails still to be sent, retries included.",
        &[("", depths.outbox_pending)],
    );
    gauge(&mut body, "signpost_outbox_given_up", "Mails given up on and still kept.", &[("", depths.outbox_given_up)]);
    gauge(
        &mut body,
        "signpost_moderation_open",
        "Proposals waiting on a moderator or the proposer.",
        &[("", depths.proposals_open)],
    );
    gauge(
        &mut body,
        "signpost_attestations_waiting",
        "Attestations submitted for review.",
        &[("", depths.attestations_waiting)],
    );
    let by_state: Vec<(String, u64)> =
        depths.requests_by_state.iter().map(|(s, n)| (format!("state=\"{}\"", s.as_str()), *n)).collect();
    let by_state: Vec<(&str, u64)> = by_state.iter().map(|(l, n)| (l.as_str(), *n)).collect();
    gauge(&mut body, "signpost_registration_requests", "Registration requests by state.", &by_state);
    gauge(
        &mut body,
        "signpost_registration_breached",
        "Open registration requests past their target.",
        &[("", depths.requests_breached)],
    );
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn gauge(out: &mut String, name: &str, help: &str, values: &[(&str, u64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (labels, n) in values {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {n}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {n}");
        }
    }
}
