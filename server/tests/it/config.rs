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
