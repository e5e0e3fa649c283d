//! A brand's developer-portal facts, plans and API addresses: read for the brand page and the
//! API ("For developers"), edited by its maintainer or an admin, seeded from the demo payers'
//! files. Each edit is one transaction with its audit entry, and bumps the directory version
//! (search filters on some of the facts).
use super::claims::{maintainer_org, maintainer_org_for_change};
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{
    brand, brand_api, brand_endpoint, brand_plan, developer_facts, endpoint, endpoint_health,
};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::brands::bump_directory_version;
use crate::server::services::sql::begin_writing;
use crate::types::accounts::FormErrors;
use crate::types::check::CheckReport;
use crate::types::developer::{ApiUrl, Facts, FactsForm, FactsPage, ForDevelopers, ParsedFacts, Plan, SmartSummary};
use crate::types::link::WebUrl;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession,
    TransactionTrait,
};

/// Endpoints whose smart-configuration the section shows.
const SMART_SHOWN: u64 = 10;

/// The stored facts, plans and API addresses of a brand.
pub async fn stored(
    db: &impl ConnectionTrait,
    brand_id: i32,
) -> Result<(Option<developer_facts::Model>, ParsedFacts), AppError> {
    Ok(stored_many(db, &[brand_id]).await?.remove(&brand_id).unwrap_or_default())
}

/// The same for several brands, in three queries; every id asked for is in the answer.
async fn stored_many(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, (Option<developer_facts::Model>, ParsedFacts)>, AppError> {
    let rows =
        developer_facts::Entity::find().filter(developer_facts::Column::BrandId.is_in(ids.to_vec())).all(db).await?;
    let plans = brand_plan::Entity::find()
        .filter(brand_plan::Column::BrandId.is_in(ids.to_vec()))
        .order_by_asc(brand_plan::Column::Position)
        .all(db)
        .await?;
    let apis = brand_api::Entity::find().filter(brand_api::Column::BrandId.is_in(ids.to_vec())).all(db).await?;
    // Stored URLs were parsed on the way in; they are parsed again on the way out.
    let url_of = |a: &brand_api::Model| WebUrl::parse(&a.url).ok().map(|url| ApiUrl { kind: a.kind, url });
    Ok(ids
        .iter()
        .map(|&id| {
            let row = rows.iter().find(|r| r.brand_id == id).cloned();
            let facts: Facts = row.as_ref().and_then(|r| serde_json::from_str(&r.facts).ok()).unwrap_or_default();
            let parsed = ParsedFacts {
                facts,
                apis: apis.iter().filter(|a| a.brand_id == id && a.plan_id.is_none()).filter_map(url_of).collect(),
                plans: plans
                    .iter()
                    .filter(|p| p.brand_id == id)
                    .map(|p| Plan {
                        name: p.name.clone(),
                        line_of_business: p.line_of_business,
                        apis: apis.iter().filter(|a| a.plan_id == Some(p.id)).filter_map(url_of).collect(),
                    })
                    .collect(),
            };
            (id, (row, parsed))
        })
        .collect())
}

/// What the poller last read from the smart-configuration of the brand's endpoints.
async fn smart_of(db: &impl ConnectionTrait, brand_id: i32) -> Result<Vec<SmartSummary>, AppError> {
    let ids: Vec<i32> = brand_endpoint::Entity::find()
        .select_only()
        .column(brand_endpoint::Column::EndpointId)
        .filter(brand_endpoint::Column::BrandId.eq(brand_id))
        .order_by_asc(brand_endpoint::Column::Position)
        .limit(SMART_SHOWN)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let addresses: std::collections::HashMap<i32, String> = endpoint::Entity::find()
        .filter(endpoint::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.address))
        .collect();
    let health =
        endpoint_health::Entity::find().filter(endpoint_health::Column::EndpointId.is_in(ids.clone())).all(db).await?;
    let mut out = Vec::new();
    for id in ids {
        let Some(h) = health.iter().find(|h| h.endpoint_id == id) else { continue };
        let Some(report) = h.report.as_deref().and_then(|r| serde_json::from_str::<CheckReport>(r).ok()) else {
            continue;
        };
        let Some(s) = report.smart.facts else { continue };
        out.push(SmartSummary {
            endpoint_id: id,
            address: addresses.get(&id).cloned().unwrap_or_default(),
            authorization_endpoint: WebUrl::parse_opt(s.authorization_endpoint.as_deref()),
            token_endpoint: WebUrl::parse_opt(s.token_endpoint.as_deref()),
            scopes_supported: s.scopes_supported.unwrap_or_default().into_iter().take(200).collect(),
            capabilities: s.capabilities.into_iter().take(100).collect(),
        });
    }
    Ok(out)
}

