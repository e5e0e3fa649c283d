//! Publishing the directory: as a SMART 2.2 brands Bundle (streamed page by page, never built
//! as one string), as FHIR NDJSON, or as a CSV of endpoints. Elements that real imported data
//! lacks are marked with data-absent-reason rather than invented.
use super::brands::parse_list;
use crate::server::entities::{brand, brand_endpoint, endpoint, portal, source};
use crate::server::fhir::records::{Address, Identifier};
use crate::server::fhir::{CATEGORIES, CONNECTION_TYPE_SYSTEM, DATA_ABSENT_REASON, ORG_TYPE_SYSTEM};
use crate::server::validate::identifier_problem;
use bytes::Bytes;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use tokio::sync::mpsc;

const PAGE: u64 = 1000;
const EXT_BASE: &str = "http://hl7.org/fhir/StructureDefinition/";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    Bundle,
    Ndjson,
    Csv,
}

#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub source_id: Option<i32>,
    /// Base of the `fullUrl`s, e.g. `https://signpost.example.org`.
    pub base_url: String,
    pub framing: Framing,
}

fn absent() -> Value {
    json!({"extension": [{"url": DATA_ABSENT_REASON, "valueCode": "asked-unknown"}]})
}

/// The weak ETag of an export: it changes exactly when the directory version does.
pub fn etag(version: i64, source_id: Option<i32>) -> String {
    match source_id {
        Some(s) => format!("W/\"v{version}-s{s}\""),
        None => format!("W/\"v{version}\""),
    }
}

/// Last import time in scope: the bundle's timestamp, stable while the data is.
pub async fn last_updated(
    db: &DatabaseConnection,
    source_id: Option<i32>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, DbErr> {
    let mut q = source::Entity::find().order_by_desc(source::Column::ImportedAt);
    if let Some(s) = source_id {
        q = q.filter(source::Column::Id.eq(s));
    }
    Ok(q.one(db).await?.map(|s| s.imported_at))
}

/// Starts the export on a task and returns the stream of its bytes.
pub fn stream(
    db: DatabaseConnection,
    opts: ExportOptions,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if let Err(e) = write_all(&db, &opts, &tx).await {
            tracing::error!(error = %e, "export failed");
            let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
        }
    });
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) })
}

struct Sink<'a> {
    tx: &'a mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
    framing: Framing,
    entries: usize,
}

impl Sink<'_> {
    fn entry(&mut self, full_url: String, resource: Value) {
        match self.framing {
            Framing::Bundle => {
                if self.entries > 0 {
                    self.buf.push(b',');
                }
                let _ = serde_json::to_writer(&mut self.buf, &json!({"fullUrl": full_url, "resource": resource}));
            }
            Framing::Ndjson => {
                let _ = serde_json::to_writer(&mut self.buf, &resource);
                self.buf.push(b'\n');
            }
            Framing::Csv => {}
        }
        self.entries += 1;
    }

    /// Hands the buffered page to the receiver; false when it has gone away.
    async fn flush(&mut self) -> bool {
        if self.buf.is_empty() {
            return true;
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx.send(Ok(chunk)).await.is_ok()
    }
}

/// The endpoints that can be published: linked to a brand, https, FHIR REST.
async fn publishable_endpoints(db: &DatabaseConnection, source_id: Option<i32>) -> Result<HashSet<i32>, DbErr> {
    let linked: HashSet<i32> = brand_endpoint::Entity::find()
        .select_only()
        .column(brand_endpoint::Column::EndpointId)
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut q = endpoint::Entity::find()
        .select_only()
        .column(endpoint::Column::Id)
        .filter(endpoint::Column::Address.like("https://%"))
        .filter(endpoint::Column::ConnectionType.eq("hl7-fhir-rest"));
    if let Some(s) = source_id {
        q = q.filter(endpoint::Column::SourceId.eq(s));
    }
    Ok(q.into_tuple::<i32>().all(db).await?.into_iter().filter(|id| linked.contains(id)).collect())
}

