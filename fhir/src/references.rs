use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};

/// Strings as 128-bit keys, with keys drawn at random per process: sets of a million resource
/// ids cost 16 bytes an id instead of a string each, and no document can be written to make
/// two ids collide (at 2 million ids the chance of any collision is about 1 in 10^25).
#[derive(Clone, Default)]
pub struct Keys(RandomState, RandomState);

impl Keys {
    pub fn of(&self, text: &str) -> u128 {
        (u128::from(self.0.hash_one(text)) << 64) | u128::from(self.1.hash_one(text))
    }
}

/// The Organization and Endpoint ids of one bundle, for resolving references between its
/// entries. One key per resource: a reference resolves by the id after its last `Type/`
/// (relative or absolute), and only fullUrls that do not end in `Type/id` (`urn:uuid:`...)
/// are kept as such. A national directory has two million of these, so the saving counts.
#[derive(Default)]
pub struct ResourceIndex {
    keys: Keys,
    ids: [HashSet<u128>; 2],
    other_full_urls: HashMap<(usize, u128), String>,
}

fn slot(kind: &str) -> Option<usize> {
    match kind {
        "Organization" => Some(0),
        "Endpoint" => Some(1),
        _ => None,
    }
}

impl ResourceIndex {
    /// Records a resource; false when a resource of that type and id was already there.
    pub fn add(&mut self, kind: &str, id: &str, full_url: Option<&str>) -> bool {
        let Some(k) = slot(kind) else { return true };
        if let Some(full) = full_url.filter(|f| !f.ends_with(&format!("{kind}/{id}"))) {
            self.other_full_urls.insert((k, self.keys.of(full)), id.to_string());
        }
        self.ids[k].insert(self.keys.of(id))
    }

    /// The id of the `kind` resource that `reference` points at, if it is in the bundle.
    pub fn resolve(&self, kind: &str, reference: &str) -> Option<String> {
        let k = slot(kind)?;
        if let Some(id) = self.other_full_urls.get(&(k, self.keys.of(reference))) {
            return Some(id.clone());
        }
        let (_, id) = reference.rsplit_once(&format!("{kind}/"))?;
        self.ids[k].contains(&self.keys.of(id)).then(|| id.to_string())
    }

    /// The key of an id, for sets kept beside the index.
    pub fn key(&self, id: &str) -> u128 {
        self.keys.of(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_absolute_and_uuid_references() {
        let mut idx = ResourceIndex::default();
        assert!(idx.add("Endpoint", "e1", Some("https://x.org/Endpoint/e1")));
        assert!(idx.add("Endpoint", "e2", Some("urn:uuid:1234")));
        assert!(!idx.add("Endpoint", "e1", None), "duplicate");
        assert_eq!(idx.resolve("Endpoint", "Endpoint/e1").as_deref(), Some("e1"));
        assert_eq!(idx.resolve("Endpoint", "https://x.org/Endpoint/e1").as_deref(), Some("e1"));
        assert_eq!(idx.resolve("Endpoint", "urn:uuid:1234").as_deref(), Some("e2"));
        assert_eq!(idx.resolve("Organization", "Organization/e1"), None);
        assert_eq!(idx.resolve("Endpoint", "Endpoint/e9"), None);
    }

    #[test]
    fn keys_tell_strings_apart_and_repeat() {
        let keys = Keys::default();
        assert_eq!(keys.of("Endpoint/1"), keys.of("Endpoint/1"));
        let distinct: HashSet<u128> = (0..100_000).map(|i| keys.of(&format!("id-{i}"))).collect();
        assert_eq!(distinct.len(), 100_000);
    }
}
