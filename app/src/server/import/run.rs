use super::spooled::{ScanError, Scanned};
use super::store::{ImportSummary, store};
use super::{Format, Tracked, Unreadable, detect, read_directory, spooled};
use sea_orm::{DatabaseConnection, DbErr};
use std::io::{BufRead, BufReader, Read};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not tell the format of {0}; pass --format brands|lantern|sma-csv")]
    UnknownFormat(String),
    #[error(transparent)]
    Unreadable(#[from] Unreadable),
    #[error("could not read the source: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

#[derive(Debug)]
pub struct ImportOutcome {
    pub format: Format,
    /// The format was detected rather than given.
    pub detected: bool,
    pub summary: ImportSummary,
}

/// `import_named` with the name derived from the location (a file path shows as its file name).
pub async fn import_reader<R>(
    db: &DatabaseConnection,
    location: &str,
    format: Option<Format>,
    reader: R,
    on_progress: impl FnMut(u64) + Send + 'static,
) -> Result<ImportOutcome, ImportError>
where
    R: Read + Send + 'static,
{
    import_named(db, location, None, format, reader, on_progress).await
}

/// Imports one source from `reader`: detects the format unless given, reads it (streaming, on
/// a blocking thread), and writes it in one transaction. `location` names the source; importing
/// the same location again updates its records. `on_progress` gets the bytes read so far.
pub async fn import_named<R>(
    db: &DatabaseConnection,
    location: &str,
    name: Option<&str>,
    format: Option<Format>,
    reader: R,
    on_progress: impl FnMut(u64) + Send + 'static,
) -> Result<ImportOutcome, ImportError>
where
    R: Read + Send + 'static,
{
    let read = read_source(location, format, reader, on_progress).await?;
    store_source(db, location, name, read).await
}

/// A source read, not yet written.
pub struct ReadSource {
    pub format: Format,
    pub detected: bool,
    content: Content,
    hash: String,
}

/// What the writer reads the records from.
pub enum Content {
    /// A Lantern list or CSV, read whole (their records are few and small).
    Read(crate::server::fhir::records::Directory),
    /// A brands bundle, copied to a spool file and read again in batches, so memory stays
    /// bounded at any size.
    Spooled(Scanned),
}

/// The reading half of an import (on a blocking thread): the command line reads first and
/// opens the database only for a source that could be read.
pub async fn read_source<R>(
    location: &str,
    format: Option<Format>,
    reader: R,
    on_progress: impl FnMut(u64) + Send + 'static,
) -> Result<ReadSource, ImportError>
where
    R: Read + Send + 'static,
{
    let location_owned = location.to_string();
    tokio::task::spawn_blocking(move || {
        let mut buffered = BufReader::with_capacity(256 * 1024, Tracked::new(reader, on_progress));
        let (format, detected) = match format {
            Some(f) => (f, false),
            None => match detect(buffered.fill_buf()?) {
                Some(f) => (f, true),
                None => return Err(ImportError::UnknownFormat(location_owned)),
            },
        };
        let content = match format {
            Format::Brands => {
                // In TMPDIR, unlinked at once: gone when the import ends, however it ends.
                let spool = tempfile::tempfile()?;
                let scanned = spooled::scan(&mut buffered, spool).map_err(|e| match e {
                    ScanError::Unreadable(message) => {
                        ImportError::from(Unreadable { format: format.as_str(), message })
                    }
                    // A source that broke off or a full TMPDIR, not a fault of the bundle's.
                    ScanError::Io(e) => ImportError::Io(e),
                })?;
                Content::Spooled(scanned)
            }
            _ => Content::Read(read_directory(&mut buffered, format)?),
        };
        // Whatever the reader did not consume still belongs to the content hash.
        std::io::copy(&mut buffered, &mut std::io::sink())?;
        let hash = buffered.get_ref().hash();
        Ok(ReadSource { format, detected, content, hash })
    })
    .await
    .map_err(|e| ImportError::Io(std::io::Error::other(e.to_string())))?
}

/// The writing half: one transaction.
pub async fn store_source(
    db: &DatabaseConnection,
    location: &str,
    name: Option<&str>,
    read: ReadSource,
) -> Result<ImportOutcome, ImportError> {
    let ReadSource { format, detected, content, hash } = read;
    let summary = store(db, location, name, format.as_str(), &hash, content).await?;
    Ok(ImportOutcome { format, detected, summary })
}
