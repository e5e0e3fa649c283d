//! The search over small hand-made directories: ranking, typos, equivalents, addresses,
//! relaxing and facets.
use super::health::HealthOverlay;
use super::index::{IndexInput, SearchIndex};
use crate::server::fhir::SYSTEM_NPI;
use crate::server::fhir::records::{Address, Identifier};
use crate::types::check::Health;
use crate::types::link::WebUrl;
use crate::types::search::{BrandSummary, FacetValue, SearchQuery, SearchResponse};
use std::collections::HashMap;

pub(super) fn input(id: i32, name: &str, aliases: &[&str], city: &str, state: &str, cats: &[&str]) -> IndexInput {
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
            highlight: vec![],
        },
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        portal_names: vec![],
        addresses: vec![Address { city: Some(city.into()), state: Some(state.into()), ..Default::default() }],
        identifiers: vec![Identifier { system: Some(SYSTEM_NPI.into()), value: Some("1234567893".into()) }],
        health_from: Some(id),
        environments: vec!["production".into()],
        endpoint_addresses: vec![format!(
            "https://fhir.{}.example/r4/{id}",
            name.split(' ').next().unwrap().to_lowercase()
        )],
        lines_of_business: vec![],
        developer: vec![],
    }
}

/// An index with the cards of its brands at hand, as the database would give them for a page
/// of results.
pub(super) struct Fixture {
    index: SearchIndex,
    cards: HashMap<i32, BrandSummary>,
}

impl Fixture {
    pub(super) fn build(version: i64, inputs: Vec<IndexInput>) -> Self {
        let cards = inputs.iter().map(|i| (i.summary.id, i.summary.clone())).collect();
        Fixture { index: SearchIndex::build(version, inputs), cards }
    }

    fn search_with(&self, q: &SearchQuery, health: &HealthOverlay) -> SearchResponse {
        self.index.search_with(q, health).with(self.cards.clone())
    }

    fn search(&self, q: &SearchQuery) -> SearchResponse {
        self.search_with(q, &HealthOverlay::default())
    }
}

impl std::ops::Deref for Fixture {
    type Target = SearchIndex;
    fn deref(&self) -> &SearchIndex {
        &self.index
    }
}

