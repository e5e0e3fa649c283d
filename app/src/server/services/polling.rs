//! The poller's schedule in the database: which endpoints are due, leases so that several
//! instances never check one endpoint at once (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite has a
//! single writer), and recording a result with the status transition it causes.
use super::sql::statement;
use crate::server::alerts::events::{Before, detect};
use crate::server::check::Checked;
use crate::server::entities::{alert_event, endpoint, endpoint_check, endpoint_health, endpoint_snapshot};
use crate::types::check::{CheckReport, Health, Verdict};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, NotSet,
    QueryFilter, QuerySelect, Set, TransactionTrait, Value,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct PollSettings {
    pub interval_secs: i64,
    pub down_after: i32,
    /// How long a claimed check may take before others may take it over. Generous: on a first
    /// poll, checks of a host with a thousand endpoints queue for their one-a-second turns.
    pub lease_secs: i64,
    pub retention_days: i64,
}

impl Default for PollSettings {
    fn default() -> Self {
        PollSettings { interval_secs: 6 * 3600, down_after: 3, lease_secs: 3600, retention_days: 90 }
    }
}

/// Gives every pollable endpoint without a schedule one, spread evenly over the interval (by
/// id, so a restart or a second instance computes the same spread). Returns how many. Two
/// instances doing this at once both succeed (`ON CONFLICT DO NOTHING`).
pub async fn schedule_new(db: &DatabaseConnection, now: i64, settings: &PollSettings) -> Result<u64, DbErr> {
    let sql = "INSERT INTO endpoint_health (endpoint_id, health, consecutive_failures, next_check_at, carin_conformant, supports_eob) \
         SELECT e.id, 'unknown', 0, $1 + (e.id * 7919) % $2, false, false FROM endpoint e \
         WHERE e.connection_type = 'hl7-fhir-rest' AND (e.address LIKE 'https://%' OR e.address LIKE 'http://%') \
         AND NOT EXISTS (SELECT 1 FROM endpoint_health h WHERE h.endpoint_id = e.id) \
         ON CONFLICT (endpoint_id) DO NOTHING";
    let r = db.execute_raw(statement(db, sql, vec![now.into(), settings.interval_secs.max(1).into()])).await?;
    Ok(r.rows_affected())
}

/// What to claim: everything due, everything not checked since a time (a full poll), or one
/// endpoint.
#[derive(Clone, Copy, Debug)]
pub enum Claim {
    Due,
    NotCheckedSince(i64),
    One(i32),
}

