//! Reading the configuration's values.
use signpost::config::parse_duration_secs;

#[test]
fn durations_read_with_units() {
    assert_eq!(parse_duration_secs("6h"), Some(21_600));
    assert_eq!(parse_duration_secs("30m"), Some(1800));
    assert_eq!(parse_duration_secs("90"), Some(90));
    assert_eq!(parse_duration_secs("1d"), Some(86_400));
    assert_eq!(parse_duration_secs("0s"), None);
    assert_eq!(parse_duration_secs("6 hours"), None);
    assert_eq!(parse_duration_secs(""), None);
}

#[test]
fn the_site_root_is_found_beside_the_binary_or_serve_stops_with_the_reason() {
    use signpost::config::resolve_site_root;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/signpost.css"), "body{}").unwrap();
    let exe = dir.path().join("release").join("signpost");
    // Tests run in server/, where there is no target/site: the binary's neighbour is used.
    assert_eq!(resolve_site_root(None, Some(exe.clone())).unwrap(), site.display().to_string());
    assert_eq!(resolve_site_root(Some(site.display().to_string()), None).unwrap(), site.display().to_string());
    let empty = tempfile::tempdir().unwrap();
    let e = resolve_site_root(Some(empty.path().display().to_string()), None).unwrap_err();
    assert!(e.to_string().contains("pkg/signpost.css"), "{e}");
    let e = resolve_site_root(None, Some(empty.path().join("release/signpost"))).unwrap_err();
    assert!(e.to_string().contains("LEPTOS_SITE_ROOT"), "{e}");
}

#[test]
fn trusted_proxies_are_read_from_their_variable() {
    let nets = app::server::rate_limit::parse_trusted_proxies("10.0.0.0/8 ,192.0.2.1, 2001:db8::/32").unwrap();
    assert_eq!(nets.len(), 3);
    assert!(app::server::rate_limit::parse_trusted_proxies("not-a-cidr").is_err());
}

#[test]
fn the_rate_limit_is_a_number_a_minute_or_off() {
    use signpost::config::parse_rate_limit;
    assert_eq!(parse_rate_limit(None), Ok(Some(600)));
    assert_eq!(parse_rate_limit(Some(" 120 ")), Ok(Some(120)));
    assert_eq!(parse_rate_limit(Some("off")), Ok(None));
    assert_eq!(parse_rate_limit(Some("0")), Ok(None));
    assert!(parse_rate_limit(Some("lots")).unwrap_err().contains("\"lots\""));
    assert!(parse_rate_limit(Some("-5")).is_err());
    assert!(parse_rate_limit(Some("2000000")).is_err());
    use signpost::config::parse_validate_limit;
    assert_eq!(parse_validate_limit(None), Ok(20));
    assert_eq!(parse_validate_limit(Some(" 600 ")), Ok(600));
    for bad in ["0", "off", "-1", "2000000", "many"] {
        assert!(parse_validate_limit(Some(bad)).unwrap_err().contains(&format!("\"{bad}\"")), "{bad}");
    }
}

#[test]
fn the_log_format_is_text_or_json() {
    use signpost::telemetry::LogFormat;
    assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
    assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
    assert_eq!(LogFormat::parse(Some("text")), Ok(LogFormat::Text));
    assert!(LogFormat::parse(Some("JSON5")).is_err());
}

#[test]
fn the_search_wait_is_a_duration_up_to_a_minute_or_zero() {
    use signpost::config::parse_search_wait;
    use std::time::Duration;
    assert_eq!(parse_search_wait(None), Ok(Duration::from_secs(2)));
    assert_eq!(parse_search_wait(Some(" 0 ")), Ok(Duration::ZERO));
    assert_eq!(parse_search_wait(Some("1m")), Ok(Duration::from_secs(60)));
    assert_eq!(parse_search_wait(Some("5s")), Ok(Duration::from_secs(5)));
    assert!(parse_search_wait(Some("61s")).unwrap_err().contains("60 s"));
    assert!(parse_search_wait(Some("soon")).unwrap_err().contains("\"soon\""));
}

#[test]
fn the_search_index_is_kept_beside_sqlite_and_in_the_cache_folder_for_postgresql() {
    use signpost::config::search_index_file;
    use std::path::{Path, PathBuf};
    let cache = Some(Path::new("/var/cache/me"));
    let sqlite = "sqlite:///srv/signpost.db?mode=rwc";
    assert_eq!(search_index_file(None, sqlite, cache), Some(PathBuf::from("/srv/signpost.db.search-index")));
    assert_eq!(search_index_file(Some(" off "), sqlite, cache), None);
    assert_eq!(search_index_file(Some("/x/index"), sqlite, cache), Some(PathBuf::from("/x/index")));
    assert_eq!(search_index_file(None, "sqlite::memory:", cache), None);
    let pg = "postgres://signpost:s3cret@db.internal/signpost";
    let file = search_index_file(None, pg, cache).expect("a file in the cache folder");
    let name = file.file_name().unwrap().to_str().unwrap();
    assert_eq!(file.parent(), Some(Path::new("/var/cache/me/signpost")));
    assert!(name.starts_with("search-index-") && name.len() == "search-index-".len() + 16, "{name}");
    assert!(!name.contains("s3cret") && !name.contains("db.internal"));
    let other = search_index_file(None, "postgresql://signpost:s3cret@db.internal/other", cache).unwrap();
    assert_ne!(file, other, "one file per database");
    let rotated = search_index_file(None, "postgres://signpost:n3w@db.internal/signpost?sslmode=require", cache);
    assert_eq!(rotated, Some(file.clone()), "the same database with another password or options");
    assert_eq!(search_index_file(None, pg, None), None, "no cache folder: none");
    assert_eq!(search_index_file(Some("off"), pg, cache), None);
}
