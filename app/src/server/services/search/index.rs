//! The index itself: documents in name order, a sorted vocabulary with postings, address
//! maps, and facet values as small ids; and a search over it with the facets counted.
use super::address::{endpoint_key, host_of, registrable};
use super::health::HealthOverlay;
use super::matching::highlight;
use super::query::QueryPlan;
use super::text::{index_terms, phrase, words};
use crate::server::fhir::SYSTEM_URI;
use crate::server::fhir::records::{Address, Identifier};
use crate::types::check::Health;
use crate::types::developer::LineOfBusiness;
use crate::types::search::{
    BrandSummary, FacetValue, Facets, SearchQuery, SearchResponse, category_label, fhir_release_label,
};
use crate::types::states::{state_code, state_name};
use std::collections::HashMap;

/// Where a term was found; a match in the name counts most.
const FIELD_NAME: u8 = 3;
const FIELD_ALIAS: u8 = 2;
const FIELD_OTHER: u8 = 1;

/// Facets: category, state, FHIR version, environment, line of business and developer offers
/// come from the directory (in the index); status, certificate expiry, CARIN and EOB come from
/// the poller (in the `HealthOverlay`, refreshed far more often than the index).
const FACET_CATEGORY: usize = 0;
const FACET_STATE: usize = 1;
const FACET_FHIR_VERSION: usize = 2;
const FACET_ENVIRONMENT: usize = 3;
const FACET_LOB: usize = 4;
const FACET_DEVELOPER: usize = 5;
const FACET_STATUS: usize = 6;
const FACET_CERT: usize = 7;
const FACET_CARIN: usize = 8;
const FACET_EOB: usize = 9;
pub(super) const FACETS: usize = 10;
pub(super) const STATIC_FACETS: usize = 6;

/// An endpoint's environment, from its name: test systems say so ("Aetna Patient Access
/// (sandbox)", "Epic Sandbox"); everything else is production.
pub fn environment_of(endpoint_name: Option<&str>) -> &'static str {
    let name = endpoint_name.unwrap_or("");
    if words(name).iter().any(|w| ["sandbox", "test", "demo", "preview", "preprod"].contains(&w.text.as_str())) {
        "sandbox"
    } else {
        "production"
    }
}

/// The fixed values of the poller's facets.
pub(super) const STATUS_VALUES: [Health; 4] = [Health::Up, Health::Degraded, Health::Down, Health::Unknown];
/// Certificate buckets offered with counts (any other number of days still filters).
pub(super) const CERT_BUCKETS: [i64; 3] = [7, 14, 30];
/// How stale the poller's facets may be before a search reloads them.
pub(super) const HEALTH_TTL: std::time::Duration = std::time::Duration::from_secs(15);

pub struct Doc {
    pub summary: BrandSummary,
    /// The name as one line of normalized words, to reward a query that is the whole name.
    pub(super) name_phrase: String,
    /// Facet values as ids into `SearchIndex::facet_values`, so filtering and counting never
    /// touch a string.
    facets: [Vec<u16>; STATIC_FACETS],
    /// The brand whose endpoints this one uses (its own id, or its parent's when it has none).
    pub(super) health_from: Option<i32>,
}

#[derive(Default)]
pub struct SearchIndex {
    pub version: i64,
    pub(super) docs: Vec<Doc>,
    /// Sorted, distinct terms; `postings[i]` lists (doc, field weight) for `vocab[i]`.
    pub(super) vocab: Vec<String>,
    pub(super) postings: Vec<Vec<(u32, u8)>>,
    /// Indexes into `vocab` of the terms of three ASCII letters or more, by length: the only
    /// candidates for typo matches and suggestions (a number with a typo is another number).
    pub(super) by_length: Vec<Vec<u32>>,
    /// Documents by the address of an endpoint they use (`address::endpoint_key`).
    pub(super) endpoint_keys: HashMap<String, Vec<u32>>,
    /// Documents by the host of an endpoint or of their website, and by its registrable domain.
    pub(super) hosts: HashMap<String, Vec<u32>>,
    pub(super) domains: HashMap<String, Vec<u32>>,
    facet_values: [Vec<String>; STATIC_FACETS],
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
    /// The addresses of the endpoints it uses (its own, or its parent's).
    pub endpoint_addresses: Vec<String>,
    /// Its plans' lines of business (`LineOfBusiness::as_str`).
    pub lines_of_business: Vec<String>,
    /// What its developer facts state it offers: `sandbox`, `self-service`, `test-patients`.
    pub developer: Vec<String>,
}

