//! `signpost check URL [--json]`: one check now, printed. Exit 0 when up, 1 when degraded or
//! down, 2 when the URL is refused (not a URL, or the SSRF policy) without being contacted.
use crate::config::fetch_policy;
use app::server::check::{CheckOptions, check_endpoint, parse_base};
use app::server::net::client::SafeClient;
use app::types::check::{CheckReport, Health, Verdict};
use std::fmt::Write;
use std::process::ExitCode;

pub async fn check(url: &str, json: bool) -> Result<ExitCode, super::Error> {
    let client = SafeClient::new(fetch_policy()?)?;
    let report = match parse_base(url) {
        Ok(base) => check_endpoint(&client, &base, &CheckOptions::default()).await,
        Err(e) => Err(e),
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            let message = e.to_string();
            let message = if message.starts_with("refused") { message } else { format!("refused: {message}") };
            if json {
                println!("{}", serde_json::json!({ "url": url, "refused": message }));
            } else {
                eprintln!("{message}");
            }
            return Ok(ExitCode::from(2));
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", describe(&report));
    }
    Ok(if report.health == Health::Up { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The report in lines a person reads.
pub fn describe(r: &CheckReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", r.health.as_str().to_uppercase(), r.url);
    for p in &r.problems {
        let _ = writeln!(out, "  problem: {p}");
    }
    match (&r.metadata.http, &r.metadata.facts) {
        (Some(h), Some(m)) => {
            let _ = writeln!(
                out,
                "metadata: HTTP {} in {} ms, {} {}, {}{}",
                h.status,
                h.latency_ms,
                m.resource_type,
                m.fhir_version.as_deref().unwrap_or("(no fhirVersion)"),
                m.software_name.as_deref().unwrap_or("unnamed software"),
                m.software_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default(),
            );
            let _ = writeln!(out, "  resources: {}", m.resource_types.join(", "));
        }
        (http, _) => {
            let status =
                http.as_ref().map(|h| format!("HTTP {} in {} ms: ", h.status, h.latency_ms)).unwrap_or_default();
            let why = r.metadata.failure.as_ref().map(|f| f.detail.clone()).unwrap_or_default();
            let _ = writeln!(out, "metadata: {status}{why}");
        }
    }
    match (&r.smart.facts, &r.smart.failure) {
        (Some(s), _) => {
            let _ = writeln!(out, "smart-configuration: {} capabilities", s.capabilities.len());
            if let Some(bundle) = &s.user_access_brand_bundle {
                let _ = writeln!(out, "  brand bundle: {bundle}");
            }
        }
        (None, Some(f)) => {
            let _ = writeln!(out, "smart-configuration: {}", f.detail);
        }
        (None, None) => {}
    }
    match &r.tls {
        Some(Ok(t)) => {
            let days = t.days_left.map(|d| format!("{d} days left")).unwrap_or_else(|| "expiry unknown".into());
            let trust = t.trust_error.clone().unwrap_or_else(|| "trusted".into());
            let _ = writeln!(
                out,
                "tls: {}, certificate {days} ({trust}), issuer {}",
                t.protocol,
                t.issuer.as_deref().unwrap_or("?")
            );
        }
        Some(Err(f)) => {
            let _ = writeln!(out, "tls: {}", f.detail);
        }
        None => {
            let _ = writeln!(out, "tls: not https");
        }
    }
    if let Some(cors) = r.cors {
        let _ = writeln!(out, "cors: {}", if cors { "yes" } else { "no Access-Control-Allow-Origin" });
    }
    let (pass, total) = r.score();
    let _ = writeln!(out, "CARIN scorecard: {pass}/{total} pass");
    for item in r.scorecard.iter().filter(|i| i.verdict != Verdict::Pass) {
        let verdict = if item.verdict == Verdict::Fail { "fail" } else { "unknown" };
        let _ = writeln!(out, "  {verdict}: {}", item.key);
    }
    out
}
