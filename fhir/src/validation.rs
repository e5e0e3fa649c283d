use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Finding {
    pub severity: Severity,
    pub rule: String,
    pub pointer: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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

/// A report for a Validate form posted without JavaScript: the server renders the page with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostedReport(pub Result<ValidationReport, String>);

/// A byte count as the pages say it ("5 MB", "512 KB").
pub fn size_label(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    match bytes {
        b if b >= MB && b % MB == 0 => format!("{} MB", b / MB),
        b if b >= MB => format!("{:.1} MB", b as f64 / MB as f64),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::size_label;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_label(5 * 1024 * 1024), "5 MB");
        assert_eq!(size_label(1536 * 1024), "1.5 MB");
        assert_eq!(size_label(512 * 1024), "512 KB");
        assert_eq!(size_label(100), "100 bytes");
    }
}