pub(super) fn index() -> Fixture {
    Fixture::build(
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
    let other = Fixture::build(2, vec![]);
    assert!(
        idx.search_with(&SearchQuery::default(), &HealthOverlay::build(&other, vec![])).results[0].health.is_none()
    );
}

#[test]
fn each_facet_counts_the_matches_the_other_filters_keep() {
    let idx = index();
    let overlay = HealthOverlay::build(
        &idx,
        vec![
            (1, Health::Up, None, false, true),
            (2, Health::Down, None, false, true),
            (4, Health::Down, None, false, false),
        ],
    );
    let count = |v: &[FacetValue], value: &str| v.iter().find(|f| f.value == value).map_or(0, |f| f.count);
    let mut both = SearchQuery::default();
    both.set_filter("state", Some("TX".into()));
    both.set_filter("status", Some("down".into()));
    let r = idx.search_with(&both, &overlay);
    let mut found = ids(&r);
    found.sort();
    // Down in Texas: Aetna Medicaid of Texas and BCBSTX (Metna, in Texas, was not polled).
    assert_eq!(found, [2, 4]);
    // States among the down brands (the state filter set aside): Texas twice, no other.
    assert_eq!((count(&r.facets.state, "TX"), count(&r.facets.state, "CT"), count(&r.facets.state, "CA")), (2, 0, 0));
    // Statuses among the Texan brands (the status filter set aside): one down each of 2 and
    // 4, and Metna never polled.
    assert_eq!((count(&r.facets.status, "down"), count(&r.facets.status, "up")), (2, 0));
    // Other facets count only the brands both filters keep.
    assert_eq!(
        (count(&r.facets.category, "ins"), count(&r.facets.category, "prov"), count(&r.facets.eob, "yes")),
        (2, 0, 1)
    );
    // A brand failing both filters (Kaiser) counts nowhere; one failing one counts in that
    // facet alone (Aetna, up in Connecticut, in neither).
    let mut up_in_tx = SearchQuery::default();
    up_in_tx.set_filter("state", Some("TX".into()));
    up_in_tx.set_filter("status", Some("up".into()));
    let r = idx.search_with(&up_in_tx, &overlay);
    assert!(r.results.is_empty());
    assert_eq!(
        (count(&r.facets.state, "CT"), count(&r.facets.status, "down"), count(&r.facets.category, "ins")),
        (1, 2, 0)
    );
}

#[test]
fn words_in_most_of_a_large_directory_match_as_in_a_small_one() {
    // Long enough postings for "health" and "valley" to be read in place (`requirement`).
    let mut inputs: Vec<IndexInput> =
        (1..=6000).map(|i| input(i, &format!("Valley Health {i}"), &[], "Austin", "TX", &["ins"])).collect();
    inputs.push(input(6001, "Valley Clinic", &[], "Austin", "TX", &["prov"]));
    inputs.push(input(6002, "Valley Healthcare Partners", &[], "Austin", "TX", &["prov"]));
    let idx = Fixture::build(1, inputs);
    assert_eq!(ids(&idx.search(&q("valley clinic"))), [6001]);
    assert_eq!(idx.search(&q("health valley")).total, 6001, "\"health\" as typed and as a prefix of healthcare");
    assert_eq!(idx.search(&q("valley heal")).total, 6001);
    assert_eq!(idx.search(&q("vally health")).total, 6001, "a typo in a word of every brand");
    let exact = idx.search(&q("valley health 17"));
    assert_eq!(exact.results[0].id, 17, "the whole name first");
    // The partner's name starts with the query: ahead of the 6,000 that only contain it.
    assert_eq!(idx.search(&q("valley healthcare")).results[0].id, 6002);
    let mut f = q("valley");
    f.category = Some("prov".into());
    let r = idx.search(&f);
    assert_eq!((r.total, r.facets.category.iter().find(|c| c.value == "ins").map(|c| c.count)), (2, Some(6000)));
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
    let r = idx.search(&SearchQuery { state: Some("tx".into()), category: Some("ins".into()), ..Default::default() });
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
fn lines_of_business_and_developer_offers_filter_and_count() {
    let mut a = input(1, "Aetna", &[], "Hartford", "CT", &["ins"]);
    a.lines_of_business = vec!["medicare-advantage".into(), "commercial".into()];
    a.developer = vec!["sandbox".into(), "self-service".into()];
    let mut b = input(2, "Bluebonnet Health", &[], "Dallas", "TX", &["ins"]);
    b.lines_of_business = vec!["medicaid".into()];
    b.developer = vec!["sandbox".into()];
    let idx = Fixture::build(1, vec![a, b, input(3, "Cedar Plan", &[], "Austin", "TX", &["ins"])]);
    let r = idx.search(&SearchQuery { line_of_business: Some("medicare-advantage".into()), ..Default::default() });
    assert_eq!(ids(&r), vec![1]);
    let ma = r.facets.line_of_business.iter().find(|f| f.value == "medicare-advantage").unwrap();
    assert_eq!((ma.count, ma.label.as_str()), (1, "Medicare Advantage"));
    assert_eq!(
        r.facets.line_of_business.iter().find(|f| f.value == "medicaid").unwrap().count,
        1,
        "its own filter ignored"
    );
    let r = idx.search(&SearchQuery { developer: Some("sandbox".into()), ..Default::default() });
    assert_eq!(ids(&r), vec![1, 2]);
    let sd = r.facets.developer.iter().find(|f| f.value == "self-service").unwrap();
    assert_eq!((sd.count, sd.label.as_str()), (1, "Self-service registration"));
    let r = idx.search(&SearchQuery { developer: Some("test-patients".into()), ..Default::default() });
    assert_eq!(r.total, 0, "nobody offers test patients");
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
    let idx = Fixture::build(
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

fn named(id: i32, name: &str) -> IndexInput {
    let mut i = input(id, name, &[], "Springfield", "IL", &["prov"]);
    i.identifiers.clear();
    i.summary.website = None;
    i.endpoint_addresses.clear();
    i
}

#[test]
fn equivalents_compounds_diacritics_and_stop_words() {
    let idx = Fixture::build(
        1,
        vec![
            named(1, "St. Mary's Medical Center"),
            named(2, "Mount Sinai Hospital"),
            named(3, "UnitedHealthcare"),
            named(4, "Blue Cross & Blue Shield of Montana"),
            named(5, "Hôpital Sainte-Justine"),
            named(6, "Bluegrass Care Centre"),
            named(7, "Health Partners"),
        ],
    );
    let top = |text: &str| ids(&idx.search(&q(text))).first().copied();
    assert_eq!(top("saint marys"), Some(1));
    assert_eq!(top("st mary"), Some(1));
    assert_eq!(top("mt sinai"), Some(2));
    assert_eq!(top("united healthcare"), Some(3));
    assert_eq!(top("unitedhealthcare"), Some(3));
    assert_eq!(top("blue cross and blue shield montana"), Some(4));
    assert_eq!(top("bluecross of montana"), Some(4));
    assert_eq!(top("blue-cross"), Some(4));
    assert_eq!(top("hopital sainte justine"), Some(5));
    assert_eq!(top("bluegrass care center"), Some(6));
    assert_eq!(top("healthpartners"), Some(7));
}

#[test]
fn typos_need_four_letters_and_never_touch_numbers() {
    let mut a = named(1, "Texas Medicaid");
    a.addresses[0].postal_code = Some("75001".into());
    let idx = Fixture::build(1, vec![a, named(2, "Ohio Medicaid")]);
    assert_eq!(ids(&idx.search(&q("texs medicaid"))), [1]);
    assert_eq!(ids(&idx.search(&q("medicaid txeas"))), [1], "a transposition");
    assert_eq!(idx.search(&q("75001")).total, 1);
    assert_eq!(idx.search(&q("75002 ")).total, 0, "no typo in a number");
    assert_eq!(ids(&idx.search(&q("750"))), [1], "a number being typed is a prefix");
    // Exact and prefix matches rank above typo matches.
    let idx = Fixture::build(1, vec![named(1, "Oscar Health"), named(2, "Oskar Clinic")]);
    assert_eq!(ids(&idx.search(&q("oscar"))), [1, 2]);
    assert_eq!(ids(&idx.search(&q("oska"))), [2]);
}

#[test]
fn pasted_urls_hosts_and_domains_find_their_brands() {
    let mut a = named(1, "Aetna");
    a.endpoint_addresses = vec!["https://apif1.aetna.com/fhir/v1/patientaccess".into()];
    a.summary.website = WebUrl::parse_opt(Some("https://www.aetna.com"));
    let mut b = named(2, "Aetna Sandbox Friends");
    b.endpoint_addresses = vec!["https://vteapif1.aetna.com/fhirdemo/v1/patientaccess".into()];
    let mut c = named(3, "Tenant One");
    c.endpoint_addresses = vec!["https://fhir-myrecord.cerner.com/r4/aaaa-1111".into()];
    let mut d = named(4, "Tenant Two");
    d.endpoint_addresses = vec!["https://fhir-myrecord.cerner.com/r4/bbbb-2222".into()];
    let idx = Fixture::build(1, vec![a, b, c, d]);
    let found = |text: &str| {
        let r = idx.search(&q(text));
        (ids(&r), r.address.map(|a| (a.kind, a.value)))
    };
    use crate::types::search::AddressKind::*;
    for pasted in [
        "https://apif1.aetna.com/fhir/v1/patientaccess",
        "https://apif1.aetna.com/fhir/v1/patientaccess/",
        "apif1.aetna.com/fhir/v1/patientaccess/metadata",
        "https://APIF1.aetna.com/fhir/v1/patientaccess/ExplanationOfBenefit?patient=1",
    ] {
        assert_eq!(
            found(pasted),
            (vec![1], Some((Endpoint, "apif1.aetna.com/fhir/v1/patientaccess".into()))),
            "{pasted}"
        );
    }
    assert_eq!(found("fhir-myrecord.cerner.com/r4/bbbb-2222/Patient/7").0, [4], "only the tenant's brand");
    assert_eq!(found("fhir-myrecord.cerner.com").0, [3, 4]);
    assert_eq!(found("apif1.aetna.com").1.unwrap().0, Host);
    assert_eq!(found("aetna.com"), (vec![1, 2], Some((Domain, "aetna.com".into()))), "a domain: every host in it");
    assert_eq!(found("other.aetna.com"), (vec![1, 2], Some((Domain, "aetna.com".into()))));
    // An address nobody has: the organization's name in it is searched for instead.
    assert_eq!(found("https://www.aetna.org/x").0, [1, 2]);
}

#[test]
fn relaxes_the_least_telling_word_and_suggests_a_correction() {
    let idx = Fixture::build(
        1,
        vec![named(1, "Texas Children's Health Plan"), named(2, "Texas Medicaid"), named(3, "Ohio Health")],
    );
    let r = idx.search(&q("texas health zebra"));
    assert_eq!(r.relaxed, ["zebra"], "a word no brand has goes first");
    assert_eq!(ids(&r), [1]);
    let r = idx.search(&q("ohio medicaid"));
    assert_eq!(r.relaxed.len(), 1, "no brand has both: one goes ({:?})", r.relaxed);
    assert!(r.total >= 1);
    let r = idx.search(&q("chldren plan"));
    assert_eq!(r.did_you_mean.as_deref(), Some("children plan"));
    assert_eq!(idx.search(&q("medicaid")).did_you_mean, None);
    assert_eq!(idx.search(&q("texas heal")).did_you_mean, None, "a word being typed is a prefix");
}

#[test]
fn identifiers_match_as_written() {
    let mut a = named(1, "Aetna");
    a.identifiers = vec![
        Identifier { system: None, value: Some("60054".into()) },
        Identifier { system: Some("urn:oid:2.16.840.1.113883.4.4".into()), value: Some("13-1234567".into()) },
    ];
    let idx = Fixture::build(1, vec![a, named(2, "Other")]);
    assert_eq!(ids(&idx.search(&q("60054"))), [1]);
    assert_eq!(ids(&idx.search(&q("13-1234567"))), [1]);
    assert_eq!(ids(&idx.search(&q("131234567"))), [1]);
    assert_eq!(idx.search(&q("60055 ")).total, 0);
}

#[test]
fn results_carry_their_highlights() {
    let idx = Fixture::build(1, vec![named(1, "Blue Cross Blue Shield of Texas")]);
    let r = idx.search(&q("blue texs"));
    let parts = r.results[0].name_parts();
    let marked: Vec<&str> = parts.iter().filter(|p| p.1).map(|p| p.0).collect();
    assert_eq!(marked, ["Blue", "Blue", "Texas"]);
    assert!(idx.search(&SearchQuery::default()).results[0].highlight.is_empty());
}

#[test]
fn addresses_nothing_is_at_are_searched_by_name_or_let_go() {
    let idx = Fixture::build(1, vec![named(1, "Aetna"), named(2, "Cigna")]);
    let r = idx.search(&q("www.aetan.com"));
    assert_eq!(ids(&r), [1], "the organization's word, with a typo");
    assert_eq!(r.did_you_mean, None, "an address is not rewritten into words");
    let r = idx.search(&q("https://fhir.api.org/r4"));
    assert_eq!(r.relaxed, ["https://fhir.api.org/r4"], "no word to search for: said, not silently dropped");
    let r = idx.search(&q("aetna https://fhir.api.org/r4"));
    assert_eq!((ids(&r), r.relaxed), (vec![1], vec!["https://fhir.api.org/r4".to_string()]));
}

#[test]
fn a_correction_agrees_with_the_first_result() {
    let mut many: Vec<IndexInput> = (0..5).map(|i| named(10 + i, &format!("Alabama Medical Group {i}"))).collect();
    many.push(named(1, "Alabama Medicaid"));
    let idx = Fixture::build(1, many);
    let r = idx.search(&q("alabma medicad"));
    assert_eq!(ids(&r)[0], 1);
    assert_eq!(r.did_you_mean.as_deref(), Some("alabama medicaid"), "not the commoner 'medical'");
}

#[test]
fn a_page_keeps_the_index_order_and_leaves_out_a_brand_no_longer_there() {
    let fixture = index();
    let hits = fixture.index.search(&q("aetna"));
    let order = hits.brand_ids();
    assert!(order.len() >= 2, "{order:?}");
    let mut cards = fixture.cards.clone();
    cards.remove(&order[0]);
    let r = hits.with(cards);
    assert_eq!(ids(&r), order[1..], "removed since the index was built");
    assert_eq!(r.total as usize, order.len(), "the count is the index's");
    assert!(r.results.iter().all(|b| !b.highlight.is_empty()));
}
