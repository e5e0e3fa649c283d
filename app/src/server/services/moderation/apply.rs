//! Writing a checked draft into the directory, inside the caller's transaction: only the fields
//! that differ from the record as it is now, each one recorded in the history. New brands and
//! new endpoints belong to the "community" source. On a record an import owns, the fields the
//! community changed are remembered (`community_field`, with the import's value), so a re-import
//! does not silently undo them (see `reconcile`).
use super::drafts::{Loaded, draft_of, endpoint_model, load, rows_of};
use super::history::{ChangeMeta, FieldChange, changes, record};
use crate::error::AppError;
use crate::server::entities::{brand, brand_endpoint, community_field, endpoint, endpoint_health, portal, source};
use crate::server::services::brands::bump_directory_version;
use crate::types::proposals::{BrandDraft, PortalDraft};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// The location of the community's own source: brands and endpoints proposed by people.
pub const COMMUNITY: &str = "community:";

/// The community source's id, made on first use.
pub async fn community_source(db: &impl ConnectionTrait, now: i64) -> Result<i32, AppError> {
    if let Some(s) = source::Entity::find().filter(source::Column::Location.eq(COMMUNITY)).one(db).await? {
        return Ok(s.id);
    }
    let at = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
    source::Entity::insert(source::ActiveModel {
        id: NotSet,
        location: Set(COMMUNITY.into()),
        format: Set("community".into()),
        content_hash: Set(String::new()),
        imported_at: Set(at),
        brand_count: Set(0),
        endpoint_count: Set(0),
        name: Set(Some("Community".into())),
    })
    .on_conflict(OnConflict::column(source::Column::Location).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    source::Entity::find()
        .filter(source::Column::Location.eq(COMMUNITY))
        .one(db)
        .await?
        .map(|s| s.id)
        .ok_or_else(|| AppError::Internal("the community source could not be made".into()))
}

/// What applying did: the fields as recorded in the history, and the endpoints it added.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Applied {
    pub brand_id: i32,
    pub fields: Vec<FieldChange>,
    pub new_endpoints: Vec<i32>,
}

/// Adds a brand from a checked draft, in the community source.
pub async fn create_brand(
    db: &impl ConnectionTrait,
    draft: &BrandDraft,
    meta: &ChangeMeta,
    now: i64,
) -> Result<Applied, AppError> {
    let source_id = community_source(db, now).await?;
    let rows = rows_of(draft);
    let at = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
    let mut am: brand::ActiveModel = rows.brand.clone().into();
    am.id = NotSet;
    am.source_id = Set(source_id);
    am.resource_id = Set(format!("c{}", unique_suffix(now)));
    am.updated_at = Set(at);
    am.content_hash = Set(String::new());
    let created = am.insert(db).await?;
    let empty = Loaded { brand: created.clone(), portals: vec![], links: vec![], endpoints: vec![] };
    let start = BrandDraft { active: draft.active, ..Default::default() };
    write(db, &empty, &start, draft, now).await?;
    finish(db, created.id, &BTreeMap::new(), None, meta, now).await
}

/// A resource id part no other community record has: the time and random bits.
fn unique_suffix(now: i64) -> String {
    let token = crate::server::services::accounts::tokens::Token::generate();
    format!("{now:x}{}", &token.hash()[..12])
}

/// Applies `target` over the brand as it is now and records what changed. `Ok` with no fields
/// when nothing differs.
pub async fn apply_to_brand(
    db: &impl ConnectionTrait,
    brand_id: i32,
    target: &BrandDraft,
    meta: &ChangeMeta,
    now: i64,
) -> Result<Applied, AppError> {
    let loaded = load(db, brand_id).await?.ok_or_else(|| AppError::NotFound("there is no such brand".into()))?;
    let current = draft_of(&loaded);
    if changes(&current.fields(), &target.fields()).is_empty() {
        return Ok(Applied { brand_id, ..Default::default() });
    }
    write(db, &loaded, &current, target, now).await?;
    finish(db, brand_id, &current.fields(), Some(&loaded), meta, now).await
}

/// Records what the brand became against `before`, remembers the community's fields on
/// imported records, and bumps the directory version.
async fn finish(
    db: &impl ConnectionTrait,
    brand_id: i32,
    before: &BTreeMap<String, Value>,
    loaded: Option<&Loaded>,
    meta: &ChangeMeta,
    now: i64,
) -> Result<Applied, AppError> {
    let after = load(db, brand_id).await?.ok_or_else(|| AppError::NotFound("there is no such brand".into()))?;
    let fields = changes(before, &draft_of(&after).fields());
    let known: Vec<i32> = loaded.map(|l| l.endpoints.iter().map(|e| e.id).collect()).unwrap_or_default();
    let new_endpoints = after.endpoints.iter().map(|e| e.id).filter(|id| !known.contains(id)).collect();
    if let Some(l) = loaded {
        remember_community(db, l, &fields, meta, now).await?;
    }
    record(db, "brand", brand_id, &fields, meta, now).await?;
    bump_directory_version(db).await?;
    Ok(Applied { brand_id, fields, new_endpoints })
}

