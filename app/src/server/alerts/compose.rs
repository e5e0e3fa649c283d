//! The words of each mail. Plain text: alerts are read on phones and in terminals, and every
//! mail ends with its unsubscribe link.
use super::events::AlertKind;

/// What a subscription is about, for mail and page text.
#[derive(Clone, Debug)]
pub struct Subject {
    /// "the endpoint https://…" or "the brand Acme Health".
    pub label: String,
    /// Its page on the site.
    pub page_url: String,
}

pub struct Mail {
    pub subject: String,
    pub body: String,
}

pub fn confirmation(about: &Subject, confirm_url: &str, unsubscribe_url: &str) -> Mail {
    Mail {
        subject: format!("Confirm Signpost alerts for {}", about.label),
        body: format!(
            "Someone (we hope you) asked Signpost to email this address when {label} goes down, \
             recovers, has a certificate about to expire, or stops offering part of the CARIN \
             Blue Button profile.\n\n\
             To start these alerts, open:\n{confirm_url}\n\n\
             If you did not ask for this, ignore this mail: nothing will be sent unless the link \
             is opened.\n\n\
             {page}\n\nTo forget this address: {unsubscribe_url}\n",
            label = about.label,
            page = about.page_url,
        ),
    }
}

pub fn alert(
    kind: AlertKind,
    endpoint_address: &str,
    endpoint_page: &str,
    detail: &str,
    about: &Subject,
    unsubscribe_url: &str,
) -> Mail {
    let headline = match kind {
        AlertKind::Down => "is down".to_string(),
        AlertKind::Recovered => "has recovered".to_string(),
        AlertKind::CertExpiring(days) => {
            format!("has a TLS certificate expiring within {days} day{}", if days == 1 { "" } else { "s" })
        }
        AlertKind::CertExpired => "has an expired TLS certificate".to_string(),
        AlertKind::Regression => "no longer passes part of the CARIN scorecard".to_string(),
    };
    Mail {
        subject: format!("[Signpost] {endpoint_address} {headline}"),
        body: format!(
            "{endpoint_address} {headline}.\n\n{detail}\n\nHistory and the full report:\n{endpoint_page}\n\n\
             You get this mail because you subscribed to alerts for {label}.\n\
             Unsubscribe with one click: {unsubscribe_url}\n",
            label = about.label,
        ),
    }
}
