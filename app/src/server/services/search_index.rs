//! The directory search: an in-memory inverted index over names, aliases, portal names,
//! cities, states, domains and NPIs, rebuilt when the directory version changes. Matching and
//! ranking happen here, in Rust, so SQLite and PostgreSQL give identical answers.
use super::brands::{directory_version, parse_list, safe_logo};
use crate::error::AppError;
use crate::server::entities::{brand, brand_endpoint, endpoint, portal};
use crate::server::fhir::records::{Address, Identifier};
use crate::server::fhir::{SYSTEM_NPI, SYSTEM_URI};
use crate::types::check::Health;
use crate::types::link::WebUrl;
use crate::types::search::{
    BrandSummary, FacetValue, Facets, SearchQuery, SearchResponse, category_label, fhir_release_label,
};
use crate::types::states::{state_code, state_name};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Where a term was found; a match in the name counts most.
const FIELD_NAME: u8 = 3;
const FIELD_ALIAS: u8 = 2;
const FIELD_OTHER: u8 = 1;

const WEB_NOISE: [&str; 8] = ["www", "http", "https", "com", "org", "net", "gov", "edu"];

/// Facets, in the order of `Facets`: category, state, FHIR version and environment come from
/// the directory (in the index); status, certificate expiry, CARIN and EOB come from the poller
/// (in the `HealthOverlay`, refreshed far more often than the index).
const FACET_CATEGORY: usize = 0;
const FACET_STATE: usize = 1;
const FACET_FHIR_VERSION: usize = 2;
const FACET_ENVIRONMENT: usize = 3;
const FACET_STATUS: usize = 4;
const FACET_CERT: usize = 5;
const FACET_CARIN: usize = 6;
const FACET_EOB: usize = 7;
const FACETS: usize = 8;
const STATIC_FACETS: usize = 4;

/// An endpoint's environment, from its name: test systems say so ("Aetna Patient Access
/// (sandbox)", "Epic Sandbox"); everything else is production.
pub fn environment_of(endpoint_name: Option<&str>) -> &'static str {
    let name = endpoint_name.unwrap_or("").to_lowercase();
    if ["sandbox", "test", "demo", "preview", "preprod"].iter().any(|w| tokenize(&name).any(|t| t == *w)) {
        "sandbox"
    } else {
        "production"
    }
}

/// The fixed values of the poller's facets.
const STATUS_VALUES: [Health; 4] = [Health::Up, Health::Degraded, Health::Down, Health::Unknown];
/// Certificate buckets offered with counts (any other number of days still filters).
const CERT_BUCKETS: [i64; 3] = [7, 14, 30];
/// How stale the poller's facets may be before a search reloads them.
const HEALTH_TTL: std::time::Duration = std::time::Duration::from_secs(15);

pub struct Doc {
    pub summary: BrandSummary,
    name_lc: String,
    /// Facet values as ids into `SearchIndex::facet_values`, so filtering and counting never
    /// touch a string.
    facets: [Vec<u16>; STATIC_FACETS],
    /// The brand whose endpoints this one uses (its own id, or its parent's when it has none).
    health_from: Option<i32>,
}

#[derive(Default)]
pub struct SearchIndex {
    pub version: i64,
    docs: Vec<Doc>,
    /// Sorted, distinct terms; `postings[i]` lists (doc, field weight) for `vocab[i]`.
    vocab: Vec<String>,
    postings: Vec<Vec<(u32, u8)>>,
    /// Indexes into `vocab` of the purely alphabetic terms, by length in bytes: the only
    /// candidates for typo matches (a number with a typo is another number).
    by_length: Vec<Vec<u32>>,
    facet_values: [Vec<String>; STATIC_FACETS],
}

/// A brand's endpoints as the poller last saw them.
#[derive(Clone, Debug, Default)]
pub struct BrandHealth {
    pub health: Option<Health>,
    pub min_cert_days: Option<i32>,
    /// Value ids of the poller's facets, in facet order from `FACET_STATUS`.
    values: [Vec<u16>; FACETS - STATIC_FACETS],
}

