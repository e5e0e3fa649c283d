//! One full poll of many endpoints on fake HTTPS servers spread over loopback addresses: wall
//! time, peak RSS and the busiest host's request rate. Run by `scripts/bench`:
//!   cargo run --release --example poll_bench -- [ENDPOINTS] [HOSTS] [LATENCY_MS]
//! Peak RSS is the whole process, fake servers included.
use app::server::import::{Format, run::import_reader};
use app::server::net::client::SafeClient;
use app::server::net::policy::FetchPolicy;
use app::server::services::polling::{Claim, PollSettings};
use signpost::fake_fhir::{CertKind, TestCa, spawn_https};
use signpost::poller::Poller;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let endpoints = args.first().copied().unwrap_or(10_000);
    let hosts = args.get(1).copied().unwrap_or(500).clamp(1, 60_000);
    let latency = Duration::from_millis(args.get(2).copied().unwrap_or(50) as u64);

    let ca = TestCa::new();
    let mut servers = Vec::with_capacity(hosts);
    for i in 0..hosts {
        let ip = IpAddr::V4(Ipv4Addr::new(127, 1 + (i / 250) as u8, 0, 1 + (i % 250) as u8));
        let (cert, key) = ca.leaf(ip, &[], CertKind::Valid);
        servers.push(spawn_https(ip, cert, key, latency).await?);
    }
    let list: Vec<_> = (0..endpoints)
        .map(|k| {
            let s = &servers[k % hosts];
            serde_json::json!({"URL": s.https_base(&format!("ok-{k}")), "OrganizationName": format!("Plan {k}"), "NPIID": "", "OrganizationZipCode": "12345"})
        })
        .collect();
    let dir = tempfile::tempdir()?;
    let db = signpost::startup::connect(&format!("sqlite://{}/bench.db?mode=rwc", dir.path().display())).await?;
    let body = serde_json::to_vec(&serde_json::json!({ "Endpoints": list }))?;
    import_reader(&db, "bench:fakes", Some(Format::Lantern), std::io::Cursor::new(body), |_| {}).await?;

    let mut policy = FetchPolicy::default().with_allow_list("127.0.0.0/8")?;
    policy.extra_roots.push(ca.pem().into_bytes());
    let concurrency = policy.max_in_flight;
    let poller = Poller::new(
        db,
        SafeClient::new(policy)?,
        PollSettings::default(),
        concurrency,
        "https://signpost.bench".into(),
    );

    let started = Instant::now();
    let summary = poller.poll(Claim::NotCheckedSince(chrono::Utc::now().timestamp()), |_| {}).await?;
    let wall = started.elapsed();

    let mut busiest_window = 0;
    let mut closest_gap = Duration::MAX;
    let mut requests = 0;
    for s in &servers {
        let times = s.request_times();
        requests += times.len();
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..].iter().take_while(|u| u.duration_since(*t) < Duration::from_secs(1)).count();
            busiest_window = busiest_window.max(in_window);
            if let Some(next) = times.get(i + 1) {
                closest_gap = closest_gap.min(next.duration_since(*t));
            }
        }
    }
    println!(
        "poll bench: {endpoints} endpoints on {hosts} hosts, {} ms latency, {concurrency} requests in flight",
        latency.as_millis()
    );
    println!(
        "  checked {} endpoints with {requests} requests in {:.1} s ({:.0} requests/s)",
        summary.checked,
        wall.as_secs_f64(),
        requests as f64 / wall.as_secs_f64()
    );
    println!(
        "  busiest host: {busiest_window} request(s) in any 1 s window; closest two requests to one host: {} ms",
        closest_gap.as_millis()
    );
    println!("  peak RSS (with the fake servers): {:.0} MB", peak_rss_mb());
    Ok(())
}
