//! Reading a directory source into records (streaming); the app writes them in one transaction.
pub mod brands;
pub mod lantern;
pub mod sma_csv;
pub mod spooled;

use crate::records::Directory;
use sha2::{Digest, Sha256};
use std::io::{BufRead, Read};
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A FHIR Bundle of Organizations and Endpoints: SMART 2.2 brands or the older
    /// "service base URL" bundles.
    Brands,
    /// ONC Lantern's endpoint list: `{"Endpoints": [{"URL", "OrganizationName", ...}]}`.
    Lantern,
    /// The CMS State Medicaid Agency endpoint directory CSV.
    SmaCsv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Brands => "brands",
            Format::Lantern => "lantern",
            Format::SmaCsv => "sma-csv",
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "brands" => Ok(Format::Brands),
            "lantern" => Ok(Format::Lantern),
            "sma-csv" => Ok(Format::SmaCsv),
            other => Err(format!("unknown format \"{other}\" (expected brands, lantern or sma-csv)")),
        }
    }
}

/// Guesses the format from the first bytes of a source.
pub fn detect(head: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') {
        let endpoints = text.find("\"Endpoints\"");
        let resource_type = text.find("\"resourceType\"");
        return match (endpoints, resource_type) {
            (Some(e), Some(r)) if e < r => Some(Format::Lantern),
            (Some(_), None) => Some(Format::Lantern),
            (_, Some(_)) => Some(Format::Brands),
            (None, None) => None,
        };
    }
    if text.contains("Production Base URL") || text.starts_with("State Medicaid Agency") {
        return Some(Format::SmaCsv);
    }
    None
}

/// A source that is not a readable document of the chosen format: nothing is written.
#[derive(Debug, thiserror::Error)]
#[error("not a readable {format} document: {message}")]
pub struct Unreadable {
    pub format: &'static str,
    pub message: String,
}

/// Reads the whole of `reader` as `format`.
pub fn read_directory<R: BufRead>(reader: R, format: Format) -> Result<Directory, Unreadable> {
    let result = match format {
        Format::Brands => brands::read(reader),
        Format::Lantern => lantern::read(reader),
        Format::SmaCsv => sma_csv::read(reader),
    };
    result.map_err(|message| Unreadable { format: format.as_str(), message })
}

/// Wraps a reader to hash what passes through and report progress in bytes.
pub struct Tracked<R, F> {
    inner: R,
    hasher: Sha256,
    read: u64,
    on_progress: F,
}

impl<R: Read, F: FnMut(u64)> Tracked<R, F> {
    pub fn new(inner: R, on_progress: F) -> Self {
        Tracked { inner, hasher: Sha256::new(), read: 0, on_progress }
    }

    pub fn hash(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

impl<R: Read, F: FnMut(u64)> Read for Tracked<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        (self.on_progress)(self.read);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format_from_its_head() {
        assert_eq!(detect(br#"{"resourceType":"Bundle","entry":[]}"#), Some(Format::Brands));
        assert_eq!(detect(b"\xef\xbb\xbf{\n\t\"Endpoints\": [{\"URL\": \"x\"}]}"), Some(Format::Lantern));
        assert_eq!(
            detect("\u{feff}State Medicaid Agency Interoperability,,,\nState,Production Base URL".as_bytes()),
            Some(Format::SmaCsv)
        );
        assert_eq!(detect(b"hello"), None);
        assert_eq!(detect(br#"{"a": 1}"#), None);
    }
}
