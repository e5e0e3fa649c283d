//! Logs and metrics. Logs go to stderr, as text or, with `SIGNPOST_LOG_FORMAT=json`, one JSON
//! object a line (each request's lines carry its `request_id`); `RUST_LOG` overrides the level.
//! Metrics are recorded into one process-wide Prometheus registry that `/metrics` renders.
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    pub fn parse(text: Option<&str>) -> Result<Self, String> {
        match text.map(str::trim) {
            None | Some("" | "text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(format!("SIGNPOST_LOG_FORMAT: \"{other}\" is not text or json")),
        }
    }
}

pub fn init() {
    let format = match LogFormat::parse(std::env::var("SIGNPOST_LOG_FORMAT").ok().as_deref()) {
        Ok(f) => f,
        Err(message) => {
            // Logging is not set up yet; the process must not start with a format nobody asked for.
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_histogram};
    describe_counter!("signpost_http_requests_total", "HTTP requests answered, by method, route and status.");
    describe_histogram!(
        "signpost_http_request_duration_seconds",
        Unit::Seconds,
        "Time until the response's head, by method and route."
    );
    describe_counter!("signpost_poll_checks_total", "Endpoint checks by the poller, by the health found.");
    describe_histogram!("signpost_check_duration_seconds", Unit::Seconds, "Time one endpoint check took.");
    describe_counter!(
        "signpost_mails_total",
        "Mails handed to the mail server or folder: sent, failed (retried), refused."
    );
}

/// Latency buckets in seconds: from a cached page (a millisecond) to a slow check (30 s).
const BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The process's metrics registry, installed as the `metrics` recorder the first time it is
/// asked for (several applications in one test process share it).
pub fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first; /metrics shows only the queue depths");
        }
        describe();
        handle
    })
}
