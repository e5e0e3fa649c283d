//! `signpost backup FILE` and `signpost restore FILE`, for the SQLite database. A backup is
//! SQLite's `VACUUM INTO`: one consistent snapshot, taken while the server keeps serving and
//! writing (it reads inside one transaction), written to a new file. A restore checks the file
//! is a whole Signpost database and puts it where `DATABASE_URL` points, which must not hold a
//! database yet, so a restore never overwrites data. PostgreSQL has `pg_dump` and `pg_restore`
//! (see the README).
use super::{Error, database_url};
use crate::startup::connect;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use std::path::Path;
use std::process::ExitCode;

fn fail(message: String) -> Result<ExitCode, Error> {
    eprintln!("error: {message}");
    Ok(ExitCode::FAILURE)
}

use crate::config::sqlite_file;

const NOT_SQLITE: &str =
    "backup and restore copy a SQLite database; for PostgreSQL use pg_dump and pg_restore (see the README)";

pub async fn backup(file: &Path) -> Result<ExitCode, Error> {
    let url = database_url()?;
    let Some(source) = sqlite_file(&url) else { return fail(NOT_SQLITE.into()) };
    if !source.is_file() {
        return fail(format!("{}: there is no database to back up", source.display()));
    }
    if file.exists() {
        return fail(format!("{} exists: a backup is written to a new file", file.display()));
    }
    let db = connect(&url).await?;
    let target = file.display().to_string();
    if let Err(e) =
        db.execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, "VACUUM INTO ?", [target.into()])).await
    {
        return fail(format!("{}: {e}", file.display()));
    }
    db.close().await?;
    // The snapshot is on disk before this says it is done.
    std::fs::File::open(file)?.sync_all()?;
    let tables = check(file).await?;
    println!(
        "backed up {} to {} ({} bytes, {tables} tables)",
        source.display(),
        file.display(),
        file.metadata()?.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// A whole Signpost database: SQLite's integrity check passes and the migrations table is
/// there. Returns how many tables it holds.
async fn check(file: &Path) -> Result<usize, Error> {
    let db = Database::connect(format!("sqlite://{}?mode=ro", file.display())).await?;
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA integrity_check"))
        .await
        .map_err(|e| format!("{}: not a SQLite database ({e})", file.display()))?;
    let verdict: String = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or_default();
    if verdict != "ok" {
        return Err(format!("{}: the integrity check failed: {verdict}", file.display()).into());
    }
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(DbBackend::Sqlite, "SELECT name FROM sqlite_master WHERE type = 'table'"))
        .await?
        .iter()
        .filter_map(|r| r.try_get_by_index(0).ok())
        .collect();
    db.close().await?;
    if !tables.iter().any(|t| t == "seaql_migrations") {
        return Err(format!("{}: not a Signpost database (no migrations table)", file.display()).into());
    }
    Ok(tables.len())
}

pub async fn restore(file: &Path) -> Result<ExitCode, Error> {
    let url = database_url()?;
    let Some(target) = sqlite_file(&url) else { return fail(NOT_SQLITE.into()) };
    if target.exists() {
        return fail(format!(
            "{} exists: restore into a new database (move that one away, or point DATABASE_URL at a new file)",
            target.display()
        ));
    }
    if !file.is_file() {
        return fail(format!("{}: no such backup", file.display()));
    }
    if let Err(e) = check(file).await {
        return fail(format!("{e}; nothing was restored"));
    }
    // Copied beside the target and renamed into place: a crash leaves the whole database or
    // none at all.
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let partial = dir.join(format!(
        ".{}.restoring",
        target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    std::fs::copy(file, &partial)?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, &target)?;
    std::fs::File::open(dir)?.sync_all()?;
    // A backup from an older version is brought up to date.
    connect(&url).await?.close().await?;
    println!("restored {} into {}", file.display(), target.display());
    Ok(ExitCode::SUCCESS)
}