/// The poller's view of every brand of one index, aligned with its documents.
#[derive(Default)]
pub struct HealthOverlay {
    index_version: i64,
    loaded_at: Option<std::time::Instant>,
    docs: Vec<BrandHealth>,
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

    fn fresh_for(&self, index: &SearchIndex) -> bool {
        self.index_version == index.version && self.loaded_at.is_some_and(|t| t.elapsed() < HEALTH_TTL)
    }
}

/// One facet's filter.
#[derive(Clone, Copy)]
enum Want {
    Any,
    /// A value no document has: nothing matches.
    Nothing,
    Id(u16),
    /// A certificate expiring within this many days (a number without a bucket).
    CertWithin(i64),
}

pub fn tokenize(text: &str) -> impl Iterator<Item = String> + '_ {
    crate::types::search::terms(text)
}

fn normalize(text: &str) -> String {
    tokenize(text).collect::<Vec<_>>().join(" ")
}

/// The registrable part of a host, as words: "www.aetna.com" → "aetna".
fn domain_words(url: &str) -> Vec<String> {
    let host = url.split("://").nth(1).unwrap_or(url).split(['/', ':', '?']).next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty() && *l != "www").collect();
    let keep = labels.len().saturating_sub(1).max(if labels.len() == 1 { 1 } else { 0 });
    labels[..keep].iter().flat_map(|l| tokenize(l)).collect()
}

/// Optimal-string-alignment distance, giving up once it must exceed `max`.
fn edit_distance_within(a: &[u8], b: &[u8], max: usize) -> bool {
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m] <= max
}

/// What a brand contributes to the index, read from the database.
pub struct IndexInput {
    pub summary: BrandSummary,
    pub aliases: Vec<String>,
    pub portal_names: Vec<String>,
    pub addresses: Vec<Address>,
    pub identifiers: Vec<Identifier>,
    /// The brand whose endpoints it uses: itself, or its parent when it has none of its own.
    pub health_from: Option<i32>,
    /// `production` and/or `sandbox`, of its endpoints (`environment_of`).
    pub environments: Vec<String>,
}

