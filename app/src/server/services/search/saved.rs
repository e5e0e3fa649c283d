//! The index saved ahead of a start (`signpost index`, run by `import` and `source remove`
//! after they change the directory): a server started next reads it in a fraction of a second
//! instead of indexing a national directory on its first minutes.
use super::load::build_index;
use super::persist;
use crate::error::AppError;
use crate::server::services::brands::directory_stamp;
use sea_orm::ConnectionTrait;
use std::path::Path;

/// What `save_index` did: each is an expected outcome, not an error.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    /// Built and written, with this many brands.
    Written { brands: usize },
    /// The file already holds the index of the directory as it is (and passes its checks).
    Current,
    /// The directory has not changed since stamps began, so a file could be taken for another
    /// copy's (see `SearchState`): the server indexes it at start.
    NoStamp,
    /// The directory changed while it was indexed: the file would already be out of date.
    ChangedMeanwhile,
}

/// Builds the index of the directory in `db` and writes it to `path`, unless the file there
/// already holds it.
pub async fn save_index<C: ConnectionTrait>(db: &C, path: &Path) -> Result<Saved, AppError> {
    let (version, stamp) = directory_stamp(db).await?;
    if stamp == 0 {
        return Ok(Saved::NoStamp);
    }
    let on_disk = path.to_path_buf();
    let expected = persist::Built { version, stamp };
    let current = blocking(move || persist::load(&on_disk, expected)).await?;
    // A file that fails its checks is replaced, as a server would replace it.
    if matches!(current, Ok(Some(_))) {
        return Ok(Saved::Current);
    }
    let index = build_index(db, version).await?;
    // Its pages were read over several statements: saved only if none of them saw a change.
    if directory_stamp(db).await? != (version, stamp) {
        return Ok(Saved::ChangedMeanwhile);
    }
    let brands = index.len();
    let path = path.to_path_buf();
    blocking(move || persist::save(&index, stamp, &path))
        .await?
        .map_err(|e| AppError::Internal(format!("the search index could not be written: {e}")))?;
    Ok(Saved::Written { brands })
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(e.to_string()))
}
