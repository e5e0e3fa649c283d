//! A payer organization's published versions. After each publish (an uploaded bundle, a
//! maintainer's edit applied at once, a rollback) the brands it maintains are written as one
//! SMART brands bundle, kept with each brand's draft: the newest is served at
//! `/publishers/{slug}/brands.json`, and a rollback applies an older version's drafts again.
use super::claims::{maintained_brands_for_change, org_of};
use crate::error::AppError;
use crate::server::entities::{brand, brand_endpoint, endpoint, portal, publication};
use crate::server::policy::{self, Actor};
use crate::server::services::moderation::apply::apply_to_brand;
use crate::server::services::moderation::drafts::{self, draft_of};
use crate::server::services::moderation::history::ChangeMeta;
use crate::server::services::resources::{endpoint_resource, organization};
use crate::server::services::sql::begin_writing;
use crate::types::proposals::{BrandDraft, ChangeOrigin};
use crate::types::publishing::VersionInfo;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession,
    TransactionTrait,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// Versions listed on the organization's page.
const LISTED: u64 = 50;

/// `42-good-payer`: the organization's id, then its name's words (the id alone is enough to find
/// it, so a renamed organization keeps working URLs).
pub fn slug(org_id: i32, name: &str) -> String {
    let words: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .take(8)
        .collect::<Vec<_>>()
        .join("-");
    if words.is_empty() { org_id.to_string() } else { format!("{org_id}-{words}") }
}

/// The organization id a slug names.
pub fn org_of_slug(slug: &str) -> Option<i32> {
    slug.split('-').next()?.parse().ok().filter(|n: &i32| *n > 0)
}

/// The brands as a SMART brands bundle, with the endpoints they list that Signpost publishes.
pub async fn bundle_of(
    db: &impl ConnectionTrait,
    base_url: &str,
    brand_ids: &[i32],
    stamp: &str,
) -> Result<Value, AppError> {
    let brands = brand::Entity::find()
        .filter(brand::Column::Id.is_in(brand_ids.to_vec()))
        .order_by_asc(brand::Column::Id)
        .all(db)
        .await?;
    let links = brand_endpoint::Entity::find()
        .filter(brand_endpoint::Column::BrandId.is_in(brand_ids.to_vec()))
        .order_by_asc(brand_endpoint::Column::Position)
        .all(db)
        .await?;
    let endpoints: HashMap<i32, endpoint::Model> = endpoint::Entity::find()
        .filter(endpoint::Column::Id.is_in(links.iter().map(|l| l.endpoint_id).collect::<Vec<_>>()))
        .filter(endpoint::Column::Address.like("https://%"))
        .filter(endpoint::Column::ConnectionType.eq("hl7-fhir-rest"))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let portals = portal::Entity::find()
        .filter(portal::Column::BrandId.is_in(brand_ids.to_vec()))
        .order_by_asc(portal::Column::Position)
        .all(db)
        .await?;
    let parents: HashMap<(i32, String), i32> = brand::Entity::find()
        .select_only()
        .columns([brand::Column::SourceId, brand::Column::ResourceId, brand::Column::Id])
        .filter(brand::Column::ResourceId.is_in(brands.iter().filter_map(|b| b.part_of.clone()).collect::<Vec<_>>()))
        .into_tuple::<(i32, String, i32)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(s, r, id)| ((s, r), id))
        .collect();
    let mut entries = Vec::new();
    let mut listed: Vec<i32> = Vec::new();
    for b in &brands {
        let own: Vec<&brand_endpoint::Model> =
            links.iter().filter(|l| l.brand_id == b.id && endpoints.contains_key(&l.endpoint_id)).collect();
        listed.extend(own.iter().map(|l| l.endpoint_id));
        let own_portals: Vec<&portal::Model> = portals.iter().filter(|p| p.brand_id == b.id).collect();
        let parent = b.part_of.as_ref().and_then(|p| parents.get(&(b.source_id, p.clone()))).copied();
        entries.push(json!({"fullUrl": format!("{base_url}/fhir/Organization/b{}", b.id),
            "resource": organization(b, parent, &own, &own_portals)}));
    }
    listed.sort_unstable();
    listed.dedup();
    for id in listed {
        if let Some(e) = endpoints.get(&id) {
            entries.push(
                json!({"fullUrl": format!("{base_url}/fhir/Endpoint/e{}", e.id), "resource": endpoint_resource(e)}),
            );
        }
    }
    Ok(
        json!({"resourceType": "Bundle", "type": "collection", "timestamp": stamp, "meta": {"lastUpdated": stamp}, "entry": entries}),
    )
}

