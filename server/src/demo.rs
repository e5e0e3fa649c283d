//! Demo data for an empty database: national and Blue payers with their sandboxes (from the
//! fhir-gateway project's platform facts, MIT), the SMART App Launch 2.2 example brands, Oracle
//! Health's published patient-access endpoints, and the CMS State Medicaid endpoint directory.
//! All real, public documents, embedded so a fresh `signpost serve` has something to search,
//! and a newcomer's first search ("Aetna") finds it.
use app::server::entities::source;
use app::server::import::payer_facts::{brands_bundle, developer_forms, read_facts};
use app::server::import::run::{ImportError, import_reader};
use app::server::import::{Format, Unreadable};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

const PAYER_FACTS: &[u8] = include_bytes!("../demo/payer-facts.json");
/// When the payer facts were taken (they carry no date of their own).
const PAYER_FACTS_DATE: &str = "2026-11-01T00:00:00Z";

const DEMO: [(&str, &[u8]); 4] = [
    ("demo:smart-spec-example1.json", include_bytes!("../demo/smart-spec-example1.json")),
    ("demo:smart-spec-example2.json", include_bytes!("../demo/smart-spec-example2.json")),
    ("demo:cms-sma-endpoint-directory.csv", include_bytes!("../demo/cms-sma-endpoint-directory.csv")),
    ("demo:oracle-millennium-patient-r4.json", include_bytes!("../demo/oracle-millennium-patient-r4.json")),
];

/// The payers of the demo data as a SMART 2.2 brands bundle.
pub fn payers_bundle() -> Result<Vec<u8>, ImportError> {
    let facts = read_facts(PAYER_FACTS)
        .map_err(|message| ImportError::Unreadable(Unreadable { format: "payer facts", message }))?;
    serde_json::to_vec(&brands_bundle(&facts, PAYER_FACTS_DATE)).map_err(|e| ImportError::Io(e.into()))
}

/// The demo payers' developer-portal facts, from the same files, through the facts form's
/// parsing; returns how many brands got them.
async fn seed_developer_facts(db: &DatabaseConnection, source_id: i32) -> Result<usize, ImportError> {
    use app::server::entities::brand;
    use app::server::services::publishing::facts;
    use app::types::developer::FactsForm;
    use sea_orm::{ColumnTrait, QueryFilter, TransactionTrait};
    let files = read_facts(PAYER_FACTS)
        .map_err(|message| ImportError::Unreadable(Unreadable { format: "payer facts", message }))?;
    let now = chrono::Utc::now().timestamp();
    let txn = db.begin().await?;
    let mut stored = 0;
    for (key, values) in developer_forms(&files) {
        let Some(b) = brand::Entity::find()
            .filter(brand::Column::SourceId.eq(source_id))
            .filter(brand::Column::ResourceId.eq(key.as_str()))
            .one(&txn)
            .await?
        else {
            continue;
        };
        match (FactsForm { values }).parse() {
            Ok(parsed) => {
                facts::write(&txn, b.id, &parsed, "import", None, now)
                    .await
                    .map_err(|e| ImportError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
                stored += 1;
            }
            Err(e) => tracing::warn!(brand = %key, ?e, "demo developer facts left out"),
        }
    }
    txn.commit().await?;
    Ok(stored)
}

/// Imports the demo sources when the database has no source at all.
pub async fn seed_if_empty(db: &DatabaseConnection) -> Result<bool, ImportError> {
    if source::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let payers = payers_bundle()?;
    let outcome =
        import_reader(db, "demo:payers.json", Some(Format::Brands), std::io::Cursor::new(payers), |_| {}).await?;
    tracing::info!(brands = outcome.summary.brands.added, "demo payers imported");
    let facts = seed_developer_facts(db, outcome.summary.source_id).await?;
    tracing::info!(brands = facts, "demo payers' developer facts stored");
    for (location, bytes) in DEMO {
        let outcome = import_reader(db, location, None, bytes, |_| {}).await?;
        tracing::info!(
            location,
            brands = outcome.summary.brands.added,
            endpoints = outcome.summary.endpoints.added,
            "demo data imported"
        );
    }
    Ok(true)
}
