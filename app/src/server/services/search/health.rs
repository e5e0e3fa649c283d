//! The poller's view of every brand of one index (status, certificate expiry, CARIN, EOB),
//! refreshed far more often than the index itself.
use super::index::{CERT_BUCKETS, FACETS, HEALTH_TTL, STATIC_FACETS, STATUS_VALUES, SearchIndex};
use crate::types::check::Health;
use std::collections::HashMap;

/// A brand's endpoints as the poller last saw them.
#[derive(Clone, Debug, Default)]
pub struct BrandHealth {
    pub health: Option<Health>,
    pub min_cert_days: Option<i32>,
    /// Value ids of the poller's facets, in facet order from `FACET_STATUS`.
    pub(super) values: [Vec<u16>; FACETS - STATIC_FACETS],
}

/// The poller's view of every brand of one index, aligned with its documents.
#[derive(Default)]
pub struct HealthOverlay {
    pub(super) index_version: i64,
    loaded_at: Option<std::time::Instant>,
    pub(super) docs: Vec<BrandHealth>,
}

/// Endpoint counts of one brand, by status, and what any of them offers.
#[derive(Default)]
struct Tally {
    up: u32,
    degraded: u32,
    down: u32,
    unknown: u32,
    min_cert_days: Option<i32>,
    carin: bool,
    eob: bool,
}

impl Tally {
    fn health(&self) -> Health {
        let checked = self.up + self.degraded + self.down;
        if checked == 0 {
            Health::Unknown
        } else if self.up == checked {
            Health::Up
        } else if self.down == checked {
            Health::Down
        } else {
            Health::Degraded
        }
    }

    fn into_brand_health(self) -> BrandHealth {
        let health = self.health();
        let status = STATUS_VALUES.iter().position(|h| *h == health).map(|p| p as u16);
        let cert = CERT_BUCKETS
            .iter()
            .enumerate()
            .filter(|(_, b)| self.min_cert_days.is_some_and(|d| d as i64 <= **b))
            .map(|(i, _)| i as u16)
            .collect();
        BrandHealth {
            health: Some(health),
            min_cert_days: self.min_cert_days,
            values: [
                status.into_iter().collect(),
                cert,
                if self.carin { vec![0] } else { vec![] },
                if self.eob { vec![0] } else { vec![] },
            ],
        }
    }
}

impl HealthOverlay {
    /// Builds the overlay for `index` from (brand id, health, certificate days left, CARIN
    /// conformant, offers EOB) rows, one per polled endpoint of a brand.
    pub fn build(index: &SearchIndex, rows: impl IntoIterator<Item = (i32, Health, Option<i32>, bool, bool)>) -> Self {
        let mut tallies: HashMap<i32, Tally> = HashMap::new();
        for (brand_id, health, cert_days, carin, eob) in rows {
            let t = tallies.entry(brand_id).or_default();
            match health {
                Health::Up => t.up += 1,
                Health::Degraded => t.degraded += 1,
                Health::Down => t.down += 1,
                Health::Unknown => t.unknown += 1,
            }
            if let Some(d) = cert_days {
                t.min_cert_days = Some(t.min_cert_days.map_or(d, |m| m.min(d)));
            }
            t.carin |= carin;
            t.eob |= eob;
        }
        let mut built: HashMap<i32, BrandHealth> =
            tallies.into_iter().map(|(id, t)| (id, t.into_brand_health())).collect();
        let docs =
            index.docs.iter().map(|d| d.health_from.and_then(|b| built.get(&b).cloned()).unwrap_or_default()).collect();
        built.clear();
        HealthOverlay { index_version: index.version, loaded_at: Some(std::time::Instant::now()), docs }
    }

    pub(super) fn fresh_for(&self, index: &SearchIndex) -> bool {
        self.index_version == index.version && self.loaded_at.is_some_and(|t| t.elapsed() < HEALTH_TTL)
    }
}
