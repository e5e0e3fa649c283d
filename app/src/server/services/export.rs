//! Publishing the directory: as a SMART 2.2 brands Bundle (streamed page by page, never built
//! as one string), as FHIR NDJSON, or as a CSV of endpoints. Elements that real imported data
//! lacks are marked with data-absent-reason rather than invented.
use super::brands::parse_list;
use super::resources::{endpoint_resource, organization, web};
use crate::server::entities::{brand, brand_endpoint, endpoint, portal, source};
use crate::server::fhir::records::Address;
use bytes::Bytes;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use tokio::sync::mpsc;

const PAGE: u64 = 1000;

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

/// The weak ETag of an export: it changes exactly when the directory version does.
pub fn etag(version: i64, source_id: Option<i32>) -> String {
    match source_id {
        Some(s) => format!("W/\"v{version}-s{s}\""),
        None => format!("W/\"v{version}\""),
    }
}

/// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `"v4"` and `W/"v4"` match.
pub fn etag_matches(if_none_match: &str, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let ours = opaque(tag);
    if_none_match.split(',').any(|t| t.trim() == "*" || opaque(t) == ours)
}

/// The last change in scope (an import, or a brand changed since by the community): the
/// bundle's timestamp, stable while the data is.
pub async fn last_updated(
    db: &DatabaseConnection,
    source_id: Option<i32>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, DbErr> {
    let mut q = source::Entity::find().order_by_desc(source::Column::ImportedAt);
    let mut changed = brand::Entity::find().order_by_desc(brand::Column::UpdatedAt);
    if let Some(s) = source_id {
        q = q.filter(source::Column::Id.eq(s));
        changed = changed.filter(brand::Column::SourceId.eq(s));
    }
    let imported = q.one(db).await?.map(|s| s.imported_at);
    let edited = changed.one(db).await?.map(|b| b.updated_at);
    Ok(std::cmp::Ord::max(imported, edited))
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
            b"brand_id,brand_name,state,endpoint_id,address,fhir_versions,status,contact_url,source,\
developer_portal,sandbox_url,self_service,test_patients,turnaround_days,lines_of_business\n",
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
        source::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s.public_name())).collect();

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
        let developer = if opts.framing == Framing::Csv {
            super::publishing::facts::csv_columns(db, &page.iter().map(|b| b.id).collect::<Vec<_>>())
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?
        } else {
            HashMap::new()
        };
        for b in &page {
            let own_links: Vec<&brand_endpoint::Model> =
                links.iter().filter(|l| l.brand_id == b.id && publishable.contains(&l.endpoint_id)).collect();
            if opts.framing == Framing::Csv {
                let state = parse_list::<Address>(&b.addresses).into_iter().find_map(|a| a.state).unwrap_or_default();
                let mut w = csv::Writer::from_writer(Vec::new());
                let facts = developer.get(&b.id).cloned().unwrap_or_default();
                for l in &own_links {
                    if let Some(e) = csv_endpoints.get(&l.endpoint_id) {
                        let versions = parse_list::<String>(&e.fhir_versions).join(" ");
                        let source = sources.get(&b.source_id).map(String::as_str).unwrap_or("");
                        let contact = web(&e.contact_url).unwrap_or_default();
                        let _ = w.write_record(
                            [
                                b.id.to_string().as_str(),
                                &b.name,
                                &state,
                                &e.id.to_string(),
                                &e.address,
                                &versions,
                                &e.status,
                                &contact,
                                source,
                                &facts[0],
                                &facts[1],
                                &facts[2],
                                &facts[3],
                                &facts[4],
                                &facts[5],
                            ]
                            .map(|c| csv_cell(c).into_owned()),
                        );
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

/// A spreadsheet reads a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as
/// a formula; such cells (all from imported data) get a leading apostrophe so they stay text.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::{csv_cell, etag, etag_matches};

    #[test]
    fn if_none_match_compares_weakly() {
        let tag = etag(4, None);
        assert!(etag_matches("\"v4\"", &tag));
        assert!(etag_matches("W/\"v4\"", &tag));
        assert!(etag_matches("\"v1\", W/\"v4\"", &tag));
        assert!(etag_matches("*", &tag));
        assert!(!etag_matches("\"v5\"", &tag));
        assert!(!etag_matches("W/\"v4-s1\"", &tag));
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_stay_text() {
        for (given, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Aetna", "Aetna"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(given), want);
        }
    }
}
