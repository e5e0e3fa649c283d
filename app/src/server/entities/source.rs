use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "source")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub location: String,
    pub format: String,
    pub content_hash: String,
    pub imported_at: DateTimeUtc,
    pub brand_count: i32,
    pub endpoint_count: i32,
    /// What pages call the source (`display_name` of the location, or the name given on
    /// import); the location itself may be a path on the server and is never shown.
    pub name: Option<String>,
}

impl Model {
    pub fn public_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| display_name(&self.location))
    }
}

/// A public name for a source location: a URL without its user name, password, query and
/// fragment (which can hold secrets), a `demo:`-style label as it is, a file path by its file name.
pub fn display_name(location: &str) -> String {
    if let Ok(mut u) = url::Url::parse(location)
        && matches!(u.scheme(), "http" | "https")
    {
        let _ = u.set_username("");
        let _ = u.set_password(None);
        u.set_query(None);
        u.set_fragment(None);
        return u.to_string();
    }
    let labelled = location.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1 && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if labelled {
        return location.to_string();
    }
    std::path::Path::new(location)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_string())
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn a_source_is_never_shown_by_a_server_path_or_a_secret() {
        assert_eq!(display_name("/home/op/data/payers.json"), "payers.json");
        assert_eq!(display_name("demo:payers.json"), "demo:payers.json");
        assert_eq!(display_name("https://u:tok@h.example/b.json?key=s#x"), "https://h.example/b.json");
        assert_eq!(display_name("relative/dir/file.csv"), "file.csv");
    }
}
