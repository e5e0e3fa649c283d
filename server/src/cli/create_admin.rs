//! `signpost create-admin EMAIL [--password-stdin]`: the first admin, or another one.
use super::Error;
use crate::config::Config;
use crate::startup::{alert_context, connect};
use app::server::policy::Actor;
use app::server::services::accounts::admin::{CreateAdminOutcome, create_admin as create};
use std::io::BufRead;
use std::process::ExitCode;

pub async fn create_admin(email: &str, password_stdin: bool) -> Result<ExitCode, Error> {
    let config = Config::from_env()?;
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        None
    };
    let db = connect(&config.database_url).await?;
    let now = chrono::Utc::now().timestamp();
    let outcome = match create(&db, &Actor::command_line(), &config.public_url, email, password.as_deref(), now).await {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let what = match outcome {
        CreateAdminOutcome::Created => "created as an admin",
        CreateAdminOutcome::Promoted => "is an admin now (its sessions ended: it logs in again)",
        CreateAdminOutcome::Reenabled => "was a disabled admin and is enabled again",
        CreateAdminOutcome::AlreadyAdmin => "was an admin already",
    };
    println!("{} {what}", email.trim().to_lowercase());
    if password.is_none() && outcome != CreateAdminOutcome::AlreadyAdmin {
        // Deliver the set-password mail now, so the link is in the outbox (or sent) before the
        // command returns, whether or not a server is running.
        let alerts = alert_context(&config, &db).await?;
        let mailer = crate::mailer::Mailer::new(db.clone(), alerts, &config.mail)?;
        let sent = mailer.run_once().await?;
        println!("a link to choose the password was mailed ({} mail delivered)", sent.sent);
    }
    Ok(ExitCode::SUCCESS)
}
