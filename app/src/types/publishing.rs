//! A payer's publishing as the pages see it: the preview of an uploaded bundle (findings, and
//! per brand what would change) and the published versions.
use crate::types::proposals::FieldDiff;
use crate::types::validation::Finding;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BrandChangeKind {
    Added,
    Changed,
    Unchanged,
    /// Not this organization's to publish, or not passing the checks: blocks publishing.
    Refused,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandChange {
    pub brand_id: Option<i32>,
    pub name: String,
    pub kind: BrandChangeKind,
    pub fields: Vec<FieldDiff>,
    pub problem: Option<String>,
}

/// What publishing the bundle would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadPreview {
    pub findings: Vec<Finding>,
    /// Errors, warnings and notes, also those `findings` leaves out.
    pub finding_counts: [u32; 3],
    pub brands: Vec<BrandChange>,
    /// Maintained brands the bundle leaves out (left as they are).
    pub left_out: Vec<String>,
    pub blocked: bool,
}

/// A version as the organization's page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub version: i32,
    pub kind: String,
    pub brand_count: i32,
    pub published_at: i64,
    pub note: String,
}

/// The bundle address the organization publishes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedInfo {
    pub url: String,
    pub last_fetched_at: Option<i64>,
    pub next_fetch_at: i64,
    pub last_outcome: String,
}

/// The organization page's publishing section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishingInfo {
    /// `/publishers/{slug}/brands.json`, once something is published.
    pub bundle_path: Option<String>,
    pub versions: Vec<VersionInfo>,
    pub feed: Option<FeedInfo>,
}
