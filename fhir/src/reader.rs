//! Streaming JSON reading: a document of the form `{..., "<key>": [item, item, ...], ...}` is
//! read with each array item handed to a callback as it is parsed, so an 85 MB brands bundle
//! never exists in memory as one tree. Every other top-level member is kept (they are small).
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;
use std::io::Read;

/// Most items one document may hold (a national directory is about a million brands); past it
/// reading stops with an error, so a stream of tiny entries cannot grow an import without bound.
pub const MAX_ITEMS: usize = 2_000_000;

/// The top level of the document, without the streamed array.
#[derive(Debug, Default)]
pub struct Header {
    pub fields: Map<String, Value>,
    /// `None` when the array member was absent.
    pub item_count: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
#[error("{message} (line {line}, column {column})")]
pub struct ReadError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl From<serde_json::Error> for ReadError {
    fn from(e: serde_json::Error) -> Self {
        let text = e.to_string();
        // serde_json appends " at line L column C"; keep the message without it.
        let message = text.split(" at line ").next().unwrap_or(&text).to_string();
        ReadError { message, line: e.line(), column: e.column() }
    }
}

/// Reads a JSON object from `reader`, calling `on_item(index, item)` for each element of the
/// array member named `array_key`. The callback may return an error message to stop reading.
pub fn read_streaming<R, F>(reader: R, array_key: &str, mut on_item: F) -> Result<Header, ReadError>
where
    R: Read,
    F: FnMut(usize, Value) -> Result<(), String>,
{
    let mut de = serde_json::Deserializer::from_reader(reader);
    let header = de.deserialize_map(DocVisitor { array_key, on_item: &mut on_item })?;
    de.end()?;
    Ok(header)
}

struct DocVisitor<'a, F> {
    array_key: &'a str,
    on_item: &'a mut F,
}

impl<'de, F: FnMut(usize, Value) -> Result<(), String>> Visitor<'de> for DocVisitor<'_, F> {
    type Value = Header;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        let mut header = Header::default();
        while let Some(key) = map.next_key::<String>()? {
            if key == self.array_key {
                // A second array would restart the count (and the limit) and the entry
                // numbers the findings and generated ids use.
                if header.item_count.is_some() {
                    return Err(serde::de::Error::custom(format!("\"{}\" appears twice", self.array_key)));
                }
                let count = map.next_value_seed(ItemsSeed { key: self.array_key, on_item: &mut *self.on_item })?;
                header.item_count = Some(count);
            } else {
                let value: Value = map.next_value()?;
                header.fields.insert(key, value);
            }
        }
        Ok(header)
    }
}

struct ItemsSeed<'a, F> {
    key: &'a str,
    on_item: &'a mut F,
}

impl<'de, F: FnMut(usize, Value) -> Result<(), String>> DeserializeSeed<'de> for ItemsSeed<'_, F> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(usize, Value) -> Result<(), String>> Visitor<'de> for ItemsSeed<'_, F> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an array in \"{}\"", self.key)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut index = 0;
        while let Some(item) = seq.next_element::<Value>()? {
            if index >= MAX_ITEMS {
                return Err(serde::de::Error::custom(format!(
                    "more than {MAX_ITEMS} entries; the limit is {MAX_ITEMS}"
                )));
            }
            (self.on_item)(index, item).map_err(serde::de::Error::custom)?;
            index += 1;
        }
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_items_and_keeps_the_rest() {
        let doc = br#"{"entry":[{"a":1},{"a":2}],"type":"collection"}"#;
        let mut seen = vec![];
        let h = read_streaming(&doc[..], "entry", |i, v| {
            seen.push((i, v["a"].as_i64().unwrap()));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, vec![(0, 1), (1, 2)]);
        assert_eq!(h.item_count, Some(2));
        assert_eq!(h.fields["type"], "collection");
    }

    #[test]
    fn reports_where_the_document_breaks() {
        let doc = b"{\n\"entry\": [ {\"a\": 1}, {\"a\": } ]}";
        let err = read_streaming(&doc[..], "entry", |_, _| Ok(())).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("expected value"), "{}", err.message);
        let err = read_streaming(&b"[1,2]"[..], "entry", |_, _| Ok(())).unwrap_err();
        assert!(err.message.contains("expected a JSON object"), "{}", err.message);
        let err = read_streaming(&br#"{"entry": [{}], "entry": [{}]}"#[..], "entry", |_, _| Ok(())).unwrap_err();
        assert!(err.message.contains("\"entry\" appears twice"), "{}", err.message);
        let err = read_streaming(&br#"{"entry": 5}"#[..], "entry", |_, _| Ok(())).unwrap_err();
        assert!(err.message.contains("an array in \"entry\""), "{}", err.message);
        assert!(read_streaming(&br#"{"entry": []} trailing"#[..], "entry", |_, _| Ok(())).is_err());
    }
}
