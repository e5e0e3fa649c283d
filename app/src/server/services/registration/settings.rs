//! A payer organization's registration settings: the US time zone its business days are
//! counted in (taken by each request when it is made), the factual notice it shows members about
//! apps that have not attested (the same for every such app: one text per payer), and denial
//! grounds of its own, added to the security and technical list.
use super::calendar::UsZone;
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{organization, payer_setting};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::types::accounts::FormErrors;
use crate::types::registration::{DENIAL_REASONS, PayerSettingsPage};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set, TransactionSession, TransactionTrait};

/// Grounds a payer may add.
pub const MAX_REASONS: usize = 20;
const MAX_REASON: usize = 200;
const MAX_NOTICE: usize = 1000;

/// The settings in force (the defaults when none are stored).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PayerSettings {
    pub zone: UsZone,
    pub notice: Option<String>,
    /// (code, label); codes start with `payer-`.
    pub reasons: Vec<(String, String)>,
}

pub async fn of(db: &impl ConnectionTrait, org: i32) -> Result<PayerSettings, AppError> {
    Ok(match payer_setting::Entity::find_by_id(org).one(db).await? {
        None => PayerSettings::default(),
        Some(row) => PayerSettings {
            zone: UsZone::parse(&row.time_zone).unwrap_or_default(),
            notice: row.unattested_notice,
            reasons: serde_json::from_str(&row.denial_reasons).unwrap_or_default(),
        },
    })
}

/// Every ground a request to this payer may be denied on: the list, then the payer's own.
pub fn all_reasons(settings: &PayerSettings) -> Vec<(String, String)> {
    DENIAL_REASONS.iter().map(|(c, l)| (c.to_string(), l.to_string())).chain(settings.reasons.iter().cloned()).collect()
}

/// A ground's code from its label: `payer-` and the label's letters and digits, dashed.
fn code_of(label: &str) -> String {
    let mut code = String::from("payer-");
    let mut dash = false;
    for c in label.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            code.push(c);
            dash = false;
        } else if !dash && code.len() > 6 {
            code.push('-');
            dash = true;
        }
        if code.len() >= 46 {
            break;
        }
    }
    code.trim_end_matches('-').to_string()
}

async fn payer_org(db: &impl ConnectionTrait, actor: &Actor, org: i32) -> Result<(), AppError> {
    let o = organization::Entity::find_by_id(org)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no organization {org}")))?;
    policy::payer_settings(actor, org, o.kind)
}

/// The settings form's page.
pub async fn page(db: &impl ConnectionTrait, actor: &Actor, org: i32) -> Result<PayerSettingsPage, AppError> {
    payer_org(db, actor, org).await?;
    let s = of(db, org).await?;
    Ok(PayerSettingsPage {
        organization_id: org,
        time_zone: s.zone.name().to_string(),
        zones: UsZone::ALL.iter().map(|z| z.name().to_string()).collect(),
        notice: s.notice.unwrap_or_default(),
        reasons: s.reasons.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>().join("\n"),
    })
}

/// Saves the form (`time_zone`, `notice`, `reasons` one a line); `Err(FormErrors)` inside `Ok`
/// names each bad field and stores nothing.
pub async fn save<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org: i32,
    time_zone: &str,
    notice: &str,
    reasons: &str,
    now: i64,
) -> Result<Result<(), FormErrors>, AppError> {
    payer_org(db, actor, org).await?;
    let mut errors = FormErrors::default();
    let zone = UsZone::parse(time_zone);
    if zone.is_none() {
        errors.fields.push(("time_zone".into(), "choose one of the US time zones listed".into()));
    }
    let notice = match crate::types::app_metadata::plain(notice, MAX_NOTICE) {
        Ok(n) => Some(n).filter(|n| !n.is_empty()),
        Err(e) => {
            errors.fields.push(("notice".into(), e));
            None
        }
    };
    let mut list: Vec<(String, String)> = Vec::new();
    for line in reasons.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if list.len() == MAX_REASONS {
            errors.fields.push(("reasons".into(), format!("at most {MAX_REASONS} grounds")));
            break;
        }
        match crate::types::app_metadata::plain(line, MAX_REASON) {
            Ok(label) if label.to_lowercase().contains("attest") => {
                errors.fields.push((
                    "reasons".into(),
                    "an app's attestation is not a ground for denying access (CMS-9115-F)".into(),
                ));
                break;
            }
            Ok(label) => {
                let code = code_of(&label);
                if code.len() > 6 && !list.iter().any(|(c, _)| *c == code) {
                    list.push((code, label));
                }
            }
            Err(e) => {
                errors.fields.push(("reasons".into(), e));
                break;
            }
        }
    }
    if !errors.fields.is_empty() {
        return Ok(Err(errors));
    }
    let zone = zone.unwrap_or_default();
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let before = of(&txn, org).await?;
    let reasons_json = serde_json::to_string(&list).map_err(|e| AppError::Internal(e.to_string()))?;
    payer_setting::Entity::insert(payer_setting::ActiveModel {
        organization_id: Set(org),
        time_zone: Set(zone.name().to_string()),
        unattested_notice: Set(notice.clone()),
        denial_reasons: Set(reasons_json),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(payer_setting::Column::OrganizationId)
            .update_columns([
                payer_setting::Column::TimeZone,
                payer_setting::Column::UnattestedNotice,
                payer_setting::Column::DenialReasons,
                payer_setting::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        AuditAction::PayerRegistrationSettings,
        Target::new("organization", org),
        Some(serde_json::json!({"time_zone": before.zone.name(), "notice": before.notice, "reasons": before.reasons})),
        Some(serde_json::json!({"time_zone": zone.name(), "notice": notice, "reasons": list})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::code_of;

    #[test]
    fn codes_come_from_labels() {
        assert_eq!(code_of("Needs a BAA first!"), "payer-needs-a-baa-first");
        assert_eq!(code_of("  --  "), "payer", "no letters: no code, and the line is left out");
        assert!(code_of(&"x".repeat(300)).len() <= 46);
    }
}
