//! Facets of a search: the filters a query asks for, the matches they keep, and each facet's
//! counts over the matches the other facets' filters keep (a facet's counts ignore its own
//! filter, so picking a state still shows how many brands the other states have).
use super::health::{BrandHealth, HealthOverlay};
use super::index::{
    CERT_BUCKETS, FACET_CARIN, FACET_CATEGORY, FACET_CERT, FACET_DEVELOPER, FACET_ENVIRONMENT, FACET_EOB,
    FACET_FHIR_VERSION, FACET_LOB, FACET_STATE, FACET_STATUS, FACETS, STATIC_FACETS, STATUS_VALUES, SearchIndex,
};
use crate::types::check::Health;
use crate::types::developer::LineOfBusiness;
use crate::types::search::{FacetValue, Facets, SearchQuery, category_label, fhir_release_label};
use crate::types::states::state_name;

/// One facet's filter.
#[derive(Clone, Copy)]
pub(super) enum Want {
    Any,
    /// A value no document has: nothing matches.
    Nothing,
    Id(u16),
    /// A certificate expiring within this many days (a number without a bucket).
    CertWithin(i64),
}

/// Whether a document with these values of a facet (and this many days to its first
/// certificate expiry) passes that facet's filter.
fn wants(want: Want, values: &[u16], cert_days: Option<i32>) -> bool {
    match want {
        Want::Any => true,
        Want::Nothing => false,
        Want::Id(id) => values.contains(&id),
        Want::CertWithin(n) => cert_days.is_some_and(|d| (d as i64) <= n),
    }
}

// A search notes the filters a brand fails as bits of a u16.
const _: () = assert!(FACETS <= 16);

/// Counts of each facet's values, by value id.
pub(super) type Counts = [Vec<u32>; FACETS];

impl SearchIndex {
    /// Keeps the matches every filter passes and counts the facets. Brands share a few
    /// thousand combinations of the directory's facet values (`Docs::profiles`) and of the
    /// poller's (`HealthOverlay` views), so each filter is checked once per combination, and
    /// the matches are tallied by combination before any value is counted: a million matches
    /// cost two array reads each.
    pub(super) fn filter_and_count(
        &self,
        matched: &mut Vec<(u32, u32)>,
        filters: &[Want; FACETS],
        overlay: Option<&HealthOverlay>,
    ) -> Counts {
        let unpolled = BrandHealth::default();
        let view = |v: usize| overlay.map_or(&unpolled, |o| o.view(v as u32));
        let (profiles, views) = (self.docs.profile_count(), overlay.map_or(1, HealthOverlay::view_count));
        // Bit f set: the combination fails facet f's filter.
        let fails = |f: usize, values: &[u16], cert_days: Option<i32>| -> u16 {
            u16::from(!wants(filters[f], values, cert_days)) << f
        };
        let profile_fails: Vec<u16> = (0..profiles)
            .map(|p| (0..STATIC_FACETS).map(|f| fails(f, &self.docs.profiles[f][p], None)).fold(0, |a, b| a | b))
            .collect();
        let view_fails: Vec<u16> = (0..views)
            .map(|v| {
                let h = view(v);
                (STATIC_FACETS..FACETS)
                    .map(|f| fails(f, &h.values[f - STATIC_FACETS], h.min_cert_days))
                    .fold(0, |a, b| a | b)
            })
            .collect();
        // Matches passing every filter, by combination; and those failing only facet f's
        // filter, which count in facet f alone.
        let (mut passed_profile, mut passed_view) = (vec![0u32; profiles], vec![0u32; views]);
        let mut failed_only: [Vec<u32>; FACETS] = std::array::from_fn(|f| match filters[f] {
            Want::Any => Vec::new(),
            _ if f < STATIC_FACETS => vec![0; profiles],
            _ => vec![0; views],
        });
        matched.retain(|(doc, _)| {
            let p = self.docs.profile[*doc as usize] as usize;
            let v = overlay.map_or(0, |o| o.view_of(*doc) as usize);
            let failed = profile_fails[p] | view_fails[v];
            if failed == 0 {
                passed_profile[p] += 1;
                passed_view[v] += 1;
            } else if failed.is_power_of_two() {
                let f = failed.trailing_zeros() as usize;
                failed_only[f][if f < STATIC_FACETS { p } else { v }] += 1;
            }
            failed == 0
        });
        let mut counts: Counts = std::array::from_fn(|f| vec![0; self.facet_len(f)]);
        let mut add =
            |facet: usize, values: &[u16], n: u32| values.iter().for_each(|id| counts[facet][*id as usize] += n);
        for f in 0..FACETS {
            let values_of = |entry: usize| -> &[u16] {
                if f < STATIC_FACETS { &self.docs.profiles[f][entry] } else { &view(entry).values[f - STATIC_FACETS] }
            };
            let passed = if f < STATIC_FACETS { &passed_profile } else { &passed_view };
            for tally in [passed, &failed_only[f]] {
                tally.iter().enumerate().filter(|(_, n)| **n > 0).for_each(|(entry, n)| add(f, values_of(entry), *n));
            }
        }
        counts
    }