async fn write_all(
    db: &DatabaseConnection,
    opts: &ExportOptions,
    tx: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), DbErr> {
    let mut sink = Sink { tx, buf: Vec::with_capacity(256 * 1024), framing: opts.framing, entries: 0 };
    let stamp = last_updated(db, opts.source_id)
        .await?
        .unwrap_or_else(chrono::Utc::now)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    match opts.framing {
        Framing::Bundle => {
            let head = json!({"resourceType": "Bundle", "id": "signpost-directory", "meta": {"lastUpdated": stamp}, "type": "collection", "timestamp": stamp});
            let head = head.to_string();
            sink.buf.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
            sink.buf.extend_from_slice(b",\"entry\":[");
        }
        Framing::Csv => sink.buf.extend_from_slice(
            b"brand_id,brand_name,state,endpoint_id,address,fhir_versions,status,contact_url,source\n",
        ),
        Framing::Ndjson => {}
    }
    let publishable = publishable_endpoints(db, opts.source_id).await?;
    // (source, resource id) → (brand id, whether that brand itself has a parent)
    let parents: HashMap<(i32, String), (i32, bool)> = brand::Entity::find()
        .select_only()
        .columns([brand::Column::SourceId, brand::Column::ResourceId, brand::Column::Id])
        .column_as(Expr::col(brand::Column::PartOf).is_not_null(), "has_parent")
        .into_tuple::<(i32, String, i32, bool)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(s, r, id, p)| ((s, r), (id, p)))
        .collect();
    let sources: HashMap<i32, String> =
        source::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s.location)).collect();

    let mut after = 0;
    loop {
        let mut q =
            brand::Entity::find().filter(brand::Column::Id.gt(after)).order_by_asc(brand::Column::Id).limit(PAGE);
        if let Some(s) = opts.source_id {
            q = q.filter(brand::Column::SourceId.eq(s));
        }
        let page = q.all(db).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i32> = page.iter().map(|b| b.id).collect();
        let links = brand_endpoint::Entity::find()
            .filter(brand_endpoint::Column::BrandId.is_in(ids.clone()))
            .order_by_asc(brand_endpoint::Column::BrandId)
            .order_by_asc(brand_endpoint::Column::Position)
            .all(db)
            .await?;
        let portals = portal::Entity::find()
            .filter(portal::Column::BrandId.is_in(ids))
            .order_by_asc(portal::Column::Position)
            .all(db)
            .await?;
        let csv_endpoints: HashMap<i32, endpoint::Model> = if opts.framing == Framing::Csv {
            endpoint::Entity::find()
                .filter(endpoint::Column::Id.is_in(links.iter().map(|l| l.endpoint_id).collect::<Vec<_>>()))
                .all(db)
                .await?
                .into_iter()
                .map(|e| (e.id, e))
                .collect()
        } else {
            HashMap::new()
        };
        for b in &page {
            let own_links: Vec<&brand_endpoint::Model> =
                links.iter().filter(|l| l.brand_id == b.id && publishable.contains(&l.endpoint_id)).collect();
            if opts.framing == Framing::Csv {
                let state = parse_list::<Address>(&b.addresses).into_iter().find_map(|a| a.state).unwrap_or_default();
                let mut w = csv::Writer::from_writer(Vec::new());
                for l in &own_links {
                    if let Some(e) = csv_endpoints.get(&l.endpoint_id) {
                        let versions = parse_list::<String>(&e.fhir_versions).join(" ");
                        let source = sources.get(&b.source_id).map(String::as_str).unwrap_or("");
                        let _ = w.write_record([
                            &b.id.to_string(),
                            &b.name,
                            &state,
                            &e.id.to_string(),
                            &e.address,
                            &versions,
                            &e.status,
                            e.contact_url.as_deref().unwrap_or(""),
                            source,
                        ]);
                    }
                }
                sink.buf.extend(w.into_inner().unwrap_or_default());
                continue;
            }
            let parent = b
                .part_of
                .as_ref()
                .and_then(|p| parents.get(&(b.source_id, p.clone())))
                .filter(|(_, grand)| !grand)
                .map(|(id, _)| *id);
            let own_portals: Vec<&portal::Model> = portals.iter().filter(|p| p.brand_id == b.id).collect();
            let resource = organization(b, parent, &own_links, &own_portals);
            sink.entry(format!("{}/fhir/Organization/b{}", opts.base_url, b.id), resource);
        }
        if !sink.flush().await {
            return Ok(());
        }
    }

    if opts.framing != Framing::Csv {
        let mut after = 0;
        loop {
            let mut q = endpoint::Entity::find()
                .filter(endpoint::Column::Id.gt(after))
                .order_by_asc(endpoint::Column::Id)
                .limit(PAGE);
            if let Some(s) = opts.source_id {
                q = q.filter(endpoint::Column::SourceId.eq(s));
            }
            let page = q.all(db).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for e in page.iter().filter(|e| publishable.contains(&e.id)) {
                sink.entry(format!("{}/fhir/Endpoint/e{}", opts.base_url, e.id), endpoint_resource(e));
            }
            if !sink.flush().await {
                return Ok(());
            }
        }
    }
    if opts.framing == Framing::Bundle {
        sink.buf.extend_from_slice(b"]}");
    }
    sink.flush().await;
    Ok(())
}

