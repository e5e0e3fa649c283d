//! A second, non-verifying TLS handshake, for inspection only: it reads the negotiated version
//! and the leaf certificate even when the certificate is expired, self-signed or for another
//! host, then judges the chain separately. Nothing received over this connection is trusted.
use super::error::{FetchError, describe_tls};
use super::policy::FetchPolicy;
use crate::types::check::TlsFacts;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::time::timeout;

#[derive(Debug)]
struct InspectOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for InspectOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The web PKI roots plus the policy's extra roots.
pub fn root_store(policy: &FetchPolicy) -> RootCertStore {
    let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    for extra in &policy.extra_roots {
        let ders: Vec<CertificateDer<'static>> = if extra.starts_with(b"-----") {
            rustls_pemfile_certs(extra)
        } else {
            vec![CertificateDer::from(extra.clone())]
        };
        for der in ders {
            let _ = roots.add(der);
        }
    }
    roots
}

fn rustls_pemfile_certs(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem).filter_map(Result::ok).collect()
}

pub async fn probe(policy: &FetchPolicy, host: &str, port: u16) -> Result<TlsFacts, FetchError> {
    let addr =
        *policy.resolve(host, port).await?.first().ok_or_else(|| FetchError::Dns(format!("{host}: no addresses")))?;
    let tcp = match timeout(policy.connect_timeout, TcpStream::connect(addr)).await {
        Err(_) => {
            return Err(FetchError::Timeout(format!("connecting (after {} s)", policy.connect_timeout.as_secs_f32())));
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Err(FetchError::ConnectRefused),
        Ok(Err(e)) => return Err(FetchError::Connect(e.to_string())),
        Ok(Ok(tcp)) => tcp,
    };
    let provider = provider();
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| FetchError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(InspectOnly(provider.clone())))
        .with_no_client_auth();
    let name = server_name(host)?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tls = match timeout(policy.total_timeout, connector.connect(name.clone(), tcp)).await {
        Err(_) => return Err(FetchError::Timeout("in the TLS handshake".into())),
        Ok(Err(e)) => {
            let detail =
                e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()).map(describe_tls).unwrap_or(e.to_string());
            return Err(FetchError::Tls(detail));
        }
        Ok(Ok(tls)) => tls,
    };
    let (_, session) = tls.get_ref();
    let protocol = session.protocol_version().map(|v| format!("{v:?}").replace("TLSv1_", "TLS 1.")).unwrap_or_default();
    let cipher = session.negotiated_cipher_suite().map(|c| format!("{:?}", c.suite())).unwrap_or_default();
    let chain: Vec<CertificateDer<'static>> = session.peer_certificates().map(|c| c.to_vec()).unwrap_or_default();
    Ok(judge(policy, &name, protocol, cipher, &chain, chrono::Utc::now()))
}

fn server_name(host: &str) -> Result<ServerName<'static>, FetchError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_string()).map_err(|_| FetchError::BadUrl(format!("\"{host}\" is not a host name")))
}

/// Reads the leaf certificate and verifies the chain against the trusted roots, as a client that
/// validates certificates would.
pub fn judge(
    policy: &FetchPolicy,
    name: &ServerName<'static>,
    protocol: String,
    cipher: String,
    chain: &[CertificateDer<'static>],
    now: chrono::DateTime<chrono::Utc>,
) -> TlsFacts {
    let mut facts = TlsFacts {
        protocol,
        cipher,
        not_after: None,
        days_left: None,
        issuer: None,
        subject: None,
        host_matches: None,
        trusted: false,
        trust_error: None,
    };
    let Some(leaf) = chain.first() else {
        facts.trust_error = Some("the server sent no certificate".into());
        return facts;
    };
    if let Ok((_, cert)) = x509_parser::parse_x509_certificate(leaf) {
        let not_after = cert.validity().not_after.timestamp();
        if let Some(t) = chrono::DateTime::from_timestamp(not_after, 0) {
            facts.not_after = Some(t.to_rfc3339());
            facts.days_left = Some((t - now).num_seconds().div_euclid(86_400));
        }
        facts.issuer = Some(cert.issuer().to_string());
        facts.subject = Some(cert.subject().to_string());
    }
    facts.host_matches =
        webpki::EndEntityCert::try_from(leaf).ok().map(|ee| ee.verify_is_valid_for_subject_name(name).is_ok());
    let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(now.timestamp().max(0) as u64));
    let verdict =
        match rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(root_store(policy)), provider())
            .build()
        {
            Err(e) => Err(format!("no trusted roots: {e}")),
            Ok(v) => v.verify_server_cert(leaf, &chain[1..], name, &[], at).map(|_| ()).map_err(|e| describe_tls(&e)),
        };
    match verdict {
        Ok(()) => facts.trusted = true,
        Err(e) => facts.trust_error = Some(e),
    }
    facts
}