/// Writes the next version: the organization's maintained brands as they are now.
pub async fn record(
    db: &impl ConnectionTrait,
    org_id: i32,
    base_url: &str,
    kind: &str,
    note: &str,
    by: Option<i32>,
    now: i64,
) -> Result<i32, AppError> {
    // The organization's row, locked: two publishes at once number their versions one after the other.
    crate::server::entities::organization::Entity::find_by_id(org_id).lock_exclusive().one(db).await?;
    let brands = maintained_brands_for_change(db, &[org_id]).await?;
    let stamp =
        chrono::DateTime::from_timestamp(now, 0).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let bundle = bundle_of(db, base_url, &brands, &stamp).await?.to_string();
    let snapshot: BTreeMap<i32, BrandDraft> =
        drafts::load_many(db, &brands).await?.iter().map(|(id, l)| (*id, draft_of(l))).collect();
    let last: Option<i32> = publication::Entity::find()
        .select_only()
        .column(publication::Column::Version)
        .filter(publication::Column::OrganizationId.eq(org_id))
        .order_by_desc(publication::Column::Version)
        .into_tuple()
        .one(db)
        .await?;
    let version = last.unwrap_or(0) + 1;
    publication::Entity::insert(publication::ActiveModel {
        organization_id: Set(org_id),
        version: Set(version),
        kind: Set(kind.to_string()),
        content_hash: Set(hex::encode(Sha256::digest(bundle.as_bytes()))),
        bundle: Set(bundle),
        drafts: Set(serde_json::to_string(&snapshot).unwrap_or_else(|_| "{}".into())),
        brand_count: Set(brands.len() as i32),
        published_at: Set(now),
        published_by: Set(by),
        note: Set(note.chars().take(500).collect()),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(version)
}

/// The newest version (what the publisher URL serves).
pub async fn latest(db: &impl ConnectionTrait, org_id: i32) -> Result<Option<publication::Model>, AppError> {
    Ok(publication::Entity::find()
        .filter(publication::Column::OrganizationId.eq(org_id))
        .order_by_desc(publication::Column::Version)
        .one(db)
        .await?)
}

/// The organization's versions, newest first, for its members and admins.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor, org_id: i32) -> Result<Vec<VersionInfo>, AppError> {
    policy::view_organization(actor, org_id)?;
    let rows: Vec<(i32, String, i32, i64, String)> = publication::Entity::find()
        .select_only()
        .columns([
            publication::Column::Version,
            publication::Column::Kind,
            publication::Column::BrandCount,
            publication::Column::PublishedAt,
            publication::Column::Note,
        ])
        .filter(publication::Column::OrganizationId.eq(org_id))
        .order_by_desc(publication::Column::Version)
        .limit(LISTED)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(version, kind, brand_count, published_at, note)| VersionInfo {
            version,
            kind,
            brand_count,
            published_at,
            note,
        })
        .collect())
}

/// Puts the organization's brands back as they were in `version` (those it still maintains),
/// in one transaction, and publishes that as the next version.
pub async fn rollback<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    version: i32,
    base_url: &str,
    now: i64,
) -> Result<i32, AppError> {
    let org = org_of(db, org_id).await?;
    policy::publish(actor, org_id, org.kind)?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let row = publication::Entity::find()
        .filter(publication::Column::OrganizationId.eq(org_id))
        .filter(publication::Column::Version.eq(version))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no version {version}")))?;
    let snapshot: BTreeMap<i32, BrandDraft> = serde_json::from_str(&row.drafts).unwrap_or_default();
    let maintained = maintained_brands_for_change(&txn, &[org_id]).await?;
    let meta = ChangeMeta {
        origin: ChangeOrigin::Maintainer,
        actor_id: actor.account_id(),
        actor_label: actor.label(),
        proposal_id: None,
        source_id: None,
        reason: format!("{} rolled back to version {version}", org.name),
    };
    let ids: Vec<i32> = snapshot.keys().copied().filter(|id| maintained.contains(id)).collect();
    let mut all_loaded = drafts::load_many(&txn, &ids).await?;
    for (brand_id, draft) in snapshot.iter().filter(|(id, _)| maintained.contains(id)) {
        let Some(loaded) = all_loaded.remove(brand_id) else { continue };
        // Endpoints the version listed that are gone since are left out; the rest must pass
        // today's checks, as any change does.
        let listed: Vec<i32> = loaded.endpoints.iter().map(|e| e.id).collect();
        let mut target = draft.clone();
        target.endpoints.retain(|e| e.id.is_none_or(|id| listed.contains(&id)));
        let checked = drafts::check(&target, &listed);
        if checked.blocked() {
            return Err(AppError::Conflict(format!(
                "version {version} of brand {brand_id} no longer passes the checks; edit it instead"
            )));
        }
        apply_to_brand(&txn, *brand_id, &checked.draft, &meta, now).await?;
    }
    let next =
        record(&txn, org_id, base_url, "rollback", &format!("back to version {version}"), actor.account_id(), now)
            .await?;
    crate::server::services::audit::record(
        &txn,
        actor,
        crate::server::entities::audit_log::AuditAction::PublicationRollback,
        crate::server::services::audit::Target::new("organization", org_id),
        None,
        Some(json!({"to_version": version, "new_version": next})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}
