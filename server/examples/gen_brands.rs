//! Writes a synthetic SMART 2.2 brands bundle shaped like Epic's published one: about 90,000
//! Organizations with portal extensions, sharing R4 Endpoints (one per 100 brands, as many
//! brands sit on one customer's endpoint); about 85 MB.
//! Deterministic: the same arguments give the same bytes.
//!
//! cargo run --release -p signpost --example gen_brands -- [COUNT] [OUT]
//! (`GEN_ENDPOINT_BASE=https://127.0.0.2:PORT/ok-` puts every endpoint on a loopback fake;
//! `GEN_WORST_KEYS=1` gives every resource an id of FHIR's full 64 characters and a `urn:uuid:`
//! fullUrl, the most an import keeps per entry)
use serde_json::json;
use std::io::{BufWriter, Write};

const WORDS: [&str; 48] = [
    "Valley",
    "Summit",
    "River",
    "Lake",
    "Pine",
    "Cedar",
    "Harbor",
    "Prairie",
    "Mountain",
    "Coastal",
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Central",
    "United",
    "Community",
    "Regional",
    "Memorial",
    "Mercy",
    "Grace",
    "Hope",
    "Unity",
    "Liberty",
    "Heritage",
    "Pioneer",
    "Frontier",
    "Golden",
    "Silver",
    "Oak",
    "Maple",
    "Willow",
    "Aspen",
    "Sierra",
    "Canyon",
    "Meadow",
    "Bay",
    "Bridge",
    "Crescent",
    "Horizon",
    "Keystone",
    "Lakeside",
    "Riverside",
    "Highland",
    "Granite",
    "Evergreen",
    "Sunrise",
    "Clearwater",
];
const KINDS: [(&str, &str); 6] = [
    ("Health", "prov"),
    ("Medical Center", "prov"),
    ("Clinic", "prov"),
    ("Health Plan", "ins"),
    ("Laboratories", "laboratory"),
    ("Imaging", "imaging"),
];
const BRANDS_PER_ENDPOINT: usize = 100;
const STATES: [(&str, &str); 10] = [
    ("TX", "Austin"),
    ("CA", "Fresno"),
    ("NY", "Albany"),
    ("FL", "Tampa"),
    ("IL", "Peoria"),
    ("WI", "Madison"),
    ("OH", "Dayton"),
    ("GA", "Macon"),
    ("WA", "Spokane"),
    ("CO", "Boulder"),
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(90_000);
    let out: Box<dyn Write> = match args.next() {
        Some(path) => Box::new(std::fs::File::create(path)?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = BufWriter::with_capacity(1 << 20, out);
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    // `GEN_ENDPOINT_BASE`: endpoint addresses are this plus `e{n}` (the load script points them
    // at a fake FHIR server on loopback, so the poller sends nothing off the machine).
    let endpoint_base = std::env::var("GEN_ENDPOINT_BASE").ok().filter(|b| !b.is_empty());
    let worst = std::env::var("GEN_WORST_KEYS").is_ok_and(|v| v == "1");
    let id = |prefix: char, n: usize| if worst { format!("{prefix}{n:0>63}") } else { format!("{prefix}{n}") };
    let full_url = |kind: &str, n: usize| {
        if worst {
            // Deterministic, one per resource: the kind's first letter and the number, in hex.
            let hex = format!("{:02x}{n:030x}", kind.as_bytes()[0]);
            format!("urn:uuid:{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
        } else {
            format!(
                "https://open.epic.example/{kind}/{}",
                id(kind.to_ascii_lowercase().chars().next().unwrap_or('x'), n)
            )
        }
    };
    write!(
        w,
        r#"{{"resourceType":"Bundle","id":"synthetic-epic","meta":{{"lastUpdated":"2026-11-01T00:00:00Z"}},"type":"collection","timestamp":"2026-11-01T00:00:00Z","entry":["#
    )?;
    for i in 0..count {
        let (a, b) = (rng.pick(&WORDS), rng.pick(&WORDS));
        let (kind, category) = rng.pick(&KINDS);
        let name = format!("{a} {b} {kind} {i}");
        let slug = format!("{}{}{i}", a.to_lowercase(), b.to_lowercase());
        let e = i / BRANDS_PER_ENDPOINT;
        let (oid, eid) = (id('o', i), id('e', e));
        let (st, city) = rng.pick(&STATES);
        let addresses =
            json!([{"city": city, "state": st, "postalCode": format!("{:05}", rng.next() % 99999), "country": "US"}]);
        let org = json!({
            "fullUrl": full_url("Organization", i),
            "resource": {
                "resourceType": "Organization", "id": oid,
                "extension": [
                    {"url": "http://hl7.org/fhir/StructureDefinition/organization-brand", "extension": [
                        {"url": "brandLogo", "valueUrl": format!("https://{slug}.example.org/logo.png")}]},
                    {"url": "http://hl7.org/fhir/StructureDefinition/organization-portal", "extension": [
                        {"url": "portalName", "valueString": format!("My{a} Portal")},
                        {"url": "portalEndpoint", "valueReference": {"reference": format!("Endpoint/{eid}")}}]}
                ],
                "identifier": [{"system": "urn:ietf:rfc:3986", "value": format!("https://{slug}.example.org")}],
                "active": true,
                "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": category}]}],
                "name": name,
                "alias": [format!("{a} {kind}"), format!("{b} {a} Network")],
                "telecom": [{"system": "url", "value": format!("https://www.{slug}.example.org")}],
                "address": addresses,
                "endpoint": [{"reference": format!("Endpoint/{eid}")}]
            }
        });
        let ep = json!({
            "fullUrl": full_url("Endpoint", e),
            "resource": {
                "resourceType": "Endpoint", "id": eid,
                "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/endpoint-fhir-version", "valueCode": "4.0.1"}],
                "status": "active",
                "connectionType": {"system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "code": "hl7-fhir-rest"},
                "address": match &endpoint_base {
                    Some(base) => format!("{base}e{e}"),
                    None => format!("https://fhir.{slug}.example.org/api/FHIR/R4"),
                },
                "contact": [{"system": "url", "value": "https://open.epic.example/"}]
            }
        });
        if i > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut w, &org)?;
        if i % BRANDS_PER_ENDPOINT == 0 {
            w.write_all(b",")?;
            serde_json::to_writer(&mut w, &ep)?;
        }
    }
    w.write_all(b"]}")?;
    w.flush()
}