fn organization(
    b: &brand::Model,
    parent: Option<i32>,
    links: &[&brand_endpoint::Model],
    portals: &[&portal::Model],
) -> Value {
    let mut r = json!({"resourceType": "Organization", "id": format!("b{}", b.id)});
    let mut extensions = Vec::new();
    if b.logo_url.is_some() || b.logo_license.is_some() {
        let mut subs = Vec::new();
        if let Some(u) = &b.logo_url {
            subs.push(json!({"url": "brandLogo", "valueUrl": u}));
        }
        if let Some(u) = &b.logo_license {
            subs.push(json!({"url": "brandLogoLicense", "valueUrl": u}));
        }
        extensions.push(json!({"url": format!("{EXT_BASE}organization-brand"), "extension": subs}));
    }
    for p in portals {
        let mut subs = Vec::new();
        let mut push = |name: &str, key: &str, v: &Option<String>| {
            if let Some(v) = v {
                subs.push(json!({"url": name, key: v}));
            }
        };
        push("portalName", "valueString", &p.name);
        push("portalDescription", "valueMarkdown", &p.description);
        push("portalUrl", "valueUrl", &p.url);
        push("portalLogo", "valueUrl", &p.logo_url);
        push("portalLogoLicense", "valueUrl", &p.logo_license);
        for l in links.iter().filter(|l| l.portal_id == Some(p.id)) {
            subs.push(json!({"url": "portalEndpoint", "valueReference": {"reference": format!("Endpoint/e{}", l.endpoint_id)}}));
        }
        extensions.push(json!({"url": format!("{EXT_BASE}organization-portal"), "extension": subs}));
    }
    if !extensions.is_empty() {
        r["extension"] = Value::Array(extensions);
    }
    let identifiers: Vec<Value> = parse_list::<Identifier>(&b.identifiers)
        .into_iter()
        .filter(|i| identifier_problem(i.system.as_deref(), i.value.as_deref()).is_none())
        .map(|i| json!({"system": i.system, "value": i.value}))
        .collect();
    if !identifiers.is_empty() {
        r["identifier"] = Value::Array(identifiers);
    }
    r["active"] = json!(b.active);
    let categories: Vec<Value> = parse_list::<String>(&b.categories)
        .into_iter()
        .filter(|c| CATEGORIES.contains(&c.as_str()))
        .map(|c| json!({"coding": [{"system": ORG_TYPE_SYSTEM, "code": c}]}))
        .collect();
    if !categories.is_empty() {
        r["type"] = Value::Array(categories);
    }
    if b.name.trim().is_empty() {
        r["_name"] = absent();
    } else {
        r["name"] = json!(b.name);
    }
    let aliases: Vec<String> = parse_list(&b.aliases);
    if !aliases.is_empty() {
        r["alias"] = json!(aliases);
    }
    r["telecom"] = match &b.website {
        Some(w) => json!([{"system": "url", "value": w}]),
        None => json!([{"system": "url", "_value": absent()}]),
    };
    let addresses: Vec<Value> = parse_list::<Address>(&b.addresses)
        .into_iter()
        .map(|a| {
            let mut v = json!({});
            if !a.line.is_empty() {
                v["line"] = json!(a.line);
            }
            for (k, x) in [("city", a.city), ("state", a.state), ("postalCode", a.postal_code), ("country", a.country)]
            {
                if let Some(x) = x {
                    v[k] = json!(x);
                }
            }
            v
        })
        .collect();
    if !addresses.is_empty() {
        r["address"] = Value::Array(addresses);
    }
    if let Some(p) = parent {
        r["partOf"] = json!({"reference": format!("Organization/b{p}")});
    }
    if !links.is_empty() {
        r["endpoint"] = links.iter().map(|l| json!({"reference": format!("Endpoint/e{}", l.endpoint_id)})).collect();
    }
    r
}

fn endpoint_resource(e: &endpoint::Model) -> Value {
    let versions: Vec<String> = parse_list(&e.fhir_versions);
    let mut r = json!({"resourceType": "Endpoint", "id": format!("e{}", e.id)});
    r["extension"] = if versions.is_empty() {
        json!([{"url": format!("{EXT_BASE}endpoint-fhir-version"), "_valueCode": absent()}])
    } else {
        versions.iter().map(|v| json!({"url": format!("{EXT_BASE}endpoint-fhir-version"), "valueCode": v})).collect()
    };
    if e.status.is_empty() {
        r["_status"] = absent();
    } else {
        r["status"] = json!(e.status);
    }
    r["connectionType"] = json!({"system": CONNECTION_TYPE_SYSTEM, "code": "hl7-fhir-rest"});
    if let Some(n) = &e.name {
        r["name"] = json!(n);
    }
    // payloadType: the one the source gave, or "none" (the code for "not specified").
    let payload: Vec<String> = parse_list(&e.payload_types);
    r["payloadType"] = match payload.first() {
        Some(code) => json!([{"coding": [{"code": code}]}]),
        None => {
            json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/endpoint-payload-type", "code": "none"}]}])
        }
    };
    r["address"] = json!(e.address);
    r["contact"] = match &e.contact_url {
        Some(c) => json!([{"system": "url", "value": c}]),
        None => json!([{"system": "url", "_value": absent()}]),
    };
    r
}
