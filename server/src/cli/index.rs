//! `signpost index`: the search index saved ahead of the next start, and the same step run by
//! the commands that change the directory while no server may be running to index it.
use super::Error;
use crate::config::Config;
use crate::startup::connect;
use app::server::services::search::{Saved, save_index};
use std::process::ExitCode;

pub async fn index() -> Result<ExitCode, Error> {
    let config = Config::from_env()?;
    let Some(path) = config.search_index else {
        eprintln!(
            "error: no file to save the search index to: SIGNPOST_SEARCH_INDEX is off, or unset for a PostgreSQL database on a machine with neither XDG_CACHE_HOME nor HOME"
        );
        return Ok(ExitCode::FAILURE);
    };
    let db = connect(&config.database_url).await?;
    let started = std::time::Instant::now();
    match save_index(&db, &path).await? {
        Saved::Written { brands } => println!(
            "search index saved: {} ({brands} brands, {:.1} s)",
            path.display(),
            started.elapsed().as_secs_f64()
        ),
        Saved::Current => println!("search index up to date: {}", path.display()),
        Saved::NoStamp => {
            println!(
                "search index not saved: the directory has not changed since this release (serve indexes it at start)"
            )
        }
        Saved::ChangedMeanwhile => {
            eprintln!("error: the directory changed while it was indexed; run signpost index again");
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// After a command changed the directory: `signpost index` in a process of its own, so the
/// command's memory stays its own (indexing a national directory takes more than an import),
/// and a failure is only reported, since the change itself is committed.
pub fn after_change() {
    if Config::from_env().map(|c| c.search_index.is_none()).unwrap_or(true) {
        return;
    }
    let ran = std::env::current_exe().and_then(|exe| std::process::Command::new(exe).arg("index").status());
    match ran {
        Ok(status) if status.success() => {}
        Ok(status) => {
            eprintln!("warning: the search index was not saved ({status}); serve indexes the directory at start")
        }
        Err(e) => eprintln!("warning: the search index was not saved ({e}); serve indexes the directory at start"),
    }
}
