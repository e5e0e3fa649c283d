//! The index itself: documents in name order, a sorted vocabulary with postings, address
//! maps, and facet values as small ids; and a search over it with the facets counted.
use super::address::{endpoint_key, host_of, registrable};
use super::compact::{KeyedDocs, Lists, MAX_DOCS, Posting, Strings};
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

/// The documents, numbered in the order they were added (brand id order as loaded), with
/// their place in name order, so equal scores list alphabetically.
#[derive(Default)]
pub struct Docs {
    /// Each brand's summary as JSON (no health, no highlight): read back only for the page of
    /// results shown.
    pub(super) summaries: Strings,
    /// The name as one line of normalized words, to reward a query that is the whole name.
    pub(super) name_phrases: Strings,
    /// Facet values as ids into `SearchIndex::facet_values`, so filtering and counting never
    /// touch a string.
    pub(super) facets: [Lists<u16>; STATIC_FACETS],
    /// The brand whose endpoints each one uses (its own id, or its parent's when it has none).
    pub(super) health_from: Vec<Option<i32>>,
    /// Each document's place in name order, and the documents in that order.
    pub(super) rank: Vec<u32>,
    pub(super) by_name: Vec<u32>,
}

impl Docs {
    pub fn len(&self) -> usize {
        self.health_from.len()
    }

    pub fn is_empty(&self) -> bool {
        self.health_from.is_empty()
    }

    pub(super) fn summary(&self, doc: u32) -> Option<BrandSummary> {
        serde_json::from_str(&self.summaries[doc as usize]).ok()
    }
}

#[derive(Default)]
pub struct SearchIndex {
    pub version: i64,
    pub(super) docs: Docs,
    /// Sorted, distinct terms; `postings[i]` lists the documents of `vocab[i]`, in order.
    pub(super) vocab: Strings,
    pub(super) postings: Lists<Posting>,
    /// By length, indexes into `vocab` of the terms of three ASCII letters or more: the only
    /// candidates for typo matches and suggestions (a number with a typo is another number).
    pub(super) by_length: Lists<u32>,
    /// Documents by the address of an endpoint they use (`address::endpoint_key`).
    pub(super) endpoint_keys: KeyedDocs,
    /// Documents by the host of an endpoint or of their website, and by its registrable domain.
    pub(super) hosts: KeyedDocs,
    pub(super) domains: KeyedDocs,
    pub(super) facet_values: [Vec<String>; STATIC_FACETS],
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

/// An index being built a document at a time, so the brands can be read from the database a
/// page at a time and none of them held longer than its own `add`.
#[derive(Default)]
pub struct IndexBuilder {
    version: i64,
    docs: Docs,
    terms: HashMap<String, Vec<Posting>>,
    endpoint_keys: HashMap<String, Vec<u32>>,
    hosts: HashMap<String, Vec<u32>>,
    domains: HashMap<String, Vec<u32>>,
    facet_values: [Vec<String>; STATIC_FACETS],
    facet_ids: [HashMap<String, u16>; STATIC_FACETS],
    /// (lowercased name, brand id) of each document, for the name order.
    sort_keys: Vec<(String, i32)>,
}

impl IndexBuilder {
    pub fn new(version: i64) -> Self {
        IndexBuilder { version, ..Default::default() }
    }

    /// A facet value's id; `None` past the 65,536 ids a facet has room for (such a value is
    /// not offered as a filter rather than taken for another).
    fn intern(&mut self, facet: usize, value: &str) -> Option<u16> {
        if let Some(id) = self.facet_ids[facet].get(value) {
            return Some(*id);
        }
        if self.facet_values[facet].len() > usize::from(u16::MAX) {
            return None;
        }
        self.facet_values[facet].push(value.to_string());
        let id = (self.facet_values[facet].len() - 1) as u16;
        self.facet_ids[facet].insert(value.to_string(), id);
        Some(id)
    }