/// Leases up to `limit` endpoints to `owner` and returns their ids and addresses. A lease that
/// has run out (its holder died) can be taken by anyone.
pub async fn claim(
    db: &DatabaseConnection,
    owner: &str,
    now: i64,
    limit: u64,
    which: Claim,
    settings: &PollSettings,
) -> Result<Vec<(i32, String)>, DbErr> {
    let lock = if db.get_database_backend() == DbBackend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let (cutoff, only_sql, extra) = match which {
        Claim::Due => (now, "", None),
        Claim::NotCheckedSince(t) => (i64::MAX, " AND (last_checked_at IS NULL OR last_checked_at < $6)", Some(t)),
        Claim::One(id) => (i64::MAX, " AND endpoint_id = $6", Some(id as i64)),
    };
    let sql = format!(
        "UPDATE endpoint_health SET lease_owner = $1, lease_until = $2 WHERE endpoint_id IN (\
         SELECT endpoint_id FROM endpoint_health WHERE next_check_at <= $3 \
         AND (lease_until IS NULL OR lease_until < $4){only_sql} ORDER BY next_check_at LIMIT $5{lock}) \
         RETURNING endpoint_id"
    );
    let mut values: Vec<Value> =
        vec![owner.into(), (now + settings.lease_secs).into(), cutoff.into(), now.into(), (limit as i64).into()];
    if let Some(v) = extra {
        values.push(v.into());
    }
    let rows = db.query_all_raw(statement(db, &sql, values)).await?;
    let ids: Vec<i32> = rows.iter().filter_map(|r| r.try_get::<i32>("", "endpoint_id").ok()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut claimed: Vec<(i32, String)> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(i32, String)> = endpoint::Entity::find()
            .select_only()
            .columns([endpoint::Column::Id, endpoint::Column::Address])
            .filter(endpoint::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        claimed.extend(rows);
    }
    Ok(claimed)
}

/// Gives back a lease without a result (a check that could not run), due again now.
pub async fn release(db: &DatabaseConnection, owner: &str, endpoint_id: i32) -> Result<(), DbErr> {
    endpoint_health::Entity::update_many()
        .col_expr(endpoint_health::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(endpoint_health::Column::LeaseUntil, Expr::value(Option::<i64>::None))
        .filter(endpoint_health::Column::EndpointId.eq(endpoint_id))
        .filter(endpoint_health::Column::LeaseOwner.eq(owner))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives back every lease `owner` holds (a poller stopping), so other instances check those
/// endpoints at once instead of after the lease runs out. Returns how many.
pub async fn release_all(db: &DatabaseConnection, owner: &str) -> Result<u64, DbErr> {
    let r = endpoint_health::Entity::update_many()
        .col_expr(endpoint_health::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(endpoint_health::Column::LeaseUntil, Expr::value(Option::<i64>::None))
        .filter(endpoint_health::Column::LeaseOwner.eq(owner))
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}

/// A change of status worth telling subscribers about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub endpoint_id: i32,
    pub from: Health,
    pub to: Health,
}

/// A digest of what a report found, leaving out what changes on every check (time, latency),
/// so identical results are stored once.
pub fn signature(report: &CheckReport) -> String {
    let mut r = report.clone();
    r.checked_at.clear();
    for http in [r.metadata.http.as_mut(), r.smart.http.as_mut()].into_iter().flatten() {
        http.latency_ms = 0;
    }
    if let Some(Ok(tls)) = r.tls.as_mut() {
        tls.days_left = None;
    }
    // Timeouts and retries can word the same failure with different numbers; the kinds and the
    // facts are what matter.
    let text = serde_json::to_string(&r).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Largest raw document stored per endpoint (each of CapabilityStatement and smart-configuration).
pub const MAX_STORED_RAW_BYTES: usize = 1024 * 1024;

fn keep_raw(raw: &Option<String>) -> Option<String> {
    raw.as_ref().filter(|r| r.len() <= MAX_STORED_RAW_BYTES).cloned()
}

/// The status after this check: failures count up to `down_after` before the endpoint is down,
/// also for one never seen up (it stays unknown until then: one failed first check is as likely
/// a blip as an outage).
pub fn next_health(previous: Health, failures_before: i32, found: Health, down_after: i32) -> (Health, i32) {
    match found {
        Health::Down => {
            let failures = failures_before + 1;
            let health = if failures >= down_after || previous == Health::Down { Health::Down } else { previous };
            (health, failures)
        }
        other => (other, 0),
    }
}

/// One finished check, ready to store.
#[derive(Clone, Debug)]
pub struct CheckResult {
    pub endpoint_id: i32,
    pub checked: Checked,
    pub now: i64,
    pub next_due: i64,
}

/// Stores a result for an endpoint leased by `owner`: the history row, a snapshot when the
/// result changed, the alert events it causes (same transaction: an outbox a crash cannot lose),
/// the new status, and the next due time. Returns `None` when the lease was lost
/// (another instance took over after it expired), so nothing is stored twice.
pub async fn record(
    db: &DatabaseConnection,
    owner: &str,
    endpoint_id: i32,
    checked: &Checked,
    now: i64,
    next_due: i64,
    settings: &PollSettings,
) -> Result<Option<Transition>, DbErr> {
    let one = [CheckResult { endpoint_id, checked: checked.clone(), now, next_due }];
    Ok(record_many(db, owner, &one, settings).await?.pop().flatten())
}

/// Stores many results in one transaction (one commit, one fsync), each exactly as `record`
/// would. A crash before the commit loses none of them for good: their leases expire and the
/// endpoints are checked again.
pub async fn record_many(
    db: &DatabaseConnection,
    owner: &str,
    results: &[CheckResult],
    settings: &PollSettings,
) -> Result<Vec<Option<Transition>>, DbErr> {
    // Read outside the transaction and make its first statement a write: on SQLite a read
    // that later upgrades to a write can fail at once when another writer holds the lock.
    let ids: Vec<i32> = results.iter().map(|r| r.endpoint_id).collect();
    let mut rows: HashMap<i32, endpoint_health::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        let found = endpoint_health::Entity::find()
            .filter(endpoint_health::Column::EndpointId.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        rows.extend(found.into_iter().map(|r| (r.endpoint_id, r)));
    }
    let txn = db.begin().await?;
    let mut out = Vec::with_capacity(results.len());
    for result in results {
        let row = match rows.get(&result.endpoint_id) {
            Some(row) if row.lease_owner.as_deref() == Some(owner) => row,
            _ => {
                out.push(None);
                continue;
            }
        };
        out.push(store_one(&txn, owner, row, result, settings).await?);
    }
    txn.commit().await?;
    Ok(out)
}

async fn store_one<C: ConnectionTrait>(
    txn: &C,
    owner: &str,
    row: &endpoint_health::Model,
    result: &CheckResult,
    settings: &PollSettings,
) -> Result<Option<Transition>, DbErr> {
    let (endpoint_id, checked, now) = (result.endpoint_id, &result.checked, result.now);
    let report = &checked.report;
    let previous = Health::parse(&row.health);
    let (health, failures) = next_health(previous, row.consecutive_failures, report.health, settings.down_after);
    let sig = signature(report);
    let changed = row.signature.as_deref() != Some(sig.as_str());
    let report_json = serde_json::to_string(report).unwrap_or_default();
    let carin = !report.scorecard.is_empty() && report.scorecard.iter().all(|i| i.verdict == Verdict::Pass);
    let eob =
        report.metadata.facts.as_ref().is_some_and(|m| m.resource_types.iter().any(|t| t == "ExplanationOfBenefit"));
    let cert_days = match &report.tls {
        Some(Ok(t)) => t.days_left.map(|d| d.clamp(i32::MIN as i64, i32::MAX as i64) as i32),
        _ => None,
    };
    let mut am: endpoint_health::ActiveModel = row.clone().into();
    am.health = Set(health.as_str().into());
    am.consecutive_failures = Set(failures);
    am.next_check_at = Set(result.next_due);
    am.lease_owner = Set(None);
    am.lease_until = Set(None);
    am.last_checked_at = Set(Some(now));
    if health != previous {
        am.last_change_at = Set(Some(now));
    }
    am.signature = Set(Some(sig));
    am.report = Set(Some(report_json.clone()));
    // The documents as fetched are kept for the endpoint's page, up to a size: a larger one is
    // still read and judged, but one endpoint owner must not be able to fill the disk.
    if checked.raw_metadata.is_some() {
        am.raw_metadata = Set(keep_raw(&checked.raw_metadata));
    }
    if checked.raw_smart.is_some() {
        am.raw_smart = Set(keep_raw(&checked.raw_smart));
    }
    am.cert_days_left = Set(cert_days);
    am.carin_conformant = Set(carin);
    am.supports_eob = Set(eob);
    // Alerts: compared with the stored report only when the result changed.
    let previous_report: Option<CheckReport> =
        if changed { row.report.as_deref().and_then(|r| serde_json::from_str(r).ok()) } else { None };
    let before = Before { health: previous, cert_alert_stage: row.cert_alert_stage, report: previous_report.as_ref() };
    let (alerts, cert_stage) = detect(&before, health, report);
    am.cert_alert_stage = Set(cert_stage);
    // Stored only while this instance still holds the lease.
    let updated = endpoint_health::Entity::update_many()
        .set(am)
        .filter(endpoint_health::Column::EndpointId.eq(endpoint_id))
        .filter(endpoint_health::Column::LeaseOwner.eq(owner))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(None);
    }
    let failure = report.metadata.failure.as_ref();
    endpoint_check::ActiveModel {
        id: NotSet,
        endpoint_id: Set(endpoint_id),
        checked_at: Set(now),
        health: Set(report.health.as_str().into()),
        latency_ms: Set(report.metadata.http.as_ref().map(|h| h.latency_ms.min(i32::MAX as u32) as i32)),
        failure_kind: Set(failure.map(|f| {
            serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
        })),
        reason: Set(if report.problems.is_empty() { None } else { Some(report.problems.join("; ")) }),
    }
    .insert(txn)
    .await?;
    for alert in alerts {
        alert_event::ActiveModel {
            id: NotSet,
            endpoint_id: Set(endpoint_id),
            kind: Set(alert.kind.to_string()),
            detail: Set(alert.detail),
            created_at: Set(now),
            fanned_out: Set(false),
        }
        .insert(txn)
        .await?;
    }
    // A brand bundle the endpoint publishes is recorded as discovered: an operator decides
    // whether it is imported (one endpoint owner must not add brands to the directory alone).
    let bundle: Option<String> = report
        .smart
        .facts
        .as_ref()
        .and_then(|f| f.user_access_brand_bundle.clone())
        .filter(|b| changed && b.starts_with("https://"));
    if let Some(bundle) = bundle {
        super::feeds::discovered(txn, &bundle, now).await?;
    }
    if changed {
        endpoint_snapshot::ActiveModel {
            id: NotSet,
            endpoint_id: Set(endpoint_id),
            checked_at: Set(now),
            report: Set(report_json),
        }
        .insert(txn)
        .await?;
    }
    Ok(Some(Transition { endpoint_id, from: previous, to: health }))
}

/// Deletes history older than the retention period; snapshots are kept while they are the
/// newest for their endpoint.
pub async fn prune(db: &DatabaseConnection, now: i64, settings: &PollSettings) -> Result<u64, DbErr> {
    let cutoff = now - settings.retention_days * 86_400;
    let checks =
        endpoint_check::Entity::delete_many().filter(endpoint_check::Column::CheckedAt.lt(cutoff)).exec(db).await?;
    let sql = "DELETE FROM endpoint_snapshot WHERE checked_at < $1 AND id NOT IN \
               (SELECT MAX(id) FROM endpoint_snapshot GROUP BY endpoint_id)";
    let snaps = db.execute_raw(statement(db, sql, vec![cutoff.into()])).await?;
    Ok(checks.rows_affected + snaps.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_is_down_only_after_the_threshold() {
        use Health::*;
        assert_eq!(next_health(Up, 0, Down, 3), (Up, 1));
        assert_eq!(next_health(Up, 1, Down, 3), (Up, 2));
        assert_eq!(next_health(Up, 2, Down, 3), (Down, 3));
        assert_eq!(next_health(Down, 3, Down, 3), (Down, 4));
        assert_eq!(next_health(Down, 4, Up, 3), (Up, 0));
        assert_eq!(next_health(Unknown, 0, Down, 3), (Unknown, 1));
        assert_eq!(next_health(Unknown, 1, Down, 3), (Unknown, 2));
        assert_eq!(next_health(Unknown, 2, Down, 3), (Down, 3));
        assert_eq!(next_health(Degraded, 0, Down, 3), (Degraded, 1));
    }

    #[test]
    fn raw_documents_are_kept_up_to_their_cap() {
        assert_eq!(keep_raw(&Some("{}".into())).as_deref(), Some("{}"));
        assert_eq!(keep_raw(&Some("x".repeat(MAX_STORED_RAW_BYTES + 1))), None);
        assert_eq!(keep_raw(&None), None);
    }
}
