//! The index itself: documents in name order, a sorted vocabulary with postings, address
//! maps, and facet values as small ids; and a search over it with the facets counted.
use super::address::{endpoint_key, host_of, registrable};
use super::compact::{BlockStrings, Filing, KeyedDocs, Lists, MAX_DOCS, Posting, Strings};
use super::health::HealthOverlay;
use super::matching::highlight;
use super::query::QueryPlan;
use super::text::{index_terms, phrase, words};
use super::vocabulary::Vocabulary;
use crate::server::fhir::SYSTEM_URI;
use crate::server::fhir::records::{Address, Identifier};
use crate::types::check::Health;
use crate::types::search::{BrandSummary, SearchQuery, SearchResponse};
use crate::types::states::{state_code, state_name};
use std::collections::HashMap;

/// Where a term was found; a match in the name counts most.
const FIELD_NAME: u8 = 3;
const FIELD_ALIAS: u8 = 2;
const FIELD_OTHER: u8 = 1;

/// Facets: category, state, FHIR version, environment, line of business and developer offers
/// come from the directory (in the index); status, certificate expiry, CARIN and EOB come from
/// the poller (in the `HealthOverlay`, refreshed far more often than the index).
pub(super) const FACET_CATEGORY: usize = 0;
pub(super) const FACET_STATE: usize = 1;
pub(super) const FACET_FHIR_VERSION: usize = 2;
pub(super) const FACET_ENVIRONMENT: usize = 3;
pub(super) const FACET_LOB: usize = 4;
pub(super) const FACET_DEVELOPER: usize = 5;
pub(super) const FACET_STATUS: usize = 6;
pub(super) const FACET_CERT: usize = 7;
pub(super) const FACET_CARIN: usize = 8;
pub(super) const FACET_EOB: usize = 9;
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
    /// Each document's brand id. The page of results shown is read from the database by these
    /// (`load::summaries`) rather than kept here: at national scale the summaries would be the
    /// largest part of the index (about 300 MB), held twice while a rebuild runs.
    pub(super) ids: Vec<i32>,
    /// The name as one line of normalized words, to reward a query that is the whole name.
    pub(super) name_phrases: BlockStrings,
    /// Each document's facet values, as an entry of `profiles`: brands share a few thousand
    /// combinations of category, states, FHIR versions and the rest, so counting a hundred
    /// thousand matches reads one number for each rather than six lists scattered in memory.
    pub(super) profile: Vec<u32>,
    /// The distinct combinations: `profiles[facet][entry]` lists that facet's values, as ids
    /// into `SearchIndex::facet_values`, so filtering and counting never touch a string.
    pub(super) profiles: [Lists<u16>; STATIC_FACETS],
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

    pub(super) fn profile_count(&self) -> usize {
        self.profiles[0].len()
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

/// A search's answer before its page of results is read: that page's brand ids in order, each
/// with its poller status.
pub struct Hits {
    pub response: SearchResponse,
    pub page: Vec<(i32, Option<Health>)>,
    plan: QueryPlan,
}

impl Hits {
    pub fn brand_ids(&self) -> Vec<i32> {
        self.page.iter().map(|(id, _)| *id).collect()
    }

    /// The answer with its page of results from `summaries` (the page's brands as they are
    /// now), in the index's order. A brand removed since the index was built (while its rebuild
    /// runs) is left out rather than shown as it was.
    pub fn with(self, mut summaries: HashMap<i32, BrandSummary>) -> SearchResponse {
        let Hits { mut response, page, plan } = self;
        response.results = page
            .into_iter()
            .filter_map(|(id, health)| {
                let mut summary = summaries.remove(&id)?;
                summary.health = health;
                summary.highlight = highlight(&summary.name, &plan);
                Some(summary)
            })
            .collect();
        response
    }
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

/// An index being built a document at a time, so the brands can be read from the database a
/// page at a time and none of them held longer than its own `add`.
#[derive(Default)]
pub struct IndexBuilder {
    version: i64,
    docs: Docs,
    terms: Vocabulary,
    endpoint_keys: Filing,
    hosts: Filing,
    domains: Filing,
    facet_values: [Vec<String>; STATIC_FACETS],
    facet_ids: [HashMap<String, u16>; STATIC_FACETS],
    profile_ids: HashMap<[Vec<u16>; STATIC_FACETS], u32>,
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
        let mut add = |term: String, field: u8| terms.add(&term, doc, field);
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
        self.endpoint_keys.file(input.endpoint_addresses.iter().filter_map(|a| endpoint_key(a)), doc);
        let hosts: Vec<String> =
            input.endpoint_addresses.iter().filter_map(|a| host_of(a)).chain(website_host).collect();
        self.domains.file(hosts.iter().map(|h| registrable(h)), doc);
        self.hosts.file(hosts, doc);
        let values: [Vec<&str>; STATIC_FACETS] = [
            input.summary.categories.iter().map(String::as_str).collect(),
            states.iter().map(String::as_str).collect(),
            input.summary.fhir_versions.iter().map(String::as_str).collect(),
            input.environments.iter().map(String::as_str).collect(),
            input.lines_of_business.iter().map(String::as_str).collect(),
            input.developer.iter().map(String::as_str).collect(),
        ];
        let ids: [Vec<u16>; STATIC_FACETS] =
            std::array::from_fn(|facet| values[facet].iter().filter_map(|v| self.intern(facet, v)).collect());
        let profiles = &mut self.docs.profiles;
        let entry = *self.profile_ids.entry(ids).or_insert_with_key(|ids| {
            profiles.iter_mut().zip(ids).for_each(|(list, ids)| list.push(ids.iter().copied()));
            (profiles[0].len() - 1) as u32
        });
        self.docs.profile.push(entry);
        self.docs.name_phrases.push(&phrase(&input.summary.name));
        self.docs.health_from.push(input.health_from);
        self.sort_keys.push((input.summary.name.to_lowercase(), input.summary.id));
        self.docs.ids.push(input.summary.id);
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
        docs.ids.shrink_to_fit();
        docs.name_phrases.shrink_to_fit();
        docs.profile.shrink_to_fit();
        docs.profiles.iter_mut().for_each(Lists::shrink_to_fit);
        docs.health_from.shrink_to_fit();

        let (vocab, postings) = terms.finish();
        let mut by_length: Vec<Vec<u32>> = Vec::new();
        for n in 0..vocab.len() {
            let term = &vocab[n];
            if term.len() >= 3 && term.bytes().all(|b| b.is_ascii_alphabetic()) {
                if by_length.len() <= term.len() {
                    by_length.resize(term.len() + 1, Vec::new());
                }
                by_length[term.len()].push(n as u32);
            }
        }
        let mut lengths = Lists::default();
        by_length.into_iter().for_each(|l| lengths.push(l));
        SearchIndex {
            version,
            docs,
            vocab,
            postings,
            by_length: lengths,
            endpoint_keys: endpoint_keys.finish(),
            hosts: hosts.finish(),
            domains: domains.finish(),
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
        d.ids.capacity() * 4
            + d.name_phrases.heap_bytes()
            + d.profile.capacity() * 4
            + d.profiles.iter().map(Lists::heap_bytes).sum::<usize>()
            + d.health_from.capacity() * std::mem::size_of::<Option<i32>>()
            + (d.rank.capacity() + d.by_name.capacity()) * 4
            + self.vocab.heap_bytes()
            + self.postings.heap_bytes()
            + self.by_length.heap_bytes()
            + self.endpoint_keys.heap_bytes()
            + self.hosts.heap_bytes()
            + self.domains.heap_bytes()
    }

    /// Searches, with the poller's facets and statuses from `health`: the answer but for its
    /// page of results, which `Hits::with` completes from the database.
    pub fn search_with(&self, q: &SearchQuery, health: &HealthOverlay) -> Hits {
        let plan = QueryPlan::parse(&q.q);
        let found = self.matches(&plan);
        let mut matched = found.docs;
        let overlay = Some(health).filter(|h| h.index_version == self.version && h.len() == self.docs.len());
        let counts = self.filter_and_count(&mut matched, &self.filters(q), overlay);
        let (page, per_page) = (q.page(), q.per_page());
        let (skip, shown) = (((page - 1) * per_page) as usize, (page * per_page) as usize);
        let page_docs: Vec<u32> = if plan.is_empty() {
            self.in_name_order(&matched, shown)
        } else {
            // Only the results up to this page need their order; equal scores list in name
            // order.
            let rank = &self.docs.rank;
            let by_score =
                |a: &(u32, u32), b: &(u32, u32)| b.1.cmp(&a.1).then(rank[a.0 as usize].cmp(&rank[b.0 as usize]));
            if shown < matched.len() {
                matched.select_nth_unstable_by(shown, by_score);
                matched[..shown].sort_unstable_by(by_score);
            } else {
                matched.sort_unstable_by(by_score);
            }
            matched.iter().take(shown).map(|(doc, _)| *doc).collect()
        };
        let page_hits = page_docs
            .iter()
            .skip(skip)
            .map(|doc| (self.docs.ids[*doc as usize], overlay.and_then(|o| o.of(*doc).health)))
            .collect();
        let response = SearchResponse {
            total: matched.len() as u32,
            relaxed: found.relaxed,
            kept: found.kept,
            did_you_mean: found.did_you_mean,
            address: found.address,
            page,
            per_page,
            results: Vec::new(),
            facets: self.facets(&counts),
            updating: false,
        };
        Hits { response, page: page_hits, plan }
    }

    /// Searches with the directory's facets only (no poller data).
    pub fn search(&self, q: &SearchQuery) -> Hits {
        self.search_with(q, &HealthOverlay::default())
    }

    /// The first `shown` of `matched` (every document, or those the filters kept, in document
    /// order) in name order: the directory's own name order read until enough are found.
    fn in_name_order(&self, matched: &[(u32, u32)], shown: usize) -> Vec<u32> {
        if matched.len() == self.docs.len() {
            return self.docs.by_name.iter().take(shown).copied().collect();
        }
        let mut kept = vec![0u64; self.docs.len().div_ceil(64)];
        matched.iter().for_each(|(d, _)| kept[*d as usize / 64] |= 1 << (d % 64));
        self.docs
            .by_name
            .iter()
            .filter(|d| kept[**d as usize / 64] & (1 << (**d % 64)) != 0)
            .take(shown)
            .copied()
            .collect()
    }
}

/// The words of a host that name its organization: "www.aetna.com" → "aetna",
/// "fhir.hhs.texas.gov" → "fhir", "hhs", "texas".
fn site_words(host: &str) -> Vec<String> {
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty() && *l != "www").collect();
    let keep = if labels.len() == 1 { 1 } else { labels.len().saturating_sub(1) };
    labels[..keep].iter().flat_map(|l| words(l)).filter(|w| !w.part).map(|w| w.text).collect()
}
