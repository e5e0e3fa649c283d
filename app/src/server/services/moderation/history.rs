//! The history of every applied change to a brand or an endpoint: one `record_change` row per
//! change, with each field's value before and after, who made it and why. A record's earlier
//! state is its current one with the later changes' `before` values put back, which is what a
//! revert applies.
use crate::error::AppError;
use crate::server::entities::{account, record_change, source};
use crate::types::proposals::{ChangeOrigin, FieldDiff, HistoryEntry, display_value, field_label, same};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Who made a change and why.
#[derive(Clone, Debug)]
pub struct ChangeMeta {
    pub origin: ChangeOrigin,
    pub actor_id: Option<i32>,
    /// The account's address, or the source's name.
    pub actor_label: String,
    pub proposal_id: Option<i32>,
    pub source_id: Option<i32>,
    pub reason: String,
}

/// One field of a change, with its values as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    pub before: Value,
    pub after: Value,
}

/// The fields in which `after` differs from `before`.
pub fn changes(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for (path, a) in after {
        let b = before.get(path).unwrap_or(&Value::Null);
        if !same(b, a) {
            out.push(FieldChange { path: path.clone(), before: b.clone(), after: a.clone() });
        }
    }
    for (path, b) in before {
        if !after.contains_key(path) && !same(b, &Value::Null) {
            out.push(FieldChange { path: path.clone(), before: b.clone(), after: Value::Null });
        }
    }
    out
}

pub fn row(
    kind: &str,
    record_id: i32,
    fields: &[FieldChange],
    meta: &ChangeMeta,
    now: i64,
) -> record_change::ActiveModel {
    record_change::ActiveModel {
        record_kind: Set(kind.to_string()),
        record_id: Set(record_id),
        at: Set(now),
        origin: Set(meta.origin),
        source_id: Set(meta.source_id),
        actor_id: Set(meta.actor_id),
        actor_label: Set(meta.actor_label.chars().take(254).collect()),
        proposal_id: Set(meta.proposal_id),
        reason: Set(meta.reason.chars().take(2000).collect()),
        fields: Set(serde_json::to_string(fields).unwrap_or_else(|_| "[]".into())),
        ..Default::default()
    }
}

/// Writes one change (nothing when no field changed).
pub async fn record(
    db: &impl ConnectionTrait,
    kind: &str,
    record_id: i32,
    fields: &[FieldChange],
    meta: &ChangeMeta,
    now: i64,
) -> Result<(), AppError> {
    if fields.is_empty() {
        return Ok(());
    }
    record_change::Entity::insert(row(kind, record_id, fields, meta, now)).exec_without_returning(db).await?;
    Ok(())
}

pub fn parse_fields(text: &str) -> Vec<FieldChange> {
    serde_json::from_str(text).unwrap_or_default()
}

/// A brand's changes and those of the endpoints it lists, newest first; an endpoint's fields
/// read as the brand's (`endpoint/{id}/{field}`), so a revert sets them back the same way.
pub async fn of_brand(db: &impl ConnectionTrait, brand_id: i32) -> Result<Vec<record_change::Model>, AppError> {
    let listed: Vec<i32> = crate::server::services::moderation::apply::brands_listing_of(db, brand_id).await?;
    let mut rows = record_change::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(record_change::Column::RecordKind.eq("brand"))
                        .add(record_change::Column::RecordId.eq(brand_id)),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(record_change::Column::RecordKind.eq("endpoint"))
                        .add(record_change::Column::RecordId.is_in(listed)),
                ),
        )
        .order_by_desc(record_change::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    for r in rows.iter_mut().filter(|r| r.record_kind == "endpoint") {
        let fields: Vec<FieldChange> = parse_fields(&r.fields)
            .into_iter()
            .map(|f| FieldChange { path: format!("endpoint/{}/{}", r.record_id, f.path), ..f })
            .collect();
        r.fields = serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into());
    }
    Ok(rows)
}

/// The changes as the history page shows them. An import names its source. An account is
/// named by its address (the one it has now; a deleted account reads as such) only when
/// `reveal` (a moderator reads it); otherwise as "contributor #id", since the page is public.
pub async fn entries(
    db: &impl ConnectionTrait,
    rows: &[record_change::Model],
    reveal: bool,
) -> Result<Vec<HistoryEntry>, AppError> {
    let accounts: Vec<i32> = rows.iter().filter_map(|r| r.actor_id).collect();
    let sources: Vec<i32> = rows.iter().filter_map(|r| r.source_id).collect();
    let emails: BTreeMap<i32, String> = if accounts.is_empty() {
        BTreeMap::new()
    } else {
        account::Entity::find()
            .filter(account::Column::Id.is_in(accounts))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.email))
            .collect()
    };
    let names: BTreeMap<i32, String> = if sources.is_empty() {
        BTreeMap::new()
    } else {
        source::Entity::find()
            .filter(source::Column::Id.is_in(sources))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.public_name()))
            .collect()
    };
    Ok(rows
        .iter()
        .map(|r| {
            let by = match (r.origin, r.actor_id, r.source_id) {
                (ChangeOrigin::Import, _, Some(s)) => names.get(&s).cloned().unwrap_or_else(|| r.actor_label.clone()),
                (_, Some(a), _) if reveal => emails.get(&a).cloned().unwrap_or_else(|| format!("deleted account #{a}")),
                (ChangeOrigin::Revert, _, _) => "a moderator".into(),
                (_, Some(a), _) => format!("contributor #{a}"),
                _ if reveal => r.actor_label.clone(),
                _ => "the community".into(),
            };
            HistoryEntry {
                id: r.id,
                at: r.at,
                origin: r.origin,
                by,
                proposal_id: r.proposal_id,
                reason: r.reason.clone(),
                fields: parse_fields(&r.fields)
                    .into_iter()
                    .map(|f| FieldDiff {
                        label: field_label(&f.path),
                        before: display_value(&f.before),
                        after: display_value(&f.after),
                        path: f.path,
                    })
                    .collect(),
            }
        })
        .collect())
}
