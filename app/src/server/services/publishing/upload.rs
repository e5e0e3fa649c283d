//! A payer publishes a brands bundle it wrote (or exported from Signpost and edited): a preview
//! first (the validator's findings with their JSON pointers, and per brand what would change),
//! then, when nothing blocks it, every change in one transaction and a new published version.
//!
//! An Organization whose id is `b{N}` is brand N as Signpost publishes it, and may be changed
//! only if the organization maintains it; any other Organization is a new brand, allowed only
//! at a domain the organization has verified. Maintained brands the bundle leaves out are left
//! as they are.
use super::claims::{maintained_brands, maintained_brands_for_change, org_of};
use super::publications;
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::brand_claim;
use crate::server::fhir::records::{BrandRecord, Directory, EndpointRecord};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::moderation::apply::{apply_to_brand, create_brand};
use crate::server::services::moderation::drafts::{self, draft_of, draft_of_record};
use crate::server::services::moderation::history::ChangeMeta;
use crate::server::services::sql::begin_writing;
use crate::types::claims::{ClaimState, Domain};
use crate::types::proposals::MAX_ENDPOINTS;
use crate::types::proposals::{BrandDraft, ChangeOrigin, EndpointDraft, diff};
use crate::types::publishing::{BrandChange, BrandChangeKind, UploadPreview};
use crate::types::validation::{Finding, Severity};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use std::collections::BTreeMap as Counts;
use std::collections::{HashMap, HashSet};

/// Brands one upload may hold.
pub const MAX_BRANDS: usize = 500;

/// How the bundle reached Signpost, as the version list says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Upload,
    /// Fetched from the organization's registered bundle URL.
    Feed,
}

impl Via {
    fn kind(self) -> &'static str {
        match self {
            Via::Upload => "upload",
            Via::Feed => "feed",
        }
    }
}

pub enum UploadOutcome {
    Preview(UploadPreview),
    Published { version: i32, preview: UploadPreview },
}

/// One brand of the upload, ready to apply.
struct Planned {
    existing: Option<i32>,
    draft: BrandDraft,
    /// For a new brand: the claim whose domain covers it.
    covering: Option<brand_claim::Model>,
}

/// The record's endpoints as drafts: those the brand lists already (by address) keep their id.
/// Past `MAX_ENDPOINTS` references the rest are left out (the checks then say the brand has
/// too many).
fn endpoints_of(
    r: &BrandRecord,
    by_id: &HashMap<&str, &EndpointRecord>,
    listed: &[(i32, String)],
) -> Vec<EndpointDraft> {
    let mut refs: Vec<&String> = r.endpoint_refs.iter().take(MAX_ENDPOINTS + 1).collect();
    for p in &r.portals {
        refs.extend(p.endpoint_refs.iter().take(MAX_ENDPOINTS + 1).filter(|x| !r.endpoint_refs.contains(x)));
    }
    refs.truncate(MAX_ENDPOINTS + 1);
    let mut out: Vec<EndpointDraft> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for reference in refs {
        let Some(e) = by_id.get(reference.as_str()) else { continue };
        if !seen.insert(e.address.as_str()) {
            continue;
        }
        out.push(EndpointDraft {
            id: listed.iter().find(|(_, a)| *a == e.address).map(|(id, _)| *id),
            address: e.address.clone(),
            name: e.name.clone().unwrap_or_default(),
            fhir_versions: e.fhir_versions.clone(),
            status: e.status.clone(),
            contact_url: e.contact_url.clone().unwrap_or_default(),
            portal: r.portals.iter().position(|p| p.endpoint_refs.contains(reference)),
        });
    }
    out
}

