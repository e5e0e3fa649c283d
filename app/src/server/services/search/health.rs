//! The poller's view of every brand of one index (status, certificate expiry, CARIN, EOB),
//! refreshed far more often than the index itself.
use super::index::{CERT_BUCKETS, FACETS, HEALTH_TTL, STATIC_FACETS, STATUS_VALUES, SearchIndex};
use crate::types::check::Health;
use std::collections::HashMap;

/// A brand's endpoints as the poller last saw them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BrandHealth {
    pub health: Option<Health>,
    pub min_cert_days: Option<i32>,
    /// Value ids of the poller's facets, in facet order from `FACET_STATUS`.
    pub(super) values: [Vec<u16>; FACETS - STATIC_FACETS],
}

/// The poller's view of every brand of one index, aligned with its documents: each
/// document's entry in a table of the distinct views (a few thousand at most: four statuses,
/// the days to the first certificate expiry, CARIN, EOB), four bytes a brand.
#[derive(Default)]
pub struct HealthOverlay {
    pub(super) index_version: i64,
    loaded_at: Option<std::time::Instant>,
    docs: Vec<u32>,
    distinct: Vec<BrandHealth>,
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
        // Entry 0 is a brand nothing was polled for.
        let mut distinct = vec![BrandHealth::default()];
        let mut entries: HashMap<BrandHealth, u32> = HashMap::from([(BrandHealth::default(), 0)]);
        let by_brand: HashMap<i32, u32> = tallies
            .into_iter()
            .map(|(id, t)| {
                let h = t.into_brand_health();
                let entry = *entries.entry(h.clone()).or_insert_with(|| {
                    distinct.push(h);
                    (distinct.len() - 1) as u32
                });
                (id, entry)
            })
            .collect();
        let docs =
            index.docs.health_from.iter().map(|b| b.and_then(|b| by_brand.get(&b).copied()).unwrap_or(0)).collect();
        HealthOverlay { index_version: index.version, loaded_at: Some(std::time::Instant::now()), docs, distinct }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The poller's view of one document.
    pub(super) fn of(&self, doc: u32) -> &BrandHealth {
        &self.distinct[self.docs[doc as usize] as usize]
    }

    /// The number of one document's view among the distinct ones (`view`).
    pub(super) fn view_of(&self, doc: u32) -> u32 {
        self.docs[doc as usize]
    }

    pub(super) fn view(&self, view: u32) -> &BrandHealth {
        &self.distinct[view as usize]
    }

    pub(super) fn view_count(&self) -> usize {
        self.distinct.len()
    }

    pub(super) fn fresh_for(&self, index: &SearchIndex) -> bool {
        self.index_version == index.version && self.loaded_at.is_some_and(|t| t.elapsed() < HEALTH_TTL)
    }
}
