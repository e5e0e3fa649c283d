//! Demo data for an empty database: the SMART App Launch 2.2 example brands, Oracle Health's
//! published patient-access endpoints, and the CMS State Medicaid endpoint directory. All real,
//! public documents, embedded so a fresh `signpost serve` has something to search.
use app::server::entities::source;
use app::server::import::run::{ImportError, import_reader};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

const DEMO: [(&str, &[u8]); 4] = [
    ("demo:smart-spec-example1.json", include_bytes!("../demo/smart-spec-example1.json")),
    ("demo:smart-spec-example2.json", include_bytes!("../demo/smart-spec-example2.json")),
    ("demo:cms-sma-endpoint-directory.csv", include_bytes!("../demo/cms-sma-endpoint-directory.csv")),
    ("demo:oracle-millennium-patient-r4.json", include_bytes!("../demo/oracle-millennium-patient-r4.json")),
];

/// Imports the demo sources when the database has no source at all.
pub async fn seed_if_empty(db: &DatabaseConnection) -> Result<bool, ImportError> {
    if source::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
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