fn blocks(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// `in_change`: planned inside the publishing transaction (the claims are then held).
async fn plan(
    db: &impl ConnectionTrait,
    org_id: i32,
    dir: &Directory,
    in_change: bool,
) -> Result<(UploadPreview, Vec<Planned>), AppError> {
    let maintained = if in_change {
        maintained_brands_for_change(db, &[org_id]).await?
    } else {
        maintained_brands(db, &[org_id]).await?
    };
    let claims = brand_claim::Entity::find()
        .filter(brand_claim::Column::OrganizationId.eq(org_id))
        .filter(brand_claim::Column::State.is_in([ClaimState::Verified, ClaimState::Flagged]))
        .all(db)
        .await?;
    let mut preview = UploadPreview {
        findings: dir.findings.clone(),
        finding_counts: dir.finding_counts(),
        blocked: blocks(&dir.findings),
        ..Default::default()
    };
    if dir.brands.len() > MAX_BRANDS {
        return Err(AppError::TooLarge(format!("a publisher's bundle holds at most {MAX_BRANDS} brands")));
    }
    let by_id: HashMap<&str, &EndpointRecord> = dir.endpoints.iter().map(|e| (e.resource_id.as_str(), e)).collect();
    let mut all_loaded = drafts::load_many(db, &maintained).await?;
    let named_ids: Vec<i32> = dir
        .brands
        .iter()
        .filter_map(|r| r.resource_id.strip_prefix('b').and_then(|n| n.parse::<i32>().ok()))
        .filter(|n| !maintained.contains(n))
        .collect();
    let others: HashSet<i32> = crate::server::entities::brand::Entity::find()
        .select_only()
        .column(crate::server::entities::brand::Column::Id)
        .filter(crate::server::entities::brand::Column::Id.is_in(named_ids))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut planned = Vec::new();
    let mut seen: Vec<i32> = Vec::new();
    for r in &dir.brands {
        let named = r.resource_id.strip_prefix('b').and_then(|n| n.parse::<i32>().ok());
        let existing = named.filter(|n| maintained.contains(n));
        let refuse = |preview: &mut UploadPreview, problem: String| {
            preview.blocked = true;
            preview.brands.push(BrandChange {
                brand_id: existing,
                name: r.name.clone(),
                kind: BrandChangeKind::Refused,
                fields: vec![],
                problem: Some(problem),
            });
        };
        let loaded = existing.and_then(|id| all_loaded.get(&id).cloned());
        let listed: Vec<(i32, String)> = loaded
            .as_ref()
            .map(|l| l.endpoints.iter().map(|e| (e.id, e.address.clone())).collect())
            .unwrap_or_default();
        let mut draft = draft_of_record(r);
        draft.endpoints = endpoints_of(r, &by_id, &listed);
        // `b{N}` names brand N as Signpost publishes it: one the organization does not maintain
        // is refused, not made again as a new brand.
        if let (Some(n), None) = (named, existing) {
            if others.contains(&n) {
                refuse(
                    &mut preview,
                    format!("Organization/b{n} is brand {n}, which this organization does not maintain"),
                );
                continue;
            }
        }
        let covering = match existing {
            Some(id) => {
                if seen.contains(&id) {
                    refuse(&mut preview, format!("Organization/b{id} is in the bundle twice"));
                    continue;
                }
                seen.push(id);
                None
            }
            None => {
                let site = r.website.as_deref().and_then(Domain::of_website);
                let claim = claims.iter().find(|c| {
                    let d = Domain::of_website(&format!("https://{}/", c.domain));
                    d.zip(site.as_ref()).is_some_and(|(d, s)| d.covers(s))
                });
                match claim {
                    Some(c) => Some(c.clone()),
                    None => {
                        refuse(
                            &mut preview,
                            format!(
                                "Organization/{} is not a brand this organization maintains (Signpost names those \
                                 b<number>), and its website is not at a domain it has verified",
                                r.resource_id
                            ),
                        );
                        continue;
                    }
                }
            }
        };
        let ids: Vec<i32> = listed.iter().map(|(id, _)| *id).collect();
        let checked = drafts::check(&draft, &ids);
        if !checked.errors.is_empty() {
            let first = checked.errors.fields.first().map(|(_, m)| m.clone()).or(checked.errors.summary.clone());
            refuse(&mut preview, first.unwrap_or_else(|| "it does not pass the checks".into()));
            continue;
        }
        let (kind, fields) = match &loaded {
            Some(l) => {
                let fields = diff(&draft_of(l).fields(), &checked.draft.fields());
                (if fields.is_empty() { BrandChangeKind::Unchanged } else { BrandChangeKind::Changed }, fields)
            }
            None => (BrandChangeKind::Added, diff(&BrandDraft::default().fields(), &checked.draft.fields())),
        };
        preview.brands.push(BrandChange { brand_id: existing, name: r.name.clone(), kind, fields, problem: None });
        planned.push(Planned { existing, draft: checked.draft, covering });
    }
    for id in maintained.iter().filter(|id| !seen.contains(id)) {
        if let Some(l) = all_loaded.remove(id) {
            preview.left_out.push(l.brand.name);
        }
    }
    Ok((preview, planned))
}

/// Previews, or (`publish`) publishes, an uploaded bundle for the organization.
#[allow(clippy::too_many_arguments)]
pub async fn upload<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    base_url: &str,
    bytes: &[u8],
    publish: bool,
    via: Via,
    now: i64,
) -> Result<UploadOutcome, AppError> {
    let org = org_of(db, org_id).await?;
    policy::publish(actor, org_id, org.kind)?;
    let dir = crate::server::import::brands::read(std::io::Cursor::new(bytes))
        .map_err(|e| AppError::BadRequest(format!("this is not a brands bundle: {e}")))?;
    let (preview, _) = plan(db, org_id, &dir, false).await?;
    if !publish || preview.blocked {
        return Ok(UploadOutcome::Preview(preview));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    // Planned again inside the transaction, so what is written is what the rows are now.
    let (preview, planned) = plan(&txn, org_id, &dir, true).await?;
    if preview.blocked {
        return Ok(UploadOutcome::Preview(preview));
    }
    let meta = ChangeMeta {
        origin: ChangeOrigin::Maintainer,
        actor_id: actor.account_id(),
        actor_label: actor.label(),
        proposal_id: None,
        source_id: None,
        reason: format!("published by {}", org.name),
    };
    for p in &planned {
        match (p.existing, &p.covering) {
            (Some(id), _) => {
                apply_to_brand(&txn, id, &p.draft, &meta, now).await?;
            }
            (None, Some(claim)) => {
                let created = create_brand(&txn, &p.draft, &meta, now).await?;
                // A new brand at a verified domain is maintained under that domain's proof.
                brand_claim::Entity::insert(brand_claim::ActiveModel {
                    organization_id: Set(org_id),
                    brand_id: Set(created.brand_id),
                    domain: Set(claim.domain.clone()),
                    method: Set(claim.method),
                    state: Set(ClaimState::Verified),
                    email: Set(claim.email.clone()),
                    file_token: Set(claim.file_token.clone()),
                    created_by: Set(actor.account_id()),
                    created_at: Set(now),
                    verified_at: Set(Some(now)),
                    next_check_at: Set(claim.next_check_at),
                    derived_from: Set(Some(claim.derived_from.unwrap_or(claim.id))),
                    ..Default::default()
                })
                .exec_without_returning(&txn)
                .await?;
                audit::record(
                    &txn,
                    actor,
                    AuditAction::ClaimVerify,
                    Target::new("brand", created.brand_id),
                    None,
                    Some(serde_json::json!({"organization": org_id, "brand": created.brand_id, "domain": claim.domain,
                        "under_claim": claim.id, "by": "publishing a new brand at a verified domain"})),
                    now,
                )
                .await?;
            }
            (None, None) => {}
        }
    }
    let version = publications::record(&txn, org_id, base_url, via.kind(), "", actor.account_id(), now).await?;
    let counts: Counts<&str, usize> = [
        ("added", preview.brands.iter().filter(|b| b.kind == BrandChangeKind::Added).count()),
        ("changed", preview.brands.iter().filter(|b| b.kind == BrandChangeKind::Changed).count()),
    ]
    .into_iter()
    .collect();
    audit::record(
        &txn,
        actor,
        AuditAction::PublicationUpload,
        Target::new("organization", org_id),
        None,
        Some(serde_json::json!({"version": version, "brands": counts, "via": via.kind()})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(UploadOutcome::Published { version, preview })
}
