use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem found in a bundle: where (a JSON pointer), how bad, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub rule: String,
    pub pointer: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationReport {
    pub organizations: u32,
    pub endpoints: u32,
    pub errors: u32,
    pub warnings: u32,
    pub infos: u32,
    pub findings: Vec<Finding>,
    /// Set when the document could not be read at all (not JSON, not a Bundle).
    pub fatal: Option<String>,
}

impl ValidationReport {
    pub fn from_findings(findings: Vec<Finding>, organizations: u32, endpoints: u32) -> Self {
        let count = |s| findings.iter().filter(|f| f.severity == s).count() as u32;
        ValidationReport {
            organizations,
            endpoints,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            findings,
            fatal: None,
        }
    }

    pub fn is_valid(&self) -> bool {
        self.fatal.is_none() && self.errors == 0
    }
}
