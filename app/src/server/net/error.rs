//! Why a fetch failed, precisely enough to store and show (DNS, refused connection, timeout,
//! which TLS error, HTTP status, body too large, the SSRF policy).
use super::address::Blocked;
use crate::types::check::{Failure, FailureKind};
use std::net::IpAddr;

#[derive(Clone, Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    BadUrl(String),
    /// The message names the kind of address, never the address a name resolved to: it is
    /// shown to whoever asked for the check, and internal addresses are not theirs to map.
    #[error("refused: {why} address")]
    Refused { address: IpAddr, why: Blocked },
    #[error("DNS lookup failed: {0}")]
    Dns(String),
    #[error("connection refused")]
    ConnectRefused,
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("timed out {0}")]
    Timeout(String),
    #[error("TLS error: {0}")]
    Tls(String),
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    #[error("the body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("HTTP error: {0}")]
    Http(String),
}

impl FetchError {
    pub fn kind(&self) -> FailureKind {
        match self {
            FetchError::BadUrl(_) => FailureKind::BadUrl,
            FetchError::Refused { .. } => FailureKind::Refused,
            FetchError::Dns(_) => FailureKind::Dns,
            FetchError::ConnectRefused | FetchError::Connect(_) => FailureKind::Connect,
            FetchError::Timeout(_) => FailureKind::Timeout,
            FetchError::Tls(_) => FailureKind::Tls,
            FetchError::TooManyRedirects(_) => FailureKind::Redirects,
            FetchError::BodyTooLarge { .. } => FailureKind::TooLarge,
            FetchError::Http(_) => FailureKind::Http,
        }
    }

    pub fn to_failure(&self) -> Failure {
        Failure { kind: self.kind(), detail: self.to_string() }
    }

    /// Refusals by the URL or address policy: the target was never contacted.
    pub fn is_refusal(&self) -> bool {
        matches!(self, FetchError::BadUrl(_) | FetchError::Refused { .. })
    }

    /// Maps reqwest's error to the precise cause by walking its source chain.
    pub fn from_reqwest(err: &reqwest::Error, timeouts: (std::time::Duration, std::time::Duration)) -> FetchError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(e) = source {
            if let Some(ours) = e.downcast_ref::<FetchError>() {
                return ours.clone();
            }
            if let Some(tls) = e.downcast_ref::<rustls::Error>() {
                return FetchError::Tls(describe_tls(tls));
            }
            // io::Error's `source` skips the error it wraps, so unwrap nested io errors by hand.
            let mut inner = Some(e);
            while let Some(io) = inner.and_then(|x| x.downcast_ref::<std::io::Error>()) {
                if io.kind() == std::io::ErrorKind::ConnectionRefused {
                    return FetchError::ConnectRefused;
                }
                inner = io.get_ref().map(|i| i as &(dyn std::error::Error + 'static));
                if let Some(tls) = inner.and_then(|x| x.downcast_ref::<rustls::Error>()) {
                    return FetchError::Tls(describe_tls(tls));
                }
            }
            source = e.source();
        }
        if err.is_timeout() {
            return if err.is_connect() {
                FetchError::Timeout(format!("connecting (after {} s)", timeouts.0.as_secs_f32()))
            } else {
                FetchError::Timeout(format!("waiting for the answer (after {} s)", timeouts.1.as_secs_f32()))
            };
        }
        if err.is_connect() {
            return FetchError::Connect(chain_text(err));
        }
        FetchError::Http(chain_text(err))
    }
}

/// A TLS failure in words a payer's operator recognises.
pub fn describe_tls(err: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::Expired | C::ExpiredContext { .. } => "certificate expired".into(),
            C::NotValidYet | C::NotValidYetContext { .. } => "certificate not valid yet".into(),
            C::UnknownIssuer => "certificate not trusted (unknown issuer or self-signed)".into(),
            C::NotValidForName | C::NotValidForNameContext { .. } => "certificate does not match the host name".into(),
            C::Revoked => "certificate revoked".into(),
            C::BadSignature => "certificate has a bad signature".into(),
            other => format!("invalid certificate ({other:?})"),
        },
        rustls::Error::AlertReceived(alert) => format!("server sent alert {alert:?}"),
        rustls::Error::PeerIncompatible(why) => format!("incompatible TLS ({why:?})"),
        other => other.to_string(),
    }
}

fn chain_text(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let part = e.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = e.source();
    }
    text
}
