//! Sending the outbox: alert events are fanned out into mails, and due mails are sent through
//! SMTP (`SIGNPOST_SMTP_URL`) or written as `.eml` files to a folder (the default, for local
//! use). Runs inside `serve`, and after `poll --once`.
use crate::workers::Shutdown;
use app::server::entities::mail_outbox;
use app::server::services::outbox;
use app::server::services::subscriptions::{self, AlertContext};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MessageBuilder};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{DatabaseConnection, DbErr};
use std::path::PathBuf;
use std::time::Duration;

/// How mail leaves: chosen by configuration.
#[derive(Clone, Debug)]
pub enum MailTransport {
    /// An SMTP URL as lettre reads it: `smtp://host:25` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://user:password@host:465`.
    Smtp(String),
    /// A folder that receives one `.eml` file per mail.
    Folder(PathBuf),
}

#[derive(Clone, Debug)]
pub struct MailConfig {
    pub transport: MailTransport,
    /// The `From` of every mail.
    pub from: String,
}

enum Sender {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(AsyncFileTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Mailer {
    db: DatabaseConnection,
    ctx: AlertContext,
    from: Mailbox,
    sender: std::sync::Arc<Sender>,
    /// The `.eml` folder, when mail goes there.
    folder: Option<PathBuf>,
}

/// Sent mail is kept this long, as rows and as `.eml` files (the outbox's own retention).
pub const KEEP_SENT: Duration = Duration::from_secs(outbox::KEEP_SECS.unsigned_abs());

/// Deletes the `.eml` files in `dir` last written more than `keep` before `now`; other files
/// are left alone. Returns how many were deleted.
pub fn prune_mail_folder(dir: &std::path::Path, now: std::time::SystemTime, keep: Duration) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("eml") || !entry.file_type()?.is_file() {
            continue;
        }
        let modified = entry.metadata()?.modified()?;
        if now.duration_since(modified).is_ok_and(|age| age > keep) {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub queued: usize,
    pub sent: usize,
    pub failed: usize,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Mailer {
    pub fn new(db: DatabaseConnection, ctx: AlertContext, config: &MailConfig) -> Result<Self, String> {
        let from: Mailbox =
            config.from.parse().map_err(|e| format!("SIGNPOST_MAIL_FROM \"{}\" is not a mailbox: {e}", config.from))?;
        let sender = match &config.transport {
            MailTransport::Smtp(url) => Sender::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("SIGNPOST_SMTP_URL is not an SMTP URL: {e}"))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            ),
            MailTransport::Folder(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create the mail folder {}: {e}", dir.display()))?;
                Sender::Folder(AsyncFileTransport::<Tokio1Executor>::new(dir))
            }
        };
        let folder = match &config.transport {
            MailTransport::Folder(dir) => Some(dir.clone()),
            MailTransport::Smtp(_) => None,
        };
        Ok(Mailer { db, ctx, from, sender: std::sync::Arc::new(sender), folder })
    }

    fn message(&self, mail: &mail_outbox::Model) -> Result<Message, String> {
        let to: Mailbox = mail.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let host = url::Url::parse(&self.ctx.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "signpost.invalid".into());
        // A stable Message-ID: if a crash makes us send a mail twice, mail programs see one.
        let mut builder: MessageBuilder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<outbox-{}-{}@{host}>", mail.id, mail.created_at)))
            .header(ContentType::TEXT_PLAIN);
        if let Some(url) = &mail.unsubscribe_url {
            builder = builder
                .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        builder.body(mail.body.clone()).map_err(|e| format!("cannot build the mail: {e}"))
    }

    /// Sends one mail: `Err((reason, permanent))` when it was not accepted.
    async fn send(&self, mail: &mail_outbox::Model) -> Result<(), (String, bool)> {
        let message = self.message(mail).map_err(|e| (e, true))?;
        match self.sender.as_ref() {
            Sender::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| (e.to_string(), e.is_permanent())),
            Sender::Folder(t) => t.send(message).await.map(|_| ()).map_err(|e| (e.to_string(), false)),
        }
    }

    /// Fans out pending events, then sends every mail that is due.
    pub async fn run_once(&self) -> Result<Delivery, DbErr> {
        self.run_once_until(&Shutdown::never()).await
    }

    /// `run_once`, until `stop`: the mail being sent is finished and recorded, the rest of the
    /// claimed batch is given back.
    pub async fn run_once_until(&self, stop: &Shutdown) -> Result<Delivery, DbErr> {
        let mut done =
            Delivery { queued: subscriptions::fan_out(&self.db, &self.ctx, now()).await?, ..Delivery::default() };
        loop {
            let batch = outbox::claim_due(&self.db, now(), 50).await?;
            if batch.is_empty() {
                return Ok(done);
            }
            for (k, mail) in batch.iter().enumerate() {
                if stop.is_set() {
                    let left: Vec<i64> = batch[k..].iter().map(|m| m.id).collect();
                    outbox::release(&self.db, &left).await?;
                    return Ok(done);
                }
                match self.send(mail).await {
                    Ok(()) => {
                        outbox::mark_sent(&self.db, mail.id, now()).await?;
                        metrics::counter!("signpost_mails_total", "result" => "sent").increment(1);
                        done.sent += 1;
                    }
                    Err((why, permanent)) => {
                        tracing::warn!(mail = mail.id, permanent, "mail not sent: {why}");
                        outbox::mark_failed(&self.db, mail, now(), &why, permanent).await?;
                        let result = if permanent { "refused" } else { "failed" };
                        metrics::counter!("signpost_mails_total", "result" => result).increment(1);
                        done.failed += 1;
                    }
                }
            }
        }
    }

    /// Every few seconds until `stop`.
    pub async fn run(self, stop: Shutdown) {
        let mut last_prune = 0;
        loop {
            if now() - last_prune > 3600 {
                last_prune = now();
                if let Err(e) = subscriptions::prune_unconfirmed(&self.db, now()).await {
                    tracing::warn!("pruning unconfirmed subscriptions failed: {e}");
                }
                if let Err(e) = outbox::prune(&self.db, now()).await {
                    tracing::warn!("pruning the mail outbox failed: {e}");
                }
                if let Some(dir) = &self.folder {
                    match prune_mail_folder(dir, std::time::SystemTime::now(), KEEP_SENT) {
                        Ok(n) if n > 0 => tracing::info!(removed = n, "old .eml files pruned"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!("pruning the mail folder failed: {e}"),
                    }
                }
            }
            match self.run_once_until(&stop).await {
                Ok(d) if d.sent + d.failed > 0 => tracing::info!(sent = d.sent, failed = d.failed, "mail round done"),
                Ok(_) => {}
                Err(e) => tracing::warn!("mail round failed: {e}"),
            }
            if !stop.sleep(Duration::from_secs(5)).await {
                return;
            }
        }
    }
}