    pub fn add(&mut self, input: IndexInput) {
        if self.docs.len() >= MAX_DOCS {
            tracing::warn!(limit = MAX_DOCS, "the search index is full; a brand is left out");
            return;
        }
        let doc = self.docs.len() as u32;
        let terms = &mut self.terms;
        let mut add = |term: String, field: u8| {
            let list = terms.entry(term).or_default();
            match list.last_mut() {
                Some(p) if p.doc() == doc => *p = Posting::new(doc, p.field().max(field)),
                _ => list.push(Posting::new(doc, field)),
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
                file_under(&mut self.endpoint_keys, key, doc);
            }
        }
        let endpoint_hosts = input.endpoint_addresses.iter().filter_map(|a| host_of(a));
        for host in endpoint_hosts.chain(website_host) {
            file_under(&mut self.domains, registrable(&host), doc);
            file_under(&mut self.hosts, host, doc);
        }
        let values: [Vec<&str>; STATIC_FACETS] = [
            input.summary.categories.iter().map(String::as_str).collect(),
            states.iter().map(String::as_str).collect(),
            input.summary.fhir_versions.iter().map(String::as_str).collect(),
            input.environments.iter().map(String::as_str).collect(),
            input.lines_of_business.iter().map(String::as_str).collect(),
            input.developer.iter().map(String::as_str).collect(),
        ];
        for (facet, values) in values.iter().enumerate() {
            let ids: Vec<u16> = values.iter().filter_map(|v| self.intern(facet, v)).collect();
            self.docs.facets[facet].push(ids);
        }
        self.docs.name_phrases.push(&phrase(&input.summary.name));
        self.docs.health_from.push(input.health_from);
        self.sort_keys.push((input.summary.name.to_lowercase(), input.summary.id));
        self.docs.summaries.push(&serde_json::to_string(&input.summary).unwrap_or_default());
    }