/// Writes the differences between `current` (what `loaded` holds) and `target`.
async fn write(
    db: &impl ConnectionTrait,
    loaded: &Loaded,
    current: &BrandDraft,
    target: &BrandDraft,
    now: i64,
) -> Result<(), AppError> {
    let brand_id = loaded.brand.id;
    let rows = rows_of(target);
    let at = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
    let mut am: brand::ActiveModel = loaded.brand.clone().into();
    am.name = Set(rows.brand.name.clone());
    am.aliases = Set(rows.brand.aliases.clone());
    am.identifiers = Set(rows.brand.identifiers.clone());
    am.categories = Set(rows.brand.categories.clone());
    am.website = Set(rows.brand.website.clone());
    am.addresses = Set(rows.brand.addresses.clone());
    am.logo_url = Set(rows.brand.logo_url.clone());
    am.logo_license = Set(rows.brand.logo_license.clone());
    am.active = Set(rows.brand.active);
    am.updated_at = Set(at);
    am.update(db).await?;

    let portal_ids = if current.portals != target.portals {
        write_portals(db, brand_id, &loaded.portals, &target.portals).await?
    } else {
        loaded.portals.iter().map(|p| p.id).collect()
    };
    for e in target.endpoints.iter().filter(|e| e.id.is_some()) {
        let Some(id) = e.id else { continue };
        let Some(old) = loaded.endpoints.iter().find(|x| x.id == id) else { continue };
        let new = endpoint_model(id, e);
        if (&old.address, &old.name, &old.fhir_versions, &old.status, &old.contact_url)
            != (&new.address, &new.name, &new.fhir_versions, &new.status, &new.contact_url)
        {
            let mut em: endpoint::ActiveModel = old.clone().into();
            em.address = Set(new.address);
            em.name = Set(new.name);
            em.fhir_versions = Set(new.fhir_versions);
            em.status = Set(new.status);
            em.contact_url = Set(new.contact_url);
            em.update(db).await?;
        }
        let portal_id = e.portal.and_then(|p| portal_ids.get(p).copied());
        if loaded.links.iter().any(|l| l.endpoint_id == id && l.portal_id != portal_id) {
            brand_endpoint::Entity::update_many()
                .col_expr(brand_endpoint::Column::PortalId, Expr::value(portal_id))
                .filter(brand_endpoint::Column::BrandId.eq(brand_id))
                .filter(brand_endpoint::Column::EndpointId.eq(id))
                .exec(db)
                .await?;
        }
    }
    unlink_missing(db, loaded, target).await?;
    let new: Vec<_> = target.new_endpoints().collect();
    if new.is_empty() {
        return Ok(());
    }
    let source_id = community_source(db, now).await?;
    let mut position = loaded.links.iter().map(|l| l.position + 1).max().unwrap_or(0);
    for e in new {
        let mut em: endpoint::ActiveModel = endpoint_model(0, e).into();
        em.id = NotSet;
        em.source_id = Set(source_id);
        em.resource_id = Set(format!("c{}", unique_suffix(now)));
        let created = em.insert(db).await?;
        brand_endpoint::Entity::insert(brand_endpoint::ActiveModel {
            brand_id: Set(brand_id),
            position: Set(position),
            endpoint_id: Set(created.id),
            portal_id: Set(e.portal.and_then(|p| portal_ids.get(p).copied())),
        })
        .exec_without_returning(db)
        .await?;
        position += 1;
        // The poller checks it on its next round.
        endpoint_health::Entity::insert(endpoint_health::ActiveModel {
            endpoint_id: Set(created.id),
            health: Set("unknown".into()),
            consecutive_failures: Set(0),
            next_check_at: Set(now),
            carin_conformant: Set(false),
            supports_eob: Set(false),
            ..Default::default()
        })
        .on_conflict(OnConflict::column(endpoint_health::Column::EndpointId).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Takes off the brand the endpoints `target` no longer lists (a revert of their addition); a
/// community endpoint no brand lists any more is deleted.
async fn unlink_missing(db: &impl ConnectionTrait, loaded: &Loaded, target: &BrandDraft) -> Result<(), AppError> {
    let community = source::Entity::find().filter(source::Column::Location.eq(COMMUNITY)).one(db).await?.map(|s| s.id);
    for e in &loaded.endpoints {
        if target.endpoints.iter().any(|t| t.id == Some(e.id)) {
            continue;
        }
        brand_endpoint::Entity::delete_many()
            .filter(brand_endpoint::Column::BrandId.eq(loaded.brand.id))
            .filter(brand_endpoint::Column::EndpointId.eq(e.id))
            .exec(db)
            .await?;
        if Some(e.source_id) == community && brands_listing(db, e.id).await?.is_empty() {
            endpoint::Entity::delete_by_id(e.id).exec(db).await?;
        }
    }
    Ok(())
}

/// Rewrites a brand's portals in place (same rows by position, so endpoint links keep them);
/// returns the portal ids by position.
pub async fn write_portals(
    db: &impl ConnectionTrait,
    brand_id: i32,
    old: &[portal::Model],
    new: &[PortalDraft],
) -> Result<Vec<i32>, AppError> {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let mut ids = Vec::new();
    for (pos, p) in new.iter().enumerate() {
        let fields = |am: &mut portal::ActiveModel| {
            am.name = Set(opt(&p.name));
            am.url = Set(opt(&p.url));
            am.description = Set(opt(&p.description));
            am.logo_url = Set(opt(&p.logo_url));
            am.logo_license = Set(opt(&p.logo_license));
        };
        match old.get(pos) {
            Some(o) => {
                let mut am: portal::ActiveModel = o.clone().into();
                fields(&mut am);
                am.update(db).await?;
                ids.push(o.id);
            }
            None => {
                let mut am = portal::ActiveModel {
                    id: NotSet,
                    brand_id: Set(brand_id),
                    position: Set(pos as i32),
                    ..Default::default()
                };
                fields(&mut am);
                ids.push(am.insert(db).await?.id);
            }
        }
    }
    for o in old.iter().skip(new.len()) {
        brand_endpoint::Entity::update_many()
            .col_expr(brand_endpoint::Column::PortalId, Expr::value(Option::<i32>::None))
            .filter(brand_endpoint::Column::PortalId.eq(o.id))
            .exec(db)
            .await?;
        portal::Entity::delete_by_id(o.id).exec(db).await?;
    }
    Ok(ids)
}

/// The record and field a change path names: `("brand", id, "name")` or
/// `("endpoint", 12, "address")`; `None` for new endpoints (they are the community's own).
pub fn owner_of(brand_id: i32, path: &str) -> Option<(&'static str, i32, String)> {
    if path == "endpoints/new" {
        return None;
    }
    match path.strip_prefix("endpoint/").and_then(|r| r.split_once('/')) {
        Some((id, field)) => Some(("endpoint", id.parse().ok()?, field.to_string())),
        None => Some(("brand", brand_id, path.to_string())),
    }
}

/// For each changed field of a record an import owns: the community's value, and the value the
/// import gave it (kept from the first community change).
async fn remember_community(
    db: &impl ConnectionTrait,
    loaded: &Loaded,
    fields: &[FieldChange],
    meta: &ChangeMeta,
    now: i64,
) -> Result<(), AppError> {
    let community = source::Entity::find().filter(source::Column::Location.eq(COMMUNITY)).one(db).await?.map(|s| s.id);
    for f in fields {
        let Some((mut kind, mut id, mut field)) = owner_of(loaded.brand.id, &f.path) else { continue };
        // Which portal lists an endpoint, and whether the brand lists it, are the brand's links:
        // remembered as the brand's field, so a re-import that rewrites its links keeps them.
        if kind == "endpoint" && matches!(field.as_str(), "portal" | "listed") {
            (kind, id, field) = ("brand", loaded.brand.id, f.path.clone());
        }
        let owner_source = if kind == "brand" {
            Some(loaded.brand.source_id)
        } else {
            loaded.endpoints.iter().find(|e| e.id == id).map(|e| e.source_id)
        };
        if owner_source.is_none() || owner_source == community {
            continue;
        }
        let existing = community_field::Entity::find_by_id((kind.to_string(), id, field.clone())).one(db).await?;
        let upstream = match &existing {
            Some(row) => row.upstream.clone(),
            None => f.before.to_string(),
        };
        if serde_json::from_str::<Value>(&upstream).is_ok_and(|u| crate::types::proposals::same(&u, &f.after)) {
            // Back to the import's own value: nothing of the community's to keep.
            community_field::Entity::delete_by_id((kind.to_string(), id, field)).exec(db).await?;
            continue;
        }
        community_field::Entity::insert(community_field::ActiveModel {
            record_kind: Set(kind.to_string()),
            record_id: Set(id),
            field: Set(field),
            value: Set(f.after.to_string()),
            upstream: Set(upstream),
            proposal_id: Set(meta.proposal_id),
            at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                community_field::Column::RecordKind,
                community_field::Column::RecordId,
                community_field::Column::Field,
            ])
            .update_columns([
                community_field::Column::Value,
                community_field::Column::ProposalId,
                community_field::Column::At,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The brands that list an endpoint.
pub async fn brands_listing(db: &impl ConnectionTrait, endpoint_id: i32) -> Result<Vec<i32>, AppError> {
    Ok(brand_endpoint::Entity::find()
        .select_only()
        .column(brand_endpoint::Column::BrandId)
        .filter(brand_endpoint::Column::EndpointId.eq(endpoint_id))
        .order_by_asc(brand_endpoint::Column::BrandId)
        .into_tuple::<i32>()
        .all(db)
        .await?)
}

/// The endpoints a brand lists.
pub async fn brands_listing_of(db: &impl ConnectionTrait, brand_id: i32) -> Result<Vec<i32>, AppError> {
    Ok(brand_endpoint::Entity::find()
        .select_only()
        .column(brand_endpoint::Column::EndpointId)
        .filter(brand_endpoint::Column::BrandId.eq(brand_id))
        .into_tuple::<i32>()
        .all(db)
        .await?)
}
