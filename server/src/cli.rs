//! `signpost serve | migrate | import | index | validate | export | poll | check | create-admin | backup |
//! restore | …`.
mod admin;
mod backup;
mod check;
mod create_admin;
mod index;
mod poll;

use crate::config::Config;
use crate::startup::{Application, connect};
use app::server::import::Format;
use app::server::import::run::{read_source, store_source};
use app::server::net::client::{Fetched, SafeClient, accept};
use app::server::services::export::{ExportOptions, Framing, stream};
use app::server::services::feeds;
use app::server::validate::validate_reader_all;
use app::types::validation::Finding;
use clap::{Parser, Subcommand, ValueEnum};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Parser, Debug)]
#[command(
    name = "signpost",
    version,
    about = "A directory of FHIR Patient Access endpoints, published as SMART User-access Brands"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the site and API (SIGNPOST_ADDR, default 127.0.0.1:3000).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Import a directory source (file or http(s) URL) in one transaction.
    Import {
        /// A file path or an http(s) URL.
        source: String,
        #[arg(long, value_enum, default_value = "auto")]
        format: FormatArg,
        /// What pages call the source (default: the file name, or the URL).
        #[arg(long)]
        name: Option<String>,
    },
    /// Build the search index and save it to SIGNPOST_SEARCH_INDEX (by default beside a SQLite
    /// database), so the next `serve` reads it instead of indexing the directory at start.
    /// `import` and `source remove` run it after changing the directory.
    Index,
    /// Check a brands bundle against the SMART 2.2 User-access Brands rules; exit 1 on errors.
    Validate {
        file: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the directory as a brands bundle, FHIR NDJSON or an endpoint CSV.
    Export {
        #[arg(long, value_enum, default_value = "brands")]
        format: ExportFormat,
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Only this source.
        #[arg(long)]
        source: Option<i32>,
    },
    /// Check endpoints now and record the results: every endpoint, or one with --endpoint.
    Poll {
        /// Run one full poll and exit (the continuous poller runs inside `serve`).
        #[arg(long)]
        once: bool,
        #[arg(long)]
        endpoint: Option<i32>,
    },
    /// List the sources with their ids (for `export --source` and `source remove`).
    Sources,
    /// Manage one source.
    Source {
        #[command(subcommand)]
        action: SourceAction,
    },
    /// Brand bundles published at URLs: imported ones are refetched on schedule; ones found in
    /// checked smart-configurations wait as "discovered" until approved.
    Feeds {
        #[command(subcommand)]
        action: FeedAction,
    },
    /// Create an admin account, or make an existing account an admin. The password comes from
    /// standard input with --password-stdin; without it, a link to choose one is mailed (to
    /// the outbox folder unless SMTP is set).
    CreateAdmin {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Copy the SQLite database, while the server runs, into FILE (a new file): one consistent
    /// snapshot. For PostgreSQL, use pg_dump.
    Backup { file: PathBuf },
    /// Put a backup made by `backup` where DATABASE_URL points (a SQLite file that does not
    /// exist yet), after checking it is a whole Signpost database.
    Restore { file: PathBuf },
    /// Check one FHIR endpoint now (metadata, smart-configuration, TLS, CORS, CARIN scorecard).
    /// Exit 0 when up, 1 when degraded or down, 2 when the URL is refused.
    Check {
        /// The FHIR base URL.
        url: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SourceAction {
    /// Remove a source and everything only it provided (brands, portals, endpoints, their
    /// history and subscriptions, its feed), in one transaction.
    Remove { id: i32 },
}

#[derive(Subcommand, Debug)]
pub enum FeedAction {
    /// Every feed: id, state, last fetch and URL.
    List,
    /// Fetch and import this feed from now on.
    Approve { id: i32 },
    /// Stop fetching this feed (what it imported stays, as its source).
    Remove { id: i32 },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Auto,
    Brands,
    Lantern,
    SmaCsv,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormat {
    Brands,
    Csv,
    Ndjson,
}

/// Every command reads its settings through `Config`, as `serve` does, so a bad variable is
/// reported the same way whichever command meets it.
fn database_url() -> Result<String, Error> {
    Ok(Config::from_env()?.database_url)
}

/// The binary's whole body. It starts the runtime here, in the library, because the compiler
/// generates an async function's code in the crate that polls it: `main.rs` driving `run` itself
/// would compile the whole server a second time (about a minute of each release build).
pub fn main() -> ExitCode {
    crate::telemetry::init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub async fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Serve => {
            let mut config = Config::from_env()?;
            config.site_root = crate::config::resolve_site_root(
                std::env::var("LEPTOS_SITE_ROOT").ok().filter(|v| !v.trim().is_empty()),
                std::env::current_exe().ok(),
            )?;
            tracing::info!(site_root = %config.site_root, "serving the built site");
            let app = Application::build(&config).await?;
            tracing::info!("listening on http://{}", app.addr());
            app.run_until_stopped().await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            connect(&database_url()?).await?;
            eprintln!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { source, format, name } => import(&source, format, name.as_deref()).await,
        Command::Index => index::index().await,
        Command::Validate { file, json } => validate(&file, json),
        Command::Export { format, output, source } => export(format, output, source).await,
        Command::Poll { once, endpoint } => poll::poll(once, endpoint).await,
        Command::Check { url, json } => check::check(&url, json).await,
        Command::Backup { file } => backup::backup(&file).await,
        Command::Restore { file } => backup::restore(&file).await,
        Command::Sources => admin::sources().await,
        Command::Source { action: SourceAction::Remove { id } } => admin::remove_source(id).await,
        Command::Feeds { action } => admin::feeds(action).await,
        Command::CreateAdmin { email, password_stdin } => create_admin::create_admin(&email, password_stdin).await,
    }
}

fn progress_bar(total: Option<u64>) -> ProgressBar {
    // indicatif draws nothing when stderr is not a terminal.
    let bar = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::new_spinner(),
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} reading [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

async fn import(source: &str, format: FormatArg, name: Option<&str>) -> Result<ExitCode, Error> {
    let format = match format {
        FormatArg::Auto => None,
        FormatArg::Brands => Some(Format::Brands),
        FormatArg::Lantern => Some(Format::Lantern),
        FormatArg::SmaCsv => Some(Format::SmaCsv),
    };
    let remote = source.starts_with("http://") || source.starts_with("https://");
    let failed = |message: String| {
        eprintln!("error: {message}");
        eprintln!("nothing was imported");
        Ok(ExitCode::FAILURE)
    };
    if !remote && source.contains("://") {
        return failed(format!("{source}: only http and https URLs can be imported, or a file path"));
    }
    // The source is read before the database is opened: bad input leaves no new, migrated
    // database file behind.
    let (location, read, etag) = if remote {
        // A URL from the operator still goes through the SSRF-safe client and its allow list.
        let fetched = match download(source).await {
            Ok(f) => f,
            Err(e) => return failed(format!("{source}: {e}")),
        };
        let etag = fetched.header("etag").map(str::to_string);
        let bar = progress_bar(Some(fetched.body.len() as u64));
        let progress = bar.clone();
        let reader = std::io::Cursor::new(fetched.body);
        let read = read_source(source, format, reader, move |n| progress.set_position(n)).await;
        bar.finish_and_clear();
        (source.to_string(), read, etag)
    } else {
        let opened = std::fs::canonicalize(source).and_then(|p| std::fs::File::open(&p).map(|f| (p, f)));
        let (path, file) = match opened {
            Ok(x) => x,
            Err(e) => return failed(format!("{source}: {e}")),
        };
        let bar = progress_bar(file.metadata().ok().map(|m| m.len()));
        let progress = bar.clone();
        let location = path.display().to_string();
        let read = read_source(&location, format, file, move |n| progress.set_position(n)).await;
        bar.finish_and_clear();
        (location, read, None)
    };
    let read = match read {
        Ok(r) => r,
        Err(e) => return failed(e.to_string()),
    };
    let db = connect(&database_url()?).await?;
    let outcome = match store_source(&db, &location, name, read).await {
        Ok(o) => o,
        Err(e) => return failed(e.to_string()),
    };
    if outcome.detected {
        eprintln!("format: {} (detected)", outcome.format.as_str());
    }
    if remote {
        // Refetched on schedule by `serve` (and `poll --once`), with If-None-Match.
        let interval = Config::from_env()?.poll.settings.interval_secs;
        feeds::imported(&db, &location, etag.as_deref(), chrono::Utc::now().timestamp(), interval).await?;
    }
    let s = &outcome.summary;
    let [e, w, i] = s.finding_counts;
    print_findings(&s.findings, 20, (e + w + i) as usize);
    if s.unchanged {
        println!(
            "{location}: unchanged since the last import (source {}); findings: {e} errors, {w} warnings, {i} notes",
            s.source_id
        );
    } else {
        println!(
            "{location}: brands {}, portals {}, endpoints {} (added ~updated -removed); source {}; findings: {e} errors, {w} warnings, {i} notes",
            s.brands, s.portals, s.endpoints, s.source_id
        );
        index::after_change();
    }
    Ok(ExitCode::SUCCESS)
}

/// Fetches a source URL through the SSRF-safe client (`SIGNPOST_FETCH_ALLOW` applies).
async fn download(url: &str) -> Result<Fetched, String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let client = SafeClient::new(config.fetch)?;
    let url = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    let headers = accept("application/fhir+json, application/json, text/csv, */*");
    let fetched = feeds::fetch_bundle(&client, &url, headers).await.map_err(|e| e.to_string())?;
    if !(200..300).contains(&fetched.status) {
        return Err(format!("HTTP {}", fetched.status));
    }
    Ok(fetched)
}

/// The first `limit` findings, and how many of `total` are not shown.
fn print_findings(findings: &[Finding], limit: usize, total: usize) {
    for f in findings.iter().filter(|f| f.rule != "findings-truncated").take(limit) {
        eprintln!("{:7} {} {} ({})", f.severity.as_str(), f.pointer, f.message, f.rule);
    }
    let shown = findings.iter().filter(|f| f.rule != "findings-truncated").take(limit).count();
    if total > shown {
        eprintln!("... and {} more findings (`signpost validate FILE` lists them all)", total - shown);
    }
}

fn validate(file: &PathBuf, json: bool) -> Result<ExitCode, Error> {
    let report = match std::fs::File::open(file) {
        Ok(f) => validate_reader_all(std::io::BufReader::new(f)),
        // The same report shape as any other unreadable document, so `--json` always prints JSON.
        Err(e) => app::types::validation::ValidationReport {
            fatal: Some(format!("cannot open {}: {e}", file.display())),
            ..Default::default()
        },
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if let Some(fatal) = &report.fatal {
        eprintln!("{}: {fatal}", file.display());
    } else {
        print_findings(&report.findings, usize::MAX, report.findings.len());
        println!(
            "{}: {} organizations, {} endpoints; {} errors, {} warnings, {} notes",
            file.display(),
            report.organizations,
            report.endpoints,
            report.errors,
            report.warnings,
            report.infos
        );
    }
    Ok(if report.is_valid() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

async fn export(format: ExportFormat, output: Option<PathBuf>, source: Option<i32>) -> Result<ExitCode, Error> {
    if let Some(path) = &output {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        if !dir.is_dir() {
            eprintln!("error: {}: the folder {} does not exist", path.display(), dir.display());
            return Ok(ExitCode::FAILURE);
        }
    }
    let db = connect(&database_url()?).await?;
    if let Some(id) = source {
        use sea_orm::EntityTrait;
        if app::server::entities::source::Entity::find_by_id(id).one(&db).await?.is_none() {
            eprintln!("error: there is no source {id} (signpost sources lists them)");
            return Ok(ExitCode::FAILURE);
        }
    }
    let framing = match format {
        ExportFormat::Brands => Framing::Bundle,
        ExportFormat::Csv => Framing::Csv,
        ExportFormat::Ndjson => Framing::Ndjson,
    };
    let public_url = Config::from_env()?.public_url;
    let opts = ExportOptions { source_id: source, base_url: public_url, framing };
    let mut body = Box::pin(stream(db, opts));
    match output {
        Some(path) => {
            // Written beside the target and renamed at the end: a failed export leaves no half file.
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            {
                let mut w = std::io::BufWriter::new(tmp.as_file_mut());
                while let Some(chunk) = body.next().await {
                    w.write_all(&chunk?)?;
                }
                w.flush()?;
            }
            tmp.as_file().sync_all()?;
            tmp.persist(&path).map_err(|e| e.error)?;
        }
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout());
            let written: std::io::Result<()> = async {
                while let Some(chunk) = body.next().await {
                    w.write_all(&chunk?)?;
                }
                w.flush()
            }
            .await;
            match written {
                // The reader stopped early (`export | head`): nothing is wrong.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
                other => other?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
