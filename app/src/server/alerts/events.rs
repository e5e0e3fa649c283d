//! The events one check causes, from the endpoint's state before it and the new report. Pure
//! functions: the poller calls them inside the transaction that records the check, so an event
//! is stored exactly when its transition is.
use crate::types::check::{CheckReport, Health, Verdict};
use std::fmt;

/// Certificate warnings, most distant first; 0 stands for "expired".
pub const CERT_STAGES: [i32; 4] = [30, 14, 7, 1];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertKind {
    Down,
    Recovered,
    /// Expires within this many days (one of `CERT_STAGES`).
    CertExpiring(i32),
    CertExpired,
    /// A CARIN scorecard item went from pass to fail.
    Regression,
}

impl AlertKind {
    pub fn parse(s: &str) -> Option<AlertKind> {
        Some(match s {
            "down" => AlertKind::Down,
            "recovered" => AlertKind::Recovered,
            "cert-expired" => AlertKind::CertExpired,
            "regression" => AlertKind::Regression,
            other => {
                let days: i32 = other.strip_prefix("cert-")?.strip_suffix("d")?.parse().ok()?;
                CERT_STAGES.contains(&days).then_some(AlertKind::CertExpiring(days))?
            }
        })
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlertKind::Down => f.write_str("down"),
            AlertKind::Recovered => f.write_str("recovered"),
            AlertKind::CertExpiring(d) => write!(f, "cert-{d}d"),
            AlertKind::CertExpired => f.write_str("cert-expired"),
            AlertKind::Regression => f.write_str("regression"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAlert {
    pub kind: AlertKind,
    /// One line for the mail: the reason, the expiry date, the items that regressed.
    pub detail: String,
}

/// The certificate stage a number of days left falls in: `None` beyond 30 days, else the
/// tightest of 30/14/7/1 that it is within, or 0 once expired.
pub fn cert_stage(days_left: i64) -> Option<i32> {
    if days_left < 0 {
        return Some(0);
    }
    CERT_STAGES.iter().rev().copied().find(|s| days_left <= *s as i64)
}

/// What the endpoint looked like before this check.
pub struct Before<'a> {
    pub health: Health,
    pub cert_alert_stage: Option<i32>,
    /// The previous report, when there was one and the result changed (else `None`: nothing to
    /// compare).
    pub report: Option<&'a CheckReport>,
}

/// The events of one check, and the certificate stage to remember afterwards.
pub fn detect(before: &Before<'_>, health: Health, report: &CheckReport) -> (Vec<NewAlert>, Option<i32>) {
    let mut out = Vec::new();
    if health == Health::Down && before.health != Health::Down {
        let reason = if report.problems.is_empty() { "no answer".to_string() } else { report.problems.join("; ") };
        out.push(NewAlert { kind: AlertKind::Down, detail: reason });
    }
    if before.health == Health::Down && matches!(health, Health::Up | Health::Degraded) {
        out.push(NewAlert {
            kind: AlertKind::Recovered,
            detail: format!("The endpoint answers again ({}).", health.as_str()),
        });
    }

    // The certificate: one mail per stage reached (a jump from 40 to 5 days sends the 7-day one
    // only); a renewed certificate starts over. No TLS facts (plain http, no handshake) leaves
    // the stage as it was.
    let mut stage = before.cert_alert_stage;
    if let Some(Ok(tls)) = &report.tls
        && let Some(days) = tls.days_left
    {
        let now_stage = cert_stage(days);
        let worse = match (now_stage, before.cert_alert_stage) {
            (Some(n), Some(b)) => n < b,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if worse && let Some(n) = now_stage {
            let when = tls.not_after.clone().unwrap_or_else(|| "an unknown date".into());
            out.push(if n == 0 {
                NewAlert { kind: AlertKind::CertExpired, detail: format!("The TLS certificate expired on {when}.") }
            } else {
                NewAlert {
                    kind: AlertKind::CertExpiring(n),
                    detail: format!("The TLS certificate expires on {when} ({days} days left)."),
                }
            });
        }
        stage = now_stage;
    }

    if let Some(previous) = before.report {
        let regressed: Vec<&str> = report
            .scorecard
            .iter()
            .filter(|item| item.verdict == Verdict::Fail)
            .filter(|item| previous.scorecard.iter().any(|p| p.key == item.key && p.verdict == Verdict::Pass))
            .map(|item| item.key.as_str())
            .collect();
        if !regressed.is_empty() {
            out.push(NewAlert {
                kind: AlertKind::Regression,
                detail: format!("No longer offered: {}.", regressed.join(", ")),
            });
        }
    }
    (out, stage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::check::{ScoreItem, Step, TlsFacts};

    fn report(days_left: Option<i64>, score: &[(&str, Verdict)]) -> CheckReport {
        CheckReport {
            url: "https://fhir.example.org".into(),
            checked_at: String::new(),
            health: Health::Up,
            problems: vec![],
            metadata: Step { http: None, facts: None, failure: None },
            smart: Step { http: None, facts: None, failure: None },
            tls: days_left.map(|d| {
                Ok(TlsFacts {
                    protocol: "TLSv1.3".into(),
                    cipher: String::new(),
                    not_after: Some("2026-12-01T00:00:00+00:00".into()),
                    days_left: Some(d),
                    issuer: None,
                    subject: None,
                    host_matches: Some(true),
                    trusted: true,
                    trust_error: None,
                })
            }),
            cors: None,
            scorecard: score.iter().map(|(k, v)| ScoreItem { key: (*k).into(), verdict: *v }).collect(),
        }
    }

    fn before(health: Health, stage: Option<i32>) -> Before<'static> {
        Before { health, cert_alert_stage: stage, report: None }
    }

    fn kinds(v: &[NewAlert]) -> Vec<AlertKind> {
        v.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn stages_follow_the_days_left() {
        assert_eq!(cert_stage(90), None);
        assert_eq!(cert_stage(31), None);
        assert_eq!(cert_stage(30), Some(30));
        assert_eq!(cert_stage(15), Some(30));
        assert_eq!(cert_stage(14), Some(14));
        assert_eq!(cert_stage(5), Some(7));
        assert_eq!(cert_stage(1), Some(1));
        assert_eq!(cert_stage(0), Some(1));
        assert_eq!(cert_stage(-1), Some(0));
    }

    #[test]
    fn down_and_recovered_once_per_transition() {
        let r = report(None, &[]);
        assert_eq!(kinds(&detect(&before(Health::Up, None), Health::Down, &r).0), [AlertKind::Down]);
        assert_eq!(kinds(&detect(&before(Health::Unknown, None), Health::Down, &r).0), [AlertKind::Down]);
        assert!(detect(&before(Health::Down, None), Health::Down, &r).0.is_empty());
        assert_eq!(kinds(&detect(&before(Health::Down, None), Health::Degraded, &r).0), [AlertKind::Recovered]);
        assert!(detect(&before(Health::Up, None), Health::Up, &r).0.is_empty());
        assert!(detect(&before(Health::Up, None), Health::Degraded, &r).0.is_empty());
    }

    #[test]
    fn each_certificate_stage_is_sent_once_and_a_renewal_starts_over() {
        let (a, s) = detect(&before(Health::Up, None), Health::Up, &report(Some(29), &[]));
        assert_eq!((kinds(&a), s), (vec![AlertKind::CertExpiring(30)], Some(30)));
        let (a, s) = detect(&before(Health::Up, Some(30)), Health::Up, &report(Some(20), &[]));
        assert_eq!((kinds(&a), s), (vec![], Some(30)));
        // A jump over several stages sends the tightest only.
        let (a, s) = detect(&before(Health::Up, Some(30)), Health::Up, &report(Some(3), &[]));
        assert_eq!((kinds(&a), s), (vec![AlertKind::CertExpiring(7)], Some(7)));
        let (a, s) = detect(&before(Health::Up, Some(1)), Health::Degraded, &report(Some(-1), &[]));
        assert_eq!((kinds(&a), s), (vec![AlertKind::CertExpired], Some(0)));
        let (a, s) = detect(&before(Health::Degraded, Some(0)), Health::Degraded, &report(Some(-2), &[]));
        assert_eq!((kinds(&a), s), (vec![], Some(0)));
        let (a, s) = detect(&before(Health::Degraded, Some(0)), Health::Up, &report(Some(365), &[]));
        assert_eq!((kinds(&a), s), (vec![], None));
        // No TLS facts this time: the stage is kept.
        let (a, s) = detect(&before(Health::Down, Some(7)), Health::Down, &report(None, &[]));
        assert_eq!((kinds(&a), s), (vec![], Some(7)));
    }

    #[test]
    fn a_regression_is_a_pass_that_became_a_fail() {
        let old = report(None, &[("capability:launch-standalone", Verdict::Pass), ("scope:openid", Verdict::Pass)]);
        let new = report(None, &[("capability:launch-standalone", Verdict::Fail), ("scope:openid", Verdict::Unknown)]);
        let b = Before { health: Health::Up, cert_alert_stage: None, report: Some(&old) };
        let (a, _) = detect(&b, Health::Up, &new);
        assert_eq!(kinds(&a), [AlertKind::Regression]);
        assert!(a[0].detail.contains("capability:launch-standalone"));
        assert!(!a[0].detail.contains("openid"), "unknown is not a regression");
        let b = Before { health: Health::Up, cert_alert_stage: None, report: Some(&new) };
        assert!(detect(&b, Health::Up, &old).0.is_empty(), "an improvement is not an alert");
    }

    #[test]
    fn kinds_round_trip_through_text() {
        for k in [
            AlertKind::Down,
            AlertKind::Recovered,
            AlertKind::CertExpiring(30),
            AlertKind::CertExpiring(1),
            AlertKind::CertExpired,
            AlertKind::Regression,
        ] {
            assert_eq!(AlertKind::parse(&k.to_string()), Some(k));
        }
        assert_eq!(AlertKind::parse("cert-5d"), None);
        assert_eq!(AlertKind::parse("bogus"), None);
    }
}
