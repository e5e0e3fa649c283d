//! Search over an imported directory, in process (no HTTP): how long the index takes to be
//! ready (read from the saved file, or built), then each query's median and slowest time over
//! several rounds, and p50/p95 over all of them. `scripts/scale` runs it on 1,000,000 brands.
//!   DATABASE_URL=sqlite://scale.db cargo run --release --example search_bench -- [INDEX_FILE|-] [ROUNDS] [QUERY...]
//! (QUERY as in a URL, `q=summit+health&state=TX`; without any, the list below.)
use app::server::services::search::SearchState;
use app::types::search::SearchQuery;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The queries of `scripts/scale`: common and rare words, names typed in part, typos, a place,
/// a state code, a query that matches nothing, two with facet filters, and the landing page
/// (no query: the whole directory in name order).
const QUERIES: [&str; 23] = [
    "",
    "q=valley",
    "q=summit health",
    "q=cedar clinic 123",
    "q=madison",
    "q=tx",
    "q=prarie",
    "q=mountian health plan",
    "q=evergreen imaging",
    "q=keystone",
    "q=sunrise medical center",
    "q=austin",
    "q=laboratories",
    "q=golden",
    "q=riverside 4",
    "q=horizon health plan",
    "q=clearwater",
    "q=my summit portal",
    "q=willow",
    "q=aspen lab",
    "q=zzzz",
    "category=ins&state=TX",
    "q=health&state=WI&page=3",
];

fn query(spec: &str) -> SearchQuery {
    let mut q = SearchQuery::default();
    for (k, v) in spec.split('&').filter_map(|p| p.split_once('=')) {
        let v = Some(v.replace('+', " "));
        match k {
            "q" => q.q = v.unwrap_or_default(),
            "category" => q.category = v,
            "state" => q.state = v,
            "page" => q.page = v.and_then(|p| p.parse().ok()),
            _ => panic!("the bench has no parameter {k}"),
        }
    }
    q
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().filter(|f| f != "-").map(std::path::PathBuf::from);
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(10).max(1);
    let given: Vec<String> = args.collect();
    let queries: Vec<&str> =
        if given.is_empty() { QUERIES.to_vec() } else { given.iter().map(String::as_str).collect() };
    let url = std::env::var("DATABASE_URL")?;
    let db = sea_orm::Database::connect(&url).await?;
    let state = SearchState::with_file(file);
    let started = Instant::now();
    let first = state.search(&db, &query(queries[0])).await?;
    println!(
        "index ready and first search answered in {:.2} s ({} results)",
        started.elapsed().as_secs_f64(),
        first.total
    );
    let mut all = Vec::new();
    for spec in queries {
        let q = query(spec);
        let mut times: Vec<f64> = Vec::new();
        let mut total = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            total = state.search(&db, &q).await?.total;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{spec:<32} {:>8} results  median {:>6.2} ms  slowest {:>6.2} ms",
            total,
            times[times.len() / 2],
            times[times.len() - 1]
        );
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    println!("all: p50 {:.2} ms, p95 {:.2} ms ({} searches)", all[all.len() / 2], all[all.len() * 95 / 100], all.len());
    Ok(())
}
