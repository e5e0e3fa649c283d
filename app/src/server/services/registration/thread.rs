//! Each request's message thread: either side's members write, with at most one attachment per
//! message (a PDF, PNG, JPEG or plain text recognised by its content, up to `MAX_ATTACHMENT`
//! bytes, stored in the database and only ever served as a download); the other side hears of
//! each message by mail (an email-only payer's contact too, with a new link).
use super::requests::readable;
use crate::error::AppError;
use crate::server::entities::{brand, registration_request as request, request_message};
use crate::server::policy::{self, Actor};
use crate::server::services::notify;
use crate::server::services::sql::begin_writing;
use crate::types::accounts::FormErrors;
use crate::types::registration::{Channel, ThreadMessage};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

/// Largest attachment, in bytes.
pub const MAX_ATTACHMENT: usize = 1024 * 1024;
/// Longest message, in characters.
pub const MAX_BODY: usize = 4000;
/// Messages one request's thread holds.
pub const MAX_MESSAGES: u64 = 200;

/// An uploaded file, as the form sent it.
#[derive(Clone, Debug)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a file is, from its first bytes (never from its name or the sender's type).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        Some("text/plain; charset=utf-8")
    } else {
        None
    }
}

/// A file name safe in a header and on any disk: letters, digits, `.`, `-`, `_`, at most 100.
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String =
        base.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).take(100).collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() { "attachment".into() } else { cleaned }
}

/// What came of posting.
#[derive(Debug)]
pub enum Posted {
    Sent(i32),
    Invalid(FormErrors),
}

/// Either side's members post a message (admins read the thread, but do not write in it).
pub async fn post<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    request_id: i32,
    text: &str,
    upload: Option<Upload>,
    base: &str,
    now: i64,
) -> Result<Posted, AppError> {
    let (r, app, payer) = readable(db, actor, request_id).await?;
    let side = if policy::member_of(actor, app.organization_id) {
        "developer"
    } else if policy::work_request(actor, payer, app.organization_id).is_ok() {
        "payer"
    } else {
        return Err(AppError::Forbidden("only the two organizations' members write in the thread".into()));
    };
    let body = match crate::types::app_metadata::plain(text, MAX_BODY) {
        Ok(b) => b,
        Err(e) => return Ok(Posted::Invalid(FormErrors::field("body", e))),
    };
    let upload = upload.filter(|u| !u.bytes.is_empty());
    if body.is_empty() && upload.is_none() {
        return Ok(Posted::Invalid(FormErrors::field("body", "write a message or attach a file")));
    }
    let file = match upload {
        None => None,
        Some(u) if u.bytes.len() > MAX_ATTACHMENT => {
            return Err(AppError::TooLarge(format!("an attachment may have at most {MAX_ATTACHMENT} bytes")));
        }
        Some(u) => match sniff(&u.bytes) {
            Some(kind) => Some((safe_name(&u.name), kind, u.bytes)),
            None => {
                return Ok(Posted::Invalid(FormErrors::field(
                    "file",
                    "attach a PDF, a PNG or JPEG image, or a plain-text file",
                )));
            }
        },
    };
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    // The request's row, locked: the count and the insert are one step.
    request::Entity::find_by_id(request_id).lock_exclusive().one(&txn).await?;
    let count =
        request_message::Entity::find().filter(request_message::Column::RequestId.eq(request_id)).count(&txn).await?;
    if count >= MAX_MESSAGES {
        return Err(AppError::Conflict(format!("the thread is full ({MAX_MESSAGES} messages)")));
    }
    let (name, kind, bytes) = match file {
        Some((n, k, b)) => (Some(n), Some(k.to_string()), Some(b)),
        None => (None, None, None),
    };
    let has_file = name.clone();
    let m = request_message::Entity::insert(request_message::ActiveModel {
        request_id: Set(request_id),
        at: Set(now),
        author_id: Set(actor.account_id()),
        side: Set(side.into()),
        body: Set(body.clone()),
        attachment_name: Set(name),
        attachment_type: Set(kind),
        attachment: Set(bytes),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    let b = brand::Entity::find_by_id(r.brand_id).one(&txn).await?.map(|b| b.name).unwrap_or_default();
    let subject = format!("New message: {} at {b}", app.client_name);
    let mut text = format!("{} wrote on the request of {} at {b}:\n\n{body}\n", actor.label(), app.client_name);
    if let Some(n) = has_file {
        text.push_str(&format!("\nAttached: {n}\n"));
    }
    let key = format!("request-message:{}", m.last_insert_id);
    match (side, payer, r.channel) {
        ("developer", Some(p), _) => {
            let link = format!("{}/requests/{request_id}", base.trim_end_matches('/'));
            notify::members(&txn, p, &key, &subject, &format!("{text}\n{link}\n"), now).await?
        }
        ("developer", None, Channel::Email) => {
            super::email_payers::mail_contact(&txn, &r, &key, &subject, &text, r.state.clock_runs(), base, now).await?
        }
        ("payer", _, _) => {
            let link = format!("{}/requests/{request_id}", base.trim_end_matches('/'));
            notify::members(&txn, app.organization_id, &key, &subject, &format!("{text}\n{link}\n"), now).await?
        }
        _ => {}
    }
    txn.commit().await?;
    Ok(Posted::Sent(m.last_insert_id))
}

/// The thread, oldest first, without the files' bytes.
pub async fn messages(db: &impl ConnectionTrait, request_id: i32) -> Result<Vec<ThreadMessage>, AppError> {
    use request_message::Column as C;
    let rows: Vec<(i32, i64, Option<i32>, String, String, Option<String>)> = request_message::Entity::find()
        .select_only()
        .columns([C::Id, C::At, C::AuthorId, C::Side, C::Body, C::AttachmentName])
        .filter(C::RequestId.eq(request_id))
        .order_by_asc(C::Id)
        .into_tuple()
        .all(db)
        .await?;
    let authors =
        crate::server::services::lookup::account_emails(db, rows.iter().filter_map(|r| r.2).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|(id, at, author, side, body, attachment)| ThreadMessage {
            id,
            at,
            author: author.and_then(|a| authors.get(&a).cloned()).unwrap_or_else(|| "a former member".into()),
            from_payer: side == "payer",
            body,
            attachment,
        })
        .collect())
}

/// One message's attachment (its safe name, its type and its bytes), for whoever may read the
/// request.
pub async fn attachment(
    db: &impl ConnectionTrait,
    actor: &Actor,
    request_id: i32,
    message_id: i32,
) -> Result<(String, String, Vec<u8>), AppError> {
    readable(db, actor, request_id).await?;
    let m = request_message::Entity::find_by_id(message_id)
        .one(db)
        .await?
        .filter(|m| m.request_id == request_id)
        .ok_or_else(|| AppError::NotFound("there is no such attachment".into()))?;
    match (m.attachment_name, m.attachment_type, m.attachment) {
        (Some(n), Some(t), Some(b)) => Ok((n, t, b)),
        _ => Err(AppError::NotFound("there is no such attachment".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_content_and_named_safely() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"plain words"), Some("text/plain; charset=utf-8"));
        assert_eq!(sniff(b"MZ\x90\x00\x03"), None, "an executable");
        assert_eq!(sniff(b"<svg>\x00"), None);
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\x\\report final.pdf"), "report_final.pdf");
        assert_eq!(safe_name("a\"b\r\nc.txt"), "a_b__c.txt");
        assert_eq!(safe_name("...hidden"), "hidden");
        assert_eq!(safe_name(""), "attachment");
        assert_eq!(safe_name(&"x".repeat(300)).len(), 100);
    }
}