impl SearchIndex {
    pub fn build(version: i64, mut inputs: Vec<IndexInput>) -> Self {
        inputs.sort_by(|a, b| {
            a.summary.name.to_lowercase().cmp(&b.summary.name.to_lowercase()).then(a.summary.id.cmp(&b.summary.id))
        });
        let mut terms: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
        let mut docs = Vec::with_capacity(inputs.len());
        let mut facet_values: [Vec<String>; STATIC_FACETS] = Default::default();
        let mut facet_ids: [HashMap<String, u16>; STATIC_FACETS] = Default::default();
        let mut intern = |facet: usize, value: &str| -> u16 {
            *facet_ids[facet].entry(value.to_string()).or_insert_with(|| {
                facet_values[facet].push(value.to_string());
                (facet_values[facet].len() - 1) as u16
            })
        };
        for (n, input) in inputs.into_iter().enumerate() {
            let doc = n as u32;
            let mut add = |term: String, field: u8| {
                let list = terms.entry(term).or_default();
                match list.last_mut() {
                    Some((d, f)) if *d == doc => *f = (*f).max(field),
                    _ => list.push((doc, field)),
                }
            };
            tokenize(&input.summary.name).for_each(|t| add(t, FIELD_NAME));
            for alias in input.aliases.iter().chain(&input.portal_names) {
                tokenize(alias).for_each(|t| add(t, FIELD_ALIAS));
            }
            let mut states = Vec::new();
            for a in &input.addresses {
                a.city.iter().flat_map(|c| tokenize(c)).for_each(|t| add(t, FIELD_OTHER));
                if let Some(code) = a.state.as_deref().and_then(state_code) {
                    add(code.to_lowercase(), FIELD_OTHER);
                    state_name(code).iter().flat_map(|n| tokenize(n)).for_each(|t| add(t, FIELD_OTHER));
                    if !states.iter().any(|s| s == code) {
                        states.push(code.to_string());
                    }
                }
                if let Some(zip) = &a.postal_code {
                    add(zip.split('-').next().unwrap_or(zip).to_string(), FIELD_OTHER);
                }
            }
            for i in &input.identifiers {
                match (i.system.as_deref(), i.value.as_deref()) {
                    (Some(SYSTEM_NPI), Some(v)) => add(v.to_string(), FIELD_OTHER),
                    (Some(SYSTEM_URI), Some(v)) if v.contains("://") => {
                        domain_words(v).into_iter().for_each(|t| add(t, FIELD_OTHER))
                    }
                    _ => {}
                }
            }
            if let Some(w) = &input.summary.website {
                domain_words(w.as_str()).into_iter().for_each(|t| add(t, FIELD_OTHER));
            }
            let facets = [
                input.summary.categories.iter().map(|c| intern(FACET_CATEGORY, c)).collect(),
                states.iter().map(|c| intern(FACET_STATE, c)).collect(),
                input.summary.fhir_versions.iter().map(|v| intern(FACET_FHIR_VERSION, v)).collect(),
                input.environments.iter().map(|v| intern(FACET_ENVIRONMENT, v)).collect(),
            ];
            docs.push(Doc {
                name_lc: normalize(&input.summary.name),
                facets,
                health_from: input.health_from,
                summary: input.summary,
            });
        }
        let mut sorted: Vec<(String, Vec<(u32, u8)>)> = terms.into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let (vocab, postings): (Vec<String>, Vec<_>) = sorted.into_iter().unzip();
        let mut by_length: Vec<Vec<u32>> = Vec::new();
        for (n, term) in vocab.iter().enumerate() {
            if term.len() >= 4 && term.chars().all(char::is_alphabetic) {
                if by_length.len() <= term.len() {
                    by_length.resize(term.len() + 1, Vec::new());
                }
                by_length[term.len()].push(n as u32);
            }
        }
        SearchIndex { version, docs, vocab, postings, by_length, facet_values }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Best score per document for one query token (exact 3, prefix 2, typo 1, times the
    /// field), as a dense array over all documents, and the documents that scored.
    fn token_scores(&self, token: &str) -> (Vec<u32>, Vec<u32>) {
        let mut scores = vec![0u32; self.docs.len()];
        let mut matched = Vec::new();
        let mut credit = |term: usize, kind: u32| {
            for (doc, field) in &self.postings[term] {
                let s = kind * u32::from(*field);
                let e = &mut scores[*doc as usize];
                if *e == 0 {
                    matched.push(*doc);
                }
                *e = (*e).max(s);
            }
        };
        let start = self.vocab.partition_point(|t| t.as_str() < token);
        let mut i = start;
        while i < self.vocab.len() && self.vocab[i].starts_with(token) {
            credit(i, if self.vocab[i] == token { 3 } else { 2 });
            i += 1;
        }
        // Short words get no typo (too many near neighbours), long ones two.
        let max_typos = match token.chars().count() {
            0..=4 => 0,
            5..=8 => 1,
            _ => 2,
        };
        if max_typos > 0 && token.chars().all(char::is_alphabetic) {
            let tb = token.as_bytes();
            let lengths = tb.len().saturating_sub(max_typos)..=tb.len() + max_typos;
            for bucket in lengths.filter_map(|l| self.by_length.get(l)) {
                for &n in bucket {
                    let n = n as usize;
                    if !(start..i).contains(&n) && edit_distance_within(tb, self.vocab[n].as_bytes(), max_typos) {
                        credit(n, 1);
                    }
                }
            }
        }
        (scores, matched)
    }

    /// Searches, with the poller's facets and statuses from `health`.
    pub fn search_with(&self, q: &SearchQuery, health: &HealthOverlay) -> SearchResponse {
        let mut tokens: Vec<String> = tokenize(&q.q).collect();
        // Parts of a typed web address that no brand is known by ("kaiser.com", "www.aetna.com").
        if tokens.iter().any(|t| !WEB_NOISE.contains(&t.as_str())) {
            tokens.retain(|t| !WEB_NOISE.contains(&t.as_str()));
        }
        let phrase = normalize(&q.q);
        // (doc, score) of every document matching all tokens.
        let mut matched: Vec<(u32, u32)> = if tokens.is_empty() {
            (0..self.docs.len() as u32).map(|d| (d, 0)).collect()
        } else {
            let mut per_token: Vec<(Vec<u32>, Vec<u32>)> = tokens.iter().map(|t| self.token_scores(t)).collect();
            per_token.sort_by_key(|(_, docs)| docs.len());
            let (first, rest) = per_token.split_first().expect("at least one token");
            first
                .1
                .iter()
                .filter_map(|&doc| {
                    let mut total = first.0[doc as usize];
                    for (scores, _) in rest {
                        match scores[doc as usize] {
                            0 => return None,
                            s => total += s,
                        }
                    }
                    let name = &self.docs[doc as usize].name_lc;
                    if *name == phrase {
                        total += 100;
                    } else if name.starts_with(&phrase) {
                        total += 50;
                    }
                    Some((doc, total))
                })
                .collect()
        };
        let overlay = Some(health).filter(|h| h.index_version == self.version && h.docs.len() == self.docs.len());
        let no_values: &[u16] = &[];
        let values_of = |doc: u32, facet: usize| -> &[u16] {
            if facet < STATIC_FACETS {
                &self.docs[doc as usize].facets[facet]
            } else {
                overlay.map_or(no_values, |o| &o.docs[doc as usize].values[facet - STATIC_FACETS])
            }
        };
        let filters = self.filters(q);
        let passes = |doc: u32, facet: usize| match filters[facet] {
            Want::Any => true,
            Want::Nothing => false,
            Want::Id(id) => values_of(doc, facet).contains(&id),
            Want::CertWithin(n) => {
                overlay.and_then(|o| o.docs[doc as usize].min_cert_days).is_some_and(|d| (d as i64) <= n)
            }
        };

        // Each facet's counts honour the other facets' filters but not its own.
        let mut counts: [Vec<u32>; FACETS] = std::array::from_fn(|f| vec![0; self.facet_len(f)]);
        matched.retain(|(doc, _)| {
            let pass: [bool; FACETS] = std::array::from_fn(|f| passes(*doc, f));
            for facet in 0..FACETS {
                if (0..FACETS).all(|other| other == facet || pass[other]) {
                    values_of(*doc, facet).iter().for_each(|id| counts[facet][*id as usize] += 1);
                }
            }
            pass.iter().all(|p| *p)
        });
        // Documents are stored in name order, so equal scores stay alphabetical (and without a
        // query they are all equal and already in order).
        if !tokens.is_empty() {
            matched.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        let (page, per_page) = (q.page(), q.per_page());
        let results = matched
            .iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .map(|(doc, _)| {
                let mut summary = self.docs[*doc as usize].summary.clone();
                summary.health = overlay.and_then(|o| o.docs[*doc as usize].health);
                summary
            })
            .collect();
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
            // The directory's facets by count; the poller's keep their natural order.
            if facet < STATIC_FACETS {
                v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
            }
            v
        };
        SearchResponse {
            total: matched.len() as u32,
            page,
            per_page,
            results,
            facets: Facets {
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
            },
        }
    }

    /// Searches with the directory's facets only (no poller data).
    pub fn search(&self, q: &SearchQuery) -> SearchResponse {
        self.search_with(q, &HealthOverlay::default())
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
    fn filters(&self, q: &SearchQuery) -> [Want; FACETS] {
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
            by_value(FACET_STATUS, &q.status),
            cert,
            by_value(FACET_CARIN, &q.carin),
            by_value(FACET_EOB, &q.eob),
        ]
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

/// Reads everything the index needs from the database.
pub async fn load_inputs<C: ConnectionTrait>(db: &C) -> Result<Vec<IndexInput>, DbErr> {
    use brand::Column as B;
    type BrandRow =
        (i32, i32, String, String, String, String, String, Option<String>, String, Option<String>, Option<String>);
    let brands: Vec<BrandRow> = brand::Entity::find()
        .select_only()
        .columns([
            B::Id,
            B::SourceId,
            B::ResourceId,
            B::Name,
            B::Aliases,
            B::Identifiers,
            B::Categories,
            B::Website,
            B::Addresses,
            B::LogoUrl,
            B::PartOf,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let links: Vec<(i32, i32)> = brand_endpoint::Entity::find()
        .select_only()
        .columns([brand_endpoint::Column::BrandId, brand_endpoint::Column::EndpointId])
        .into_tuple()
        .all(db)
        .await?;
    let versions: HashMap<i32, (Vec<String>, &'static str)> = endpoint::Entity::find()
        .select_only()
        .columns([endpoint::Column::Id, endpoint::Column::FhirVersions, endpoint::Column::Name])
        .into_tuple::<(i32, String, Option<String>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, v, name)| (id, (parse_list(&v), environment_of(name.as_deref()))))
        .collect();
    let mut portal_names: HashMap<i32, Vec<String>> = HashMap::new();
    for (brand_id, name) in portal::Entity::find()
        .select_only()
        .columns([portal::Column::BrandId, portal::Column::Name])
        .into_tuple::<(i32, Option<String>)>()
        .all(db)
        .await?
    {
        portal_names.entry(brand_id).or_default().extend(name);
    }
    let mut own: HashMap<i32, (u32, Vec<String>, Vec<String>)> = HashMap::new();
    for (brand_id, endpoint_id) in links {
        let e = own.entry(brand_id).or_default();
        e.0 += 1;
        if let Some((vs, env)) = versions.get(&endpoint_id) {
            for v in vs {
                if !e.1.contains(v) {
                    e.1.push(v.clone());
                }
            }
            if !e.2.iter().any(|x| x == env) {
                e.2.push(env.to_string());
            }
        }
    }
    let by_resource: HashMap<(i32, &str), i32> = brands.iter().map(|b| ((b.1, b.2.as_str()), b.0)).collect();
    let mut inputs = Vec::with_capacity(brands.len());
    for (id, source_id, _rid, name, aliases, identifiers, categories, website, addresses, logo_url, part_of) in &brands
    {
        // A child brand without endpoints of its own uses its parent's.
        let parent = part_of.as_deref().and_then(|p| by_resource.get(&(*source_id, p)));
        let (count, mut fhir_versions, environments) =
            own.get(id).or_else(|| parent.and_then(|p| own.get(p))).cloned().unwrap_or_default();
        fhir_versions.sort();
        let health_from = if own.contains_key(id) { Some(*id) } else { parent.copied() };
        let addresses: Vec<Address> = parse_list(addresses);
        let location = addresses.iter().find_map(|a| match (&a.city, a.state.as_deref().and_then(state_code)) {
            (Some(c), Some(s)) => Some(format!("{c}, {s}")),
            (None, Some(s)) => Some(state_name(s).unwrap_or(s).to_string()),
            (Some(c), None) => Some(c.clone()),
            (None, None) => None,
        });
        inputs.push(IndexInput {
            summary: BrandSummary {
                id: *id,
                name: name.clone(),
                categories: parse_list(categories),
                location,
                logo_url: safe_logo(logo_url.as_deref()),
                endpoint_count: count,
                fhir_versions,
                website: WebUrl::parse_opt(website.as_deref()),
                health: None,
            },
            aliases: parse_list(aliases),
            portal_names: portal_names.remove(id).unwrap_or_default(),
            addresses,
            identifiers: parse_list(identifiers),
            health_from,
            environments,
        });
    }
    Ok(inputs)
}

/// The shared, lazily refreshed index of a running server.
#[derive(Clone, Default)]
pub struct SearchState {
    current: Arc<RwLock<Arc<SearchIndex>>>,
    rebuilding: Arc<tokio::sync::Mutex<()>>,
    health: Arc<RwLock<Arc<HealthOverlay>>>,
    reloading_health: Arc<tokio::sync::Mutex<()>>,
}

/// Every polled endpoint of every brand: (brand id, health, certificate days left, CARIN
/// conformant, offers EOB).
async fn load_health<C: ConnectionTrait>(db: &C) -> Result<Vec<(i32, Health, Option<i32>, bool, bool)>, DbErr> {
    let sql = "SELECT be.brand_id, h.health, h.cert_days_left, h.carin_conformant, h.supports_eob \
               FROM brand_endpoint be JOIN endpoint_health h ON h.endpoint_id = be.endpoint_id";
    let rows = db.query_all_raw(super::sql::statement(db, sql, vec![])).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get::<i32>("", "brand_id").ok()?,
                Health::parse(&r.try_get::<String>("", "health").ok()?),
                r.try_get::<Option<i32>>("", "cert_days_left").ok()?,
                r.try_get::<bool>("", "carin_conformant").ok()?,
                r.try_get::<bool>("", "supports_eob").ok()?,
            ))
        })
        .collect())
}

impl SearchState {
    /// A search over the current index, with the poller's statuses and facets (at most
    /// `HEALTH_TTL` old).
    /// A search within the shared limits (`SearchQuery::check_limits`), run on a blocking
    /// thread so a costly query never holds up the async threads serving other requests.
    pub async fn search<C: ConnectionTrait>(&self, db: &C, q: &SearchQuery) -> Result<SearchResponse, AppError> {
        q.check_limits().map_err(AppError::BadRequest)?;
        let index = self.index(db).await?;
        let health = self.health(db, &index).await?;
        let q = q.clone();
        super::cpu::run("search", move || index.search_with(&q, &health)).await
    }