/// Adds a document to a map's list once.
fn file_under(map: &mut HashMap<String, Vec<u32>>, key: String, doc: u32) {
    let list = map.entry(key).or_default();
    if list.last() != Some(&doc) {
        list.push(doc);
    }
}

impl SearchIndex {
    pub fn build(version: i64, mut inputs: Vec<IndexInput>) -> Self {
        inputs.sort_by(|a, b| {
            a.summary.name.to_lowercase().cmp(&b.summary.name.to_lowercase()).then(a.summary.id.cmp(&b.summary.id))
        });
        let mut terms: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
        let mut docs = Vec::with_capacity(inputs.len());
        let (mut endpoint_keys, mut hosts, mut domains) = (HashMap::new(), HashMap::new(), HashMap::new());
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
            index_terms(&input.summary.name).into_iter().for_each(|t| add(t, FIELD_NAME));
            for alias in input.aliases.iter().chain(&input.portal_names) {
                index_terms(alias).into_iter().for_each(|t| add(t, FIELD_ALIAS));
            }
            let mut states = Vec::new();
            for a in &input.addresses {
                a.city.iter().flat_map(|c| index_terms(c)).for_each(|t| add(t, FIELD_OTHER));
                if let Some(code) = a.state.as_deref().and_then(state_code) {
                    add(code.to_lowercase(), FIELD_OTHER);
                    state_name(code).iter().flat_map(|n| index_terms(n)).for_each(|t| add(t, FIELD_OTHER));
                    if !states.iter().any(|s| s == code) {
                        states.push(code.to_string());
                    }
                }
                if let Some(zip) = &a.postal_code {
                    add(zip.split('-').next().unwrap_or(zip).trim().to_string(), FIELD_OTHER);
                }
            }
            // NPIs, payer ids and other identifiers match as written; a URI identifier by the
            // organization's part of its host.
            for i in &input.identifiers {
                let Some(v) = i.value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else { continue };
                if v.contains("://") {
                    if let Some(host) = host_of(v) {
                        site_words(&host).into_iter().for_each(|t| add(t, FIELD_OTHER));
                    }
                } else if i.system.as_deref() != Some(SYSTEM_URI) {
                    // "41-0730602" is found as typed and as "410730602"; OIDs are not words.
                    let id_words: Vec<String> = words(v).into_iter().filter(|w| !w.part).map(|w| w.text).collect();
                    if id_words.len() > 1 {
                        add(id_words.concat(), FIELD_OTHER);
                    }
                    id_words.into_iter().filter(|w| w.len() >= 4).for_each(|w| add(w, FIELD_OTHER));
                }
            }
            let website_host = input.summary.website.as_ref().and_then(|w| host_of(w.as_str()));
            if let Some(host) = &website_host {
                site_words(host).into_iter().for_each(|t| add(t, FIELD_OTHER));
            }
            for address in &input.endpoint_addresses {
                if let Some(key) = endpoint_key(address) {
                    file_under(&mut endpoint_keys, key, doc);
                }
            }
            let endpoint_hosts = input.endpoint_addresses.iter().filter_map(|a| host_of(a));
            for host in endpoint_hosts.chain(website_host) {
                file_under(&mut domains, registrable(&host), doc);
                file_under(&mut hosts, host, doc);
            }
            let facets = [
                input.summary.categories.iter().map(|c| intern(FACET_CATEGORY, c)).collect(),
                states.iter().map(|c| intern(FACET_STATE, c)).collect(),
                input.summary.fhir_versions.iter().map(|v| intern(FACET_FHIR_VERSION, v)).collect(),
                input.environments.iter().map(|v| intern(FACET_ENVIRONMENT, v)).collect(),
                input.lines_of_business.iter().map(|v| intern(FACET_LOB, v)).collect(),
                input.developer.iter().map(|v| intern(FACET_DEVELOPER, v)).collect(),
            ];
            docs.push(Doc {
                name_phrase: phrase(&input.summary.name),
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
            if term.len() >= 3 && term.bytes().all(|b| b.is_ascii_alphabetic()) {
                if by_length.len() <= term.len() {
                    by_length.resize(term.len() + 1, Vec::new());
                }
                by_length[term.len()].push(n as u32);
            }
        }
        SearchIndex { version, docs, vocab, postings, by_length, endpoint_keys, hosts, domains, facet_values }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// What the index holds in memory, roughly (strings, lists and maps at their lengths).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let strings = |v: &[String]| v.iter().map(|s| s.capacity() + size_of::<String>()).sum::<usize>();
        let map = |m: &HashMap<String, Vec<u32>>| {
            m.iter().map(|(k, v)| k.capacity() + v.capacity() * 4 + size_of::<(String, Vec<u32>)>() + 8).sum::<usize>()
        };
        let docs: usize = self
            .docs
            .iter()
            .map(|d| {
                let s = &d.summary;
                size_of::<Doc>()
                    + d.name_phrase.capacity()
                    + s.name.capacity()
                    + s.location.as_ref().map_or(0, String::capacity)
                    + s.logo_url.as_ref().map_or(0, String::capacity)
                    + s.website.as_ref().map_or(0, |w| w.as_str().len())
                    + strings(&s.categories)
                    + strings(&s.fhir_versions)
                    + d.facets.iter().map(|f| f.capacity() * 2).sum::<usize>()
            })
            .sum();
        docs + strings(&self.vocab)
            + self
                .postings
                .iter()
                .map(|p| p.capacity() * size_of::<(u32, u8)>() + size_of::<Vec<(u32, u8)>>())
                .sum::<usize>()
            + self.by_length.iter().map(|b| b.capacity() * 4).sum::<usize>()
            + map(&self.endpoint_keys)
            + map(&self.hosts)
            + map(&self.domains)
    }

    /// Searches, with the poller's facets and statuses from `health`.
    pub fn search_with(&self, q: &SearchQuery, health: &HealthOverlay) -> SearchResponse {
        let plan = QueryPlan::parse(&q.q);
        let found = self.matches(&plan);
        let mut matched = found.docs;
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
        let (page, per_page) = (q.page(), q.per_page());
        if !plan.is_empty() {
            // Only the results up to this page need their order.
            let by_score = |a: &(u32, u32), b: &(u32, u32)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
            let shown = (page * per_page) as usize;
            if shown < matched.len() {
                matched.select_nth_unstable_by(shown, by_score);
                matched[..shown].sort_unstable_by(by_score);
            } else {
                matched.sort_unstable_by(by_score);
            }
        }
        let results = matched
            .iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .map(|(doc, _)| {
                let mut summary = self.docs[*doc as usize].summary.clone();
                summary.health = overlay.and_then(|o| o.docs[*doc as usize].health);
                summary.highlight = highlight(&summary.name, &plan);
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
            relaxed: found.relaxed,
            kept: found.kept,
            did_you_mean: found.did_you_mean,
            address: found.address,
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
                line_of_business: facet(FACET_LOB, &|v| {
                    LineOfBusiness::parse(v).map_or_else(|| v.to_string(), |l| l.label().to_string())
                }),
                developer: facet(FACET_DEVELOPER, &|v| developer_label(v).to_string()),
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

/// The words of a host that name its organization: "www.aetna.com" → "aetna",
/// "fhir.hhs.texas.gov" → "fhir", "hhs", "texas".
fn site_words(host: &str) -> Vec<String> {
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty() && *l != "www").collect();
    let keep = if labels.len() == 1 { 1 } else { labels.len().saturating_sub(1) };
    labels[..keep].iter().flat_map(|l| words(l)).filter(|w| !w.part).map(|w| w.text).collect()
}