    /// The counted values of every facet, labelled: the directory's by count, the poller's in
    /// their natural order.
    pub(super) fn facets(&self, counts: &Counts) -> Facets {
        let facet = |facet: usize, label: &dyn Fn(&str) -> String| {
            let mut v: Vec<FacetValue> = counts[facet]
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(id, c)| {
                    let value = self.facet_value(facet, id);
                    FacetValue { label: label(&value), value, count: *c }
                })
                .collect();
            if facet < STATIC_FACETS {
                v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
            }
            v
        };
        Facets {
            category: facet(FACET_CATEGORY, &|c| category_label(c).to_string()),
            state: facet(FACET_STATE, &|s| state_name(s).unwrap_or(s).to_string()),
            fhir_version: facet(FACET_FHIR_VERSION, &fhir_release_label),
            environment: facet(FACET_ENVIRONMENT, &|e| {
                if e == "sandbox" { "Sandbox (test data)".to_string() } else { "Production".to_string() }
            }),
            status: facet(FACET_STATUS, &|s| status_label(Health::parse(s)).to_string()),
            cert_days: facet(FACET_CERT, &|d| format!("Within {d} days")),
            carin: facet(FACET_CARIN, &|_| "Passes the CARIN scorecard".to_string()),
            eob: facet(FACET_EOB, &|_| "Offers ExplanationOfBenefit".to_string()),
            line_of_business: facet(FACET_LOB, &|v| {
                LineOfBusiness::parse(v).map_or_else(|| v.to_string(), |l| l.label().to_string())
            }),
            developer: facet(FACET_DEVELOPER, &|v| developer_label(v).to_string()),
        }
    }

    fn facet_len(&self, facet: usize) -> usize {
        match facet {
            FACET_STATUS => STATUS_VALUES.len(),
            FACET_CERT => CERT_BUCKETS.len(),
            FACET_CARIN | FACET_EOB => 1,
            f => self.facet_values[f].len(),
        }
    }

    /// A facet value id as it appears in URLs.
    fn facet_value(&self, facet: usize, id: usize) -> String {
        match facet {
            FACET_STATUS => STATUS_VALUES[id].as_str().to_string(),
            FACET_CERT => CERT_BUCKETS[id].to_string(),
            FACET_CARIN | FACET_EOB => "yes".to_string(),
            f => self.facet_values[f][id].clone(),
        }
    }

    /// Per facet: no filter, a value no document has (nothing matches), or what to match.
    pub(super) fn filters(&self, q: &SearchQuery) -> [Want; FACETS] {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let by_value = |facet: usize, v: &Option<String>| -> Want {
            let Some(v) = given(v) else { return Want::Any };
            let v = if facet == FACET_STATE { v.to_uppercase() } else { v.to_lowercase() };
            (0..self.facet_len(facet))
                .find(|id| {
                    let value = self.facet_value(facet, *id);
                    if facet == FACET_STATE { value == v } else { value.to_lowercase() == v }
                })
                .map_or(Want::Nothing, |id| Want::Id(id as u16))
        };
        let cert = match given(&q.cert_days) {
            None => Want::Any,
            Some(d) => match d.parse::<i64>() {
                Ok(n) => match CERT_BUCKETS.iter().position(|b| *b == n) {
                    Some(id) => Want::Id(id as u16),
                    None => Want::CertWithin(n),
                },
                Err(_) => Want::Nothing,
            },
        };
        [
            by_value(FACET_CATEGORY, &q.category),
            by_value(FACET_STATE, &q.state),
            by_value(FACET_FHIR_VERSION, &q.fhir_version),
            by_value(FACET_ENVIRONMENT, &q.environment),
            by_value(FACET_LOB, &q.line_of_business),
            by_value(FACET_DEVELOPER, &q.developer),
            by_value(FACET_STATUS, &q.status),
            cert,
            by_value(FACET_CARIN, &q.carin),
            by_value(FACET_EOB, &q.eob),
        ]
    }
}

/// The developer facet's values, as the filter list says them.
fn developer_label(v: &str) -> &str {
    match v {
        "sandbox" => "Has a sandbox",
        "self-service" => "Self-service registration",
        "test-patients" => "Offers test patients",
        other => other,
    }
}

/// Words for a brand's status in the status facet.
fn status_label(h: Health) -> &'static str {
    match h {
        Health::Up => "Up",
        Health::Degraded => "Degraded",
        Health::Down => "Down",
        Health::Unknown => "Not checked yet",
    }
}