    pub fn finish(self) -> SearchIndex {
        let IndexBuilder { version, mut docs, terms, endpoint_keys, hosts, domains, facet_values, sort_keys, .. } =
            self;
        let mut order: Vec<u32> = (0..sort_keys.len() as u32).collect();
        order.sort_unstable_by(|a, b| sort_keys[*a as usize].cmp(&sort_keys[*b as usize]));
        drop(sort_keys);
        docs.rank = vec![0; order.len()];
        for (place, doc) in order.iter().enumerate() {
            docs.rank[*doc as usize] = place as u32;
        }
        docs.by_name = order;
        docs.summaries.shrink_to_fit();
        docs.name_phrases.shrink_to_fit();
        docs.facets.iter_mut().for_each(Lists::shrink_to_fit);
        docs.health_from.shrink_to_fit();

        let mut sorted: Vec<(String, Vec<Posting>)> = terms.into_iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let (mut vocab, mut postings) = (Strings::default(), Lists::default());
        let mut by_length: Vec<Vec<u32>> = Vec::new();
        for (n, (term, list)) in sorted.into_iter().enumerate() {
            if term.len() >= 3 && term.bytes().all(|b| b.is_ascii_alphabetic()) {
                if by_length.len() <= term.len() {
                    by_length.resize(term.len() + 1, Vec::new());
                }
                by_length[term.len()].push(n as u32);
            }
            vocab.push(&term);
            postings.push(list);
        }
        vocab.shrink_to_fit();
        postings.shrink_to_fit();
        let mut lengths = Lists::default();
        by_length.into_iter().for_each(|l| lengths.push(l));
        SearchIndex {
            version,
            docs,
            vocab,
            postings,
            by_length: lengths,
            endpoint_keys: KeyedDocs::from_map(endpoint_keys),
            hosts: KeyedDocs::from_map(hosts),
            domains: KeyedDocs::from_map(domains),
            facet_values,
        }
    }
}

impl SearchIndex {
    pub fn build(version: i64, inputs: Vec<IndexInput>) -> Self {
        let mut builder = IndexBuilder::new(version);
        inputs.into_iter().for_each(|i| builder.add(i));
        builder.finish()
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// What the index holds in memory (its buffers at their capacity).
    pub fn heap_bytes(&self) -> usize {
        let d = &self.docs;
        d.summaries.heap_bytes()
            + d.name_phrases.heap_bytes()
            + d.facets.iter().map(Lists::heap_bytes).sum::<usize>()
            + d.health_from.capacity() * std::mem::size_of::<Option<i32>>()
            + (d.rank.capacity() + d.by_name.capacity()) * 4
            + self.vocab.heap_bytes()
            + self.postings.heap_bytes()
            + self.by_length.heap_bytes()
            + self.endpoint_keys.heap_bytes()
            + self.hosts.heap_bytes()
            + self.domains.heap_bytes()
    }

    /// Searches, with the poller's facets and statuses from `health`.
    pub fn search_with(&self, q: &SearchQuery, health: &HealthOverlay) -> SearchResponse {
        let plan = QueryPlan::parse(&q.q);
        let found = self.matches(&plan);
        let mut matched = found.docs;
        let overlay = Some(health).filter(|h| h.index_version == self.version && h.len() == self.docs.len());
        let no_values: &[u16] = &[];
        let values_of = |doc: u32, facet: usize| -> &[u16] {
            if facet < STATIC_FACETS {
                &self.docs.facets[facet][doc as usize]
            } else {
                overlay.map_or(no_values, |o| &o.of(doc).values[facet - STATIC_FACETS])
            }
        };
        let filters = self.filters(q);
        let passes = |doc: u32, facet: usize| match filters[facet] {
            Want::Any => true,
            Want::Nothing => false,
            Want::Id(id) => values_of(doc, facet).contains(&id),
            Want::CertWithin(n) => overlay.and_then(|o| o.of(doc).min_cert_days).is_some_and(|d| (d as i64) <= n),
        };

        // Each facet's counts honour the other facets' filters but not its own.
        let mut counts: [Vec<u32>; FACETS] = std::array::from_fn(|f| vec![0; self.facet_len(f)]);
        if filters.iter().all(|f| matches!(f, Want::Any)) {
            // Nothing filtered (most searches): every match counts in every facet, with one
            // look at each of its values instead of a hundred checks of the others' filters.
            for (doc, _) in &matched {
                for (facet, counts) in counts.iter_mut().enumerate() {
                    values_of(*doc, facet).iter().for_each(|id| counts[*id as usize] += 1);
                }
            }
        } else {
            self.count_filtered(&mut matched, &mut counts, &passes, &values_of);
        }
        let rank = &self.docs.rank;
        // Equal scores list in name order (and without a query they are all equal, and
        // `matches` gave them in that order).
        let (page, per_page) = (q.page(), q.per_page());
        if !plan.is_empty() {
            // Only the results up to this page need their order.
            let by_score =
                |a: &(u32, u32), b: &(u32, u32)| b.1.cmp(&a.1).then(rank[a.0 as usize].cmp(&rank[b.0 as usize]));
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
            .filter_map(|(doc, _)| {
                let mut summary = self.docs.summary(*doc)?;
                summary.health = overlay.and_then(|o| o.of(*doc).health);
                summary.highlight = highlight(&summary.name, &plan);
                Some(summary)
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

    /// Keeps the matches every filter passes, counting each facet's values over the matches
    /// that pass the other facets' filters (a facet's counts ignore its own filter).
    fn count_filtered<'a>(
        &self,
        matched: &mut Vec<(u32, u32)>,
        counts: &mut [Vec<u32>; FACETS],
        passes: &impl Fn(u32, usize) -> bool,
        values_of: &impl Fn(u32, usize) -> &'a [u16],
    ) {
        matched.retain(|(doc, _)| {
            let pass: [bool; FACETS] = std::array::from_fn(|f| passes(*doc, f));
            let failed = pass.iter().filter(|p| !**p).count();
            for (facet, counts) in counts.iter_mut().enumerate() {
                // Every other facet passes: none failed, or only this one.
                if failed == 0 || (failed == 1 && !pass[facet]) {
                    values_of(*doc, facet).iter().for_each(|id| counts[*id as usize] += 1);
                }
            }
            failed == 0
        });
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
