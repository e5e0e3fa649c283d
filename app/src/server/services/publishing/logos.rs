//! Logos a payer uploads for its brands: PNG, JPEG or WebP, known by their content (not their
//! name or type), within size and pixel limits (a decompression bomb fails on its header),
//! decoded and re-encoded as PNG (so nothing but pixels survives), at most 512 pixels a side,
//! stored under a name made from the result's hash, and served with a year-long cache. SVG is
//! refused: it is a document that can carry script, and this is not a sanitizer.
use super::claims::org_of;
use crate::error::AppError;
use crate::server::entities::logo;
use crate::server::policy::{self, Actor};
use image::{ImageFormat, ImageReader, Limits};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// The largest upload read.
pub const MAX_BYTES: usize = 1024 * 1024;
/// The largest side a decoder may even start on.
pub const MAX_SIDE: u32 = 4096;
/// The smallest side of a logo worth showing.
pub const MIN_SIDE: u32 = 16;
/// Logos are stored at most this big a side.
pub const STORED_SIDE: u32 = 512;
/// Memory a decoder may take.
const MAX_ALLOC: u64 = 64 * 1024 * 1024;

pub enum LogoOutcome {
    /// Its address, `/logos/{name}`.
    Stored {
        path: String,
    },
    Refused(String),
}

/// Decodes and re-encodes, or says why not. Pure: the tests call it with crafted bytes.
pub fn reencode(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!("the file is {} bytes; a logo may have at most {MAX_BYTES}", bytes.len()));
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if head.trim_start().starts_with('<') && head.contains("svg") {
        return Err("SVG logos are not accepted: upload a PNG, JPEG or WebP".into());
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP) => {}
        Some(other) => return Err(format!("{other:?} images are not accepted: upload a PNG, JPEG or WebP")),
        None => return Err("this is not an image (its content is neither PNG, JPEG nor WebP)".into()),
    }
    let mut reader = reader;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| format!("the image could not be read: {e}"))?;
    let (w, h) = (image.width(), image.height());
    if w < MIN_SIDE || h < MIN_SIDE {
        return Err(format!("the image is {w}×{h} pixels; a logo needs at least {MIN_SIDE} a side"));
    }
    let image = if w > STORED_SIDE || h > STORED_SIDE { image.thumbnail(STORED_SIDE, STORED_SIDE) } else { image };
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(|e| format!("could not encode it: {e}"))?;
    Ok((out, image.width(), image.height()))
}

/// A payer or developer organization's member uploads a logo.
pub async fn upload(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org_id: i32,
    bytes: Vec<u8>,
    now: i64,
) -> Result<LogoOutcome, AppError> {
    let org = org_of(db, org_id).await?;
    policy::upload_logo(actor, org_id, org.kind)?;
    let result = crate::server::services::cpu::run("logo", move || reencode(&bytes)).await?;
    let (png, w, h) = match result {
        Ok(x) => x,
        Err(problem) => return Ok(LogoOutcome::Refused(problem)),
    };
    let name = format!("{}.png", &hex::encode(Sha256::digest(&png))[..32]);
    logo::Entity::insert(logo::ActiveModel {
        name: Set(name.clone()),
        bytes: Set(png),
        width: Set(w as i32),
        height: Set(h as i32),
        organization_id: Set(Some(org_id)),
        uploaded_by: Set(actor.account_id()),
        created_at: Set(now),
    })
    .on_conflict(OnConflict::column(logo::Column::Name).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(LogoOutcome::Stored { path: format!("/logos/{name}") })
}

/// A stored logo's bytes by its name (`{32 hex}.png`); anything else is not found.
pub async fn get(db: &impl ConnectionTrait, name: &str) -> Result<Option<Vec<u8>>, AppError> {
    let ok = name.len() == 36 && name.ends_with(".png") && name.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit);
    if !ok {
        return Ok(None);
    }
    Ok(logo::Entity::find_by_id(name.to_string()).one(db).await?.map(|l| l.bytes))
}