/// The brand page's "For developers" section (public).
pub async fn for_developers(db: &impl ConnectionTrait, brand_id: i32) -> Result<ForDevelopers, AppError> {
    let (row, parsed) = stored(db, brand_id).await?;
    Ok(section(row, parsed, smart_of(db, brand_id).await?))
}

fn section(row: Option<developer_facts::Model>, parsed: ParsedFacts, smart: Vec<SmartSummary>) -> ForDevelopers {
    ForDevelopers {
        facts: row.as_ref().map(|_| parsed.facts),
        facts_origin: row.as_ref().map(|r| r.origin.clone()),
        facts_updated_at: row.as_ref().map(|r| r.updated_at),
        apis: parsed.apis,
        plans: parsed.plans,
        smart,
        turnaround: None,
    }
}

async fn brand_or_404(db: &impl ConnectionTrait, id: i32) -> Result<brand::Model, AppError> {
    brand::Entity::find_by_id(id).one(db).await?.ok_or_else(|| AppError::NotFound(format!("there is no brand {id}")))
}

/// The facts form, for those who may save it.
pub async fn page(db: &impl ConnectionTrait, actor: &Actor, brand_id: i32) -> Result<FactsPage, AppError> {
    let b = brand_or_404(db, brand_id).await?;
    policy::edit_developer_facts(actor, maintainer_org(db, Some(brand_id)).await?)?;
    let (_, p) = stored(db, brand_id).await?;
    Ok(FactsPage { brand_id, brand: b.name, form: FactsForm::of(&p.facts, &p.apis, &p.plans) })
}