    async fn health<C: ConnectionTrait>(&self, db: &C, index: &Arc<SearchIndex>) -> Result<Arc<HealthOverlay>, DbErr> {
        let current = || self.health.read().unwrap_or_else(|e| e.into_inner()).clone();
        let h = current();
        if h.fresh_for(index) {
            return Ok(h);
        }
        let _guard = self.reloading_health.lock().await;
        let h = current();
        if h.fresh_for(index) {
            return Ok(h);
        }
        let rows = load_health(db).await?;
        let index = index.clone();
        let built = Arc::new(
            tokio::task::spawn_blocking(move || HealthOverlay::build(&index, rows))
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?,
        );
        *self.health.write().unwrap_or_else(|e| e.into_inner()) = built.clone();
        Ok(built)
    }

    /// The index for the directory as it is now, rebuilt first if an import changed it.
    pub async fn index<C: ConnectionTrait>(&self, db: &C) -> Result<Arc<SearchIndex>, DbErr> {
        let version = directory_version(db).await?;
        // An index of version 0 is the empty one a server starts with; the database is at 0
        // only before its first import, when it is empty too.
        let fresh = |s: &Self| {
            let idx = s.current.read().unwrap_or_else(|e| e.into_inner()).clone();
            (idx.version == version).then_some(idx)
        };
        if let Some(idx) = fresh(self) {
            return Ok(idx);
        }
        let _guard = self.rebuilding.lock().await;
        if let Some(idx) = fresh(self) {
            return Ok(idx);
        }
        let started = std::time::Instant::now();
        let inputs = load_inputs(db).await?;
        let idx = Arc::new(
            tokio::task::spawn_blocking(move || SearchIndex::build(version, inputs))
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?,
        );
        tracing::info!(
            brands = idx.len(),
            version,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search index built"
        );
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = idx.clone();
        Ok(idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(id: i32, name: &str, aliases: &[&str], city: &str, state: &str, cats: &[&str]) -> IndexInput {
        IndexInput {
            summary: BrandSummary {
                id,
                name: name.into(),
                categories: cats.iter().map(|c| c.to_string()).collect(),
                location: None,
                logo_url: None,
                endpoint_count: 1,
                fhir_versions: vec!["4.0.1".into()],
                website: WebUrl::parse_opt(Some(&format!(
                    "https://www.{}.com",
                    name.split(' ').next().unwrap().to_lowercase()
                ))),
                health: None,
            },
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            portal_names: vec![],
            addresses: vec![Address { city: Some(city.into()), state: Some(state.into()), ..Default::default() }],
            identifiers: vec![Identifier { system: Some(SYSTEM_NPI.into()), value: Some("1234567893".into()) }],
            health_from: Some(id),
            environments: vec!["production".into()],
        }
    }

    fn index() -> SearchIndex {
        SearchIndex::build(
            1,
            vec![
                input(1, "Aetna", &["Aetna Better Health"], "Hartford", "CT", &["ins"]),
                input(2, "Aetna Medicaid of Texas", &[], "Dallas", "TX", &["ins"]),
                input(3, "Metna Clinic", &[], "Austin", "TX", &["prov"]),
                input(4, "Blue Cross Blue Shield of Texas", &["BCBSTX"], "Richardson", "TX", &["ins"]),
                input(5, "Kaiser Permanente", &[], "Oakland", "CA", &["ins", "prov"]),
            ],
        )
    }

    fn ids(r: &SearchResponse) -> Vec<i32> {
        r.results.iter().map(|b| b.id).collect()
    }

    fn q(text: &str) -> SearchQuery {
        SearchQuery { q: text.into(), ..Default::default() }
    }

    #[test]
    fn the_pollers_facets_filter_count_and_label_results() {
        let idx = index();
        let overlay = HealthOverlay::build(
            &idx,
            vec![
                // Aetna: both up, one certificate 5 days from expiry, CARIN and EOB.
                (1, Health::Up, Some(200), true, true),
                (1, Health::Up, Some(5), false, false),
                // Aetna Medicaid: one up, one down (degraded overall), EOB.
                (2, Health::Up, Some(100), false, true),
                (2, Health::Down, None, false, false),
                // Metna: down.
                (3, Health::Down, None, false, false),
                // BCBSTX: not checked yet. Kaiser: no polled endpoint.
                (4, Health::Unknown, None, false, false),
            ],
        );
        let count = |v: &[FacetValue], value: &str| v.iter().find(|f| f.value == value).map(|f| f.count);
        let all = idx.search_with(&SearchQuery::default(), &overlay);
        assert_eq!(
            all.facets.status.iter().map(|f| (f.value.as_str(), f.count)).collect::<Vec<_>>(),
            [("up", 1), ("degraded", 1), ("down", 1), ("unknown", 1)]
        );
        assert_eq!((count(&all.facets.cert_days, "7"), count(&all.facets.cert_days, "30")), (Some(1), Some(1)));
        assert_eq!(count(&all.facets.carin, "yes"), Some(1));
        assert_eq!(count(&all.facets.eob, "yes"), Some(2));
        let health: HashMap<i32, Option<Health>> = all.results.iter().map(|b| (b.id, b.health)).collect();
        assert_eq!(health[&1], Some(Health::Up));
        assert_eq!(health[&2], Some(Health::Degraded));
        assert_eq!(health[&5], None);

        let with = |f: &str, v: &str| {
            let mut q = SearchQuery::default();
            q.set_filter(f, Some(v.into()));
            let mut ids = ids(&idx.search_with(&q, &overlay));
            ids.sort();
            ids
        };
        assert_eq!(with("status", "down"), [3]);
        assert_eq!(with("status", "DEGRADED"), [2]);
        assert_eq!(with("cert_days", "10"), [1], "any number of days filters");
        assert_eq!(with("cert_days", "3"), Vec::<i32>::new());
        assert_eq!(with("cert_days", "soon"), Vec::<i32>::new());
        assert_eq!(with("eob", "yes"), [1, 2]);
        assert_eq!(with("carin", "yes"), [1]);
        // Counts of the other facets follow the filter.
        let mut q = SearchQuery::default();
        q.set_filter("eob", Some("yes".into()));
        let r = idx.search_with(&q, &overlay);
        assert_eq!(count(&r.facets.status, "down"), None);
        assert_eq!(count(&r.facets.eob, "yes"), Some(2), "a facet's own filter does not narrow its counts");
        // An overlay from another index version is ignored rather than misapplied.
        let other = SearchIndex::build(2, vec![]);
        assert!(
            idx.search_with(&SearchQuery::default(), &HealthOverlay::build(&other, vec![])).results[0].health.is_none()
        );
    }

    #[test]
    fn exact_and_prefix_rank_first() {
        let idx = index();
        let r = idx.search(&q("aetna"));
        assert_eq!(ids(&r)[..2], [1, 2]);
        // "metna" is one typo away from "aetna", so it comes, but after both real matches.
        assert_eq!(ids(&r), vec![1, 2, 3]);
        assert_eq!(ids(&idx.search(&q("kai")))[0], 5);
    }

    #[test]
    fn tolerates_small_typos() {
        let idx = index();
        assert!(ids(&idx.search(&q("aetan"))).contains(&1), "transposition");
        assert!(ids(&idx.search(&q("kaisr permanente"))).contains(&5), "deletion");
        assert!(idx.search(&q("zzzz")).results.is_empty());
    }

    #[test]
    fn matches_aliases_cities_states_domains_and_npi() {
        let idx = index();
        assert_eq!(ids(&idx.search(&q("bcbstx"))), vec![4]);
        assert_eq!(ids(&idx.search(&q("oakland"))), vec![5]);
        assert_eq!(ids(&idx.search(&q("texas blue"))), vec![4]);
        assert!(ids(&idx.search(&q("kaiser.com"))).contains(&5));
        assert_eq!(idx.search(&q("1234567893")).total, 5);
    }

    #[test]
    fn filters_and_facets() {
        let idx = index();
        let r =
            idx.search(&SearchQuery { state: Some("tx".into()), category: Some("ins".into()), ..Default::default() });
        assert_eq!(ids(&r), vec![2, 4]);
        // The category facet counts ignore the category filter but honour the state filter.
        let prov = r.facets.category.iter().find(|f| f.value == "prov").unwrap();
        assert_eq!(prov.count, 1);
        let tx = r.facets.state.iter().find(|f| f.value == "TX").unwrap();
        assert_eq!((tx.count, tx.label.as_str()), (2, "Texas"));
        let none = idx.search(&SearchQuery { state: Some("ZZ".into()), ..Default::default() });
        assert_eq!(none.total, 0, "a filter value no brand has matches nothing");
    }

    #[test]
    fn paginates_in_name_order_without_a_query() {
        let idx = index();
        let r = idx.search(&SearchQuery { per_page: Some(2), page: Some(2), ..Default::default() });
        assert_eq!(r.total, 5);
        assert_eq!(ids(&r), vec![4, 5]);
    }

    #[test]
    fn typo_tolerance_grows_with_word_length() {
        let idx = SearchIndex::build(
            1,
            vec![
                input(1, "Texas Medicaid", &[], "Austin", "TX", &["ins"]),
                input(2, "Tenet Medical", &[], "Dallas", "TX", &["prov"]),
            ],
        );
        // "medicaid" and "medical" are two edits apart: too far for an 8-letter word.
        assert_eq!(ids(&idx.search(&q("medicaid"))), vec![1]);
        // "medicad" is one edit from both words, so both come.
        assert_eq!(idx.search(&q("medicad")).total, 2);
        assert_eq!(ids(&idx.search(&q("permanente"))), Vec::<i32>::new());
    }

    #[test]
    fn edit_distance() {
        assert!(edit_distance_within(b"aetan", b"aetna", 1));
        assert!(!edit_distance_within(b"aetan", b"kaiser", 2));
        assert!(edit_distance_within(b"permanente", b"permanent", 1));
    }
}
