//! `signpost sources`, `signpost source remove ID` and `signpost feeds list|approve|remove`.
use super::{Error, FeedAction, database_url};
use crate::startup::connect;
use app::server::services::{feeds, sources};
use std::process::ExitCode;

pub async fn sources() -> Result<ExitCode, Error> {
    let db = connect(&database_url()?).await?;
    let all = sources::list(&db).await?;
    if all.is_empty() {
        println!("no sources yet: signpost import PATH_OR_URL");
    }
    for s in all {
        println!(
            "{:>5}  {:8} {:>7} brands {:>7} endpoints  imported {}  {}",
            s.id,
            s.format,
            s.brand_count,
            s.endpoint_count,
            s.imported_at.format("%Y-%m-%d %H:%M"),
            s.location
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn remove_source(id: i32) -> Result<ExitCode, Error> {
    let db = connect(&database_url()?).await?;
    match sources::remove(&db, id).await? {
        Some(r) => {
            println!("source {id} removed: {} brands, {} endpoints", r.brands, r.endpoints);
            super::index::after_change();
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("error: there is no source {id} (signpost sources lists them)");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub async fn feeds(action: FeedAction) -> Result<ExitCode, Error> {
    let db = connect(&database_url()?).await?;
    let now = chrono::Utc::now().timestamp();
    let missing = |id: i32| {
        eprintln!("error: there is no feed {id} (signpost feeds list lists them)");
        Ok(ExitCode::FAILURE)
    };
    match action {
        FeedAction::List => {
            let all = feeds::list(&db).await?;
            if all.is_empty() {
                println!("no feeds");
            }
            for f in all {
                let last = match (f.last_fetched_at, f.last_status, &f.last_error) {
                    (None, _, _) => "never fetched".to_string(),
                    (Some(_), _, Some(e)) => format!("failed: {e}"),
                    (Some(_), Some(s), None) => format!("last answer {s}"),
                    (Some(_), None, None) => "fetched".to_string(),
                };
                println!("{:>5}  {:10}  {}  {}", f.id, f.state.as_str(), last, f.url);
            }
            Ok(ExitCode::SUCCESS)
        }
        FeedAction::Approve { id } => {
            if !feeds::approve(&db, id, now).await? {
                return missing(id);
            }
            println!("feed {id} approved: serve (or poll --once) fetches and imports it next");
            Ok(ExitCode::SUCCESS)
        }
        FeedAction::Remove { id } => {
            if !feeds::remove(&db, id).await? {
                return missing(id);
            }
            println!("feed {id} removed; what it imported stays until `signpost source remove`");
            Ok(ExitCode::SUCCESS)
        }
    }
}
