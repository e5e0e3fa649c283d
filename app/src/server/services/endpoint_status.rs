//! Reading what the poller stored: status per endpoint, uptime, latency percentiles and the
//! daily strip for an endpoint's page.
use super::brands::parse_list;
use crate::server::entities::{brand, brand_endpoint, endpoint, endpoint_check, endpoint_health};
use crate::types::brand::BrandLink;
use crate::types::check::{CheckReport, Health};
use crate::types::endpoint::{CheckRow, DayUptime, EndpointStatus, Uptime};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Current health of each endpoint given (missing ones are unknown).
pub async fn health_of<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<HashMap<i32, Health>, DbErr> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i32, String)> = endpoint_health::Entity::find()
            .select_only()
            .columns([endpoint_health::Column::EndpointId, endpoint_health::Column::Health])
            .filter(endpoint_health::Column::EndpointId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows.into_iter().map(|(id, h)| (id, Health::parse(&h))));
    }
    Ok(out)
}

fn answered(h: &str) -> bool {
    matches!(h, "up" | "degraded")
}

fn share(rows: &[&endpoint_check::Model]) -> Option<f64> {
    if rows.is_empty() {
        return None;
    }
    Some(rows.iter().filter(|r| answered(&r.health)).count() as f64 / rows.len() as f64)
}

/// The value at quantile `q` (0..=1) of sorted values, nearest rank.
pub fn percentile(sorted: &[i32], q: f64) -> Option<i32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

pub async fn endpoint_status<C: ConnectionTrait>(db: &C, id: i32, now: i64) -> Result<Option<EndpointStatus>, DbErr> {
    let Some(e) = endpoint::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let health = endpoint_health::Entity::find_by_id(id).one(db).await?;
    let month_ago = now - 30 * 86_400;
    let checks = endpoint_check::Entity::find()
        .filter(endpoint_check::Column::EndpointId.eq(id))
        .filter(endpoint_check::Column::CheckedAt.gte(month_ago))
        .order_by_asc(endpoint_check::Column::CheckedAt)
        .all(db)
        .await?;
    let since = |secs: i64| checks.iter().filter(|c| c.checked_at >= now - secs).collect::<Vec<_>>();
    let uptime = Uptime {
        day: share(&since(86_400)),
        week: share(&since(7 * 86_400)),
        month: share(&checks.iter().collect::<Vec<_>>()),
    };
    let mut week_latencies: Vec<i32> = since(7 * 86_400).iter().filter_map(|c| c.latency_ms).collect();
    week_latencies.sort_unstable();
    let today_start = now - now.rem_euclid(86_400);
    let daily = (0..30u32)
        .rev()
        .map(|days_ago| {
            let start = today_start - days_ago as i64 * 86_400;
            let rows: Vec<_> =
                checks.iter().filter(|c| c.checked_at >= start && c.checked_at < start + 86_400).collect();
            DayUptime { days_ago, checks: rows.len() as u32, up_share: share(&rows) }
        })
        .collect();
    let step = checks.len().div_ceil(200).max(1);
    let latency_series = checks.iter().step_by(step).map(|c| (c.checked_at, c.latency_ms)).collect();
    let recent = checks
        .iter()
        .rev()
        .take(20)
        .map(|c| CheckRow {
            checked_at: c.checked_at,
            health: Health::parse(&c.health),
            latency_ms: c.latency_ms,
            reason: c.reason.clone(),
        })
        .collect();
    let brand_ids: Vec<i32> = brand_endpoint::Entity::find()
        .select_only()
        .column(brand_endpoint::Column::BrandId)
        .filter(brand_endpoint::Column::EndpointId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    let brands = brand::Entity::find()
        .filter(brand::Column::Id.is_in(brand_ids))
        .order_by_asc(brand::Column::Name)
        .limit(50)
        .all(db)
        .await?
        .into_iter()
        .map(|b| BrandLink { id: b.id, name: b.name })
        .collect();
    let report: Option<CheckReport> =
        health.as_ref().and_then(|h| h.report.as_deref()).and_then(|r| serde_json::from_str(r).ok());
    Ok(Some(EndpointStatus {
        id,
        address: e.address,
        name: e.name,
        fhir_versions: parse_list(&e.fhir_versions),
        health: health.as_ref().map_or(Health::Unknown, |h| Health::parse(&h.health)),
        last_checked_at: health.as_ref().and_then(|h| h.last_checked_at),
        next_check_at: health.as_ref().map(|h| h.next_check_at),
        uptime,
        latency_p50: percentile(&week_latencies, 0.5),
        latency_p95: percentile(&week_latencies, 0.95),
        latency_series,
        daily,
        recent,
        report,
        has_raw_metadata: health.as_ref().is_some_and(|h| h.raw_metadata.is_some()),
        has_raw_smart: health.as_ref().is_some_and(|h| h.raw_smart.is_some()),
        brands,
    }))
}

/// The CapabilityStatement (`metadata`) or smart-configuration (`smart`) as last fetched.
pub async fn raw_document<C: ConnectionTrait>(db: &C, id: i32, smart: bool) -> Result<Option<String>, DbErr> {
    let row = endpoint_health::Entity::find_by_id(id).one(db).await?;
    Ok(row.and_then(|h| if smart { h.raw_smart } else { h.raw_metadata }))
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<i32> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), Some(50));
        assert_eq!(percentile(&v, 0.95), Some(95));
        assert_eq!(percentile(&[7], 0.95), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