/// Saves the form: `Ok(Err(errors))` when a field does not parse (nothing is written).
pub async fn save<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    brand_id: i32,
    form: &FactsForm,
    now: i64,
) -> Result<Result<(), FormErrors>, AppError> {
    brand_or_404(db, brand_id).await?;
    let maintainer = maintainer_org(db, Some(brand_id)).await?;
    policy::edit_developer_facts(actor, maintainer)?;
    let parsed = match form.parse() {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    // Checked again in the transaction, the claim held, so a revoke cannot land in between.
    let maintainer = maintainer_org_for_change(&txn, Some(brand_id)).await?;
    policy::edit_developer_facts(actor, maintainer)?;
    let (_, before) = stored(&txn, brand_id).await?;
    let origin = if maintainer.is_some_and(|m| actor.viewer.as_ref().is_some_and(|v| v.orgs.iter().any(|o| o.id == m)))
    {
        "maintainer"
    } else {
        "admin"
    };
    write(&txn, brand_id, &parsed, origin, actor.account_id(), now).await?;
    audit::record(
        &txn,
        actor,
        AuditAction::DeveloperFactsEdit,
        Target::new("brand", brand_id),
        Some(summary(&before)),
        Some(summary(&parsed)),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(()))
}

fn summary(p: &ParsedFacts) -> serde_json::Value {
    serde_json::json!({"facts": p.facts, "apis": p.apis, "plans": p.plans})
}

/// Replaces the brand's facts, plans and API addresses, in the caller's transaction.
pub async fn write(
    db: &impl ConnectionTrait,
    brand_id: i32,
    p: &ParsedFacts,
    origin: &str,
    by: Option<i32>,
    now: i64,
) -> Result<(), AppError> {
    brand_api::Entity::delete_many().filter(brand_api::Column::BrandId.eq(brand_id)).exec(db).await?;
    brand_plan::Entity::delete_many().filter(brand_plan::Column::BrandId.eq(brand_id)).exec(db).await?;
    developer_facts::Entity::delete_by_id(brand_id).exec(db).await?;
    let f = &p.facts;
    developer_facts::Entity::insert(developer_facts::ActiveModel {
        brand_id: Set(brand_id),
        facts: Set(serde_json::to_string(f).unwrap_or_else(|_| "{}".into())),
        turnaround_days: Set(i32::from(f.turnaround_days)),
        turnaround_sandbox_days: Set(f.turnaround_sandbox_days.map(i32::from)),
        self_service: Set(f.self_service),
        has_sandbox: Set(f.sandbox_url.is_some()),
        test_patients: Set(f.test_patients),
        origin: Set(origin.to_string()),
        updated_by: Set(by),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    let api_row = |plan_id: Option<i32>, a: &ApiUrl| brand_api::ActiveModel {
        brand_id: Set(brand_id),
        plan_id: Set(plan_id),
        kind: Set(a.kind),
        url: Set(a.url.as_str().to_string()),
        ..Default::default()
    };
    if !p.apis.is_empty() {
        brand_api::Entity::insert_many(p.apis.iter().map(|a| api_row(None, a))).exec_without_returning(db).await?;
    }
    for (pos, plan) in p.plans.iter().enumerate() {
        let row = brand_plan::Entity::insert(brand_plan::ActiveModel {
            brand_id: Set(brand_id),
            position: Set(pos as i32),
            name: Set(plan.name.clone()),
            line_of_business: Set(plan.line_of_business),
            ..Default::default()
        })
        .exec(db)
        .await?;
        if !plan.apis.is_empty() {
            let id = row.last_insert_id;
            brand_api::Entity::insert_many(plan.apis.iter().map(|a| api_row(Some(id), a)))
                .exec_without_returning(db)
                .await?;
        }
    }
    bump_directory_version(db).await?;
    Ok(())
}

/// The export's developer columns per brand: portal, sandbox, self-service, test patients
/// (`yes`/`no`/empty), turnaround days, and the plans' lines of business (space-separated).
pub async fn csv_columns(
    db: &impl ConnectionTrait,
    brand_ids: &[i32],
) -> Result<std::collections::HashMap<i32, [String; 6]>, AppError> {
    use crate::types::developer::tri_value;
    let mut out = std::collections::HashMap::new();
    if brand_ids.is_empty() {
        return Ok(out);
    }
    let rows = developer_facts::Entity::find()
        .filter(developer_facts::Column::BrandId.is_in(brand_ids.to_vec()))
        .all(db)
        .await?;
    let plans =
        brand_plan::Entity::find().filter(brand_plan::Column::BrandId.is_in(brand_ids.to_vec())).all(db).await?;
    for r in rows {
        let f: Facts = serde_json::from_str(&r.facts).unwrap_or_default();
        let url = |u: &Option<WebUrl>| u.as_ref().map(|u| u.as_str().to_string()).unwrap_or_default();
        let mut lobs: Vec<&str> =
            plans.iter().filter(|p| p.brand_id == r.brand_id).map(|p| p.line_of_business.as_str()).collect();
        lobs.sort_unstable();
        lobs.dedup();
        out.insert(
            r.brand_id,
            [
                url(&f.developer_portal),
                url(&f.sandbox_url),
                tri_value(f.self_service).to_string(),
                tri_value(f.test_patients).to_string(),
                r.turnaround_days.to_string(),
                lobs.join(" "),
            ],
        );
    }
    Ok(out)
}

/// Brands per page of the developer-facts export.
const EXPORT_PAGE: u64 = 200;

/// The developer-facts export: one JSON object per brand with facts, plans or API addresses
/// (`{"brand_id", "name", "developer"}`), in brand order, as NDJSON lines.
pub async fn ndjson(db: &impl ConnectionTrait) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let ids: Vec<i32> = developer_facts::Entity::find()
            .select_only()
            .column(developer_facts::Column::BrandId)
            .filter(developer_facts::Column::BrandId.gt(after))
            .order_by_asc(developer_facts::Column::BrandId)
            .limit(EXPORT_PAGE)
            .into_tuple()
            .all(db)
            .await?;
        let Some(&last) = ids.last() else { break };
        after = last;
        let names: std::collections::HashMap<i32, String> = brand::Entity::find()
            .filter(brand::Column::Id.is_in(ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|b| (b.id, b.name))
            .collect();
        let mut stored = stored_many(db, &ids).await?;
        for id in ids {
            let (row, parsed) = stored.remove(&id).unwrap_or_default();
            // The poller's readings are the endpoints' own; the export is what payers state.
            let d = section(row, parsed, Vec::new());
            let line = serde_json::json!({"brand_id": id, "name": names.get(&id), "developer": d});
            out.extend_from_slice(line.to_string().as_bytes());
            out.push(b'\n');
        }
    }
    Ok(out)
}
