//! Fake FHIR servers on loopback for the poller's tests and benchmark: real TLS (certificates
//! made by rcgen under a throwaway CA) serving the real CapabilityStatements and
//! smart-configurations from `../shared/fixtures`, plus the ways real servers misbehave. Never
//! used by `serve`.
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::time::Instant;
use tokio::net::TcpListener;

/// A throwaway certificate authority.
pub struct TestCa {
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// How a leaf certificate should be wrong (or not).
#[derive(Clone, Copy, Debug)]
pub enum CertKind {
    Valid,
    /// Valid for this many more days.
    ExpiresIn(i64),
    Expired,
    /// Issued for another host name.
    WrongHost,
    /// Signed by itself, not by the CA.
    SelfSigned,
}

impl TestCa {
    pub fn new() -> Self {
        let key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, "Signpost Test CA");
        let cert = params.self_signed(&key).expect("CA certificate");
        TestCa { cert, key }
    }

    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A leaf certificate (DER) and its key (DER) for `ip` and `names`.
    pub fn leaf(&self, ip: IpAddr, names: &[&str], kind: CertKind) -> (Vec<u8>, Vec<u8>) {
        let key = KeyPair::generate().expect("key");
        let mut sans: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        if matches!(kind, CertKind::WrongHost) {
            sans = vec!["other-host.example".into()];
        }
        let mut params = CertificateParams::new(sans).expect("params");
        if !matches!(kind, CertKind::WrongHost) {
            params.subject_alt_names.push(SanType::IpAddress(ip));
        }
        params.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("fake fhir"));
        let now = time::OffsetDateTime::now_utc();
        let (from, to) = match kind {
            CertKind::ExpiresIn(days) => {
                (now - time::Duration::days(30), now + time::Duration::days(days) + time::Duration::hours(1))
            }
            CertKind::Expired => (now - time::Duration::days(90), now - time::Duration::days(2)),
            _ => (now - time::Duration::days(30), now + time::Duration::days(200)),
        };
        params.not_before = from;
        params.not_after = to;
        let cert = match kind {
            CertKind::SelfSigned => params.self_signed(&key),
            _ => params.signed_by(&key, &self.cert, &self.key),
        }
        .expect("leaf certificate");
        (cert.der().to_vec(), key.serialize_der())
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Clone)]
struct Fake {
    metadata: Arc<String>,
    smart: Arc<String>,
    hits: Arc<AtomicUsize>,
    times: Arc<Mutex<Vec<Instant>>>,
    latency: Duration,
    controls: Controls,
}

/// What a test can change while a fake runs: an outage (every answer a 500) and the documents
/// served.
#[derive(Clone, Default)]
struct Controls {
    outage: Arc<std::sync::atomic::AtomicBool>,
    smart: Arc<Mutex<Option<Arc<String>>>>,
    metadata: Arc<Mutex<Option<Arc<String>>>>,
    verification: Arc<Mutex<Option<Arc<String>>>>,
    verification_file: Arc<Mutex<Option<std::path::PathBuf>>>,
    publisher: Arc<Mutex<Option<Arc<String>>>>,
}

fn replaced(slot: &Mutex<Option<Arc<String>>>, default: &Arc<String>) -> Arc<String> {
    slot.lock().unwrap_or_else(|p| p.into_inner()).clone().unwrap_or_else(|| default.clone())
}

impl Fake {
    fn hit(&self) -> usize {
        self.times.lock().unwrap_or_else(|p| p.into_inner()).push(Instant::now());
        self.hits.fetch_add(1, Ordering::Relaxed)
    }
}

/// What a fake server counts and serves.
#[derive(Clone)]
pub struct FakeServer {
    pub addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    times: Arc<Mutex<Vec<Instant>>>,
    controls: Controls,
}

impl FakeServer {
    pub fn https_base(&self, tail: &str) -> String {
        format!("https://{}/{}", self.addr, tail.trim_start_matches('/'))
    }

    pub fn http_base(&self, tail: &str) -> String {
        format!("http://{}/{}", self.addr, tail.trim_start_matches('/'))
    }

    /// Requests answered so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    /// While on, every request is answered with a 500.
    pub fn set_outage(&self, on: bool) {
        self.controls.outage.store(on, Ordering::SeqCst);
    }

    /// Serves this smart-configuration instead of the fixture (`None`: the fixture again).
    pub fn set_smart(&self, json: Option<String>) {
        *self.controls.smart.lock().unwrap_or_else(|p| p.into_inner()) = json.map(Arc::new);
    }

    /// Serves this CapabilityStatement for `ok` instead of the fixture (`None`: the fixture).
    pub fn set_metadata(&self, json: Option<String>) {
        *self.controls.metadata.lock().unwrap_or_else(|p| p.into_inner()) = json.map(Arc::new);
    }

    /// Serves this text at `/.well-known/signpost-verification.txt` (`None`: a 404).
    pub fn set_verification(&self, text: Option<String>) {
        *self.controls.verification.lock().unwrap_or_else(|p| p.into_inner()) = text.map(Arc::new);
    }

    /// Serves this file's content at the verification path while no text is set (a process
    /// outside writes it: the end-to-end tests).
    pub fn set_verification_file(&self, path: std::path::PathBuf) {
        *self.controls.verification_file.lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
    }

    /// Serves this bundle at `/publisher/brands.json`, with an `ETag` of its length and a few
    /// bytes of it, answering `304` to a matching `If-None-Match` (`None`: a 404).
    pub fn set_publisher_bundle(&self, json: Option<String>) {
        *self.controls.publisher.lock().unwrap_or_else(|p| p.into_inner()) = json.map(Arc::new);
    }

    /// When each request arrived, in order.
    pub fn request_times(&self) -> Vec<Instant> {
        self.times.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

fn fixture(rel: &str) -> String {
    let path = format!("{}/../../shared/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// Routes by the first path segment of the base URL, up to any `-` (so `ok-7` is `ok` for
/// another tenant):
/// `ok`, `epic`, `dstu2` (real fixtures), `nosmart` (smart-configuration 404), `slow` (2 s),
/// `stall` (never answers), `error` (500), `busy` (429 with `Retry-After: 1` on every other
/// request), `busyslow` (the same, and the answer between takes 2 s), `loop` (redirects to itself), `big` (6 MB), `text` (HTML), `redirect/{target}`
/// (302 to `http://{target}/ok/metadata`). `{scenario}/brands.json` is the SMART example brands
/// bundle, 2 s late for `slow`.
fn router(fake: Fake) -> Router {
    Router::new()
        .route("/{scenario}/metadata", get(metadata))
        .route("/publisher/brands.json", get(publisher))
        .route("/{scenario}/brands.json", get(brands))
        .route("/{scenario}/.well-known/smart-configuration", get(smart))
        .route("/redirect/{target}/metadata", get(redirect))
        .route("/.well-known/signpost-verification.txt", get(verification))
        .with_state(fake)
}

fn json(body: String, cors: bool) -> Response {
    let mut r = (StatusCode::OK, [(header::CONTENT_TYPE, "application/fhir+json")], body).into_response();
    if cors {
        r.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
    r
}

async fn metadata(State(fake): State<Fake>, Path(scenario): Path<String>) -> Response {
    let n = fake.hit();
    tokio::time::sleep(fake.latency).await;
    if fake.controls.outage.load(Ordering::SeqCst) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "outage").into_response();
    }
    match scenario.split('-').next().unwrap_or_default() {
        "ok" | "nosmart" => json(replaced(&fake.controls.metadata, &fake.metadata).to_string(), true),
        "epic" => json(fixture("capability/epic-stu3.json"), false),
        "dstu2" => json(fixture("capability/cerner-dstu2.json"), true),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            json(fake.metadata.to_string(), true)
        }
        "stall" => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK.into_response()
        }
        "error" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        "busy" if n % 2 == 0 => {
            (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], "slow down").into_response()
        }
        "busy" => json(fake.metadata.to_string(), true),
        "busyslow" if n % 2 == 0 => {
            (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], "slow down").into_response()
        }
        "busyslow" => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            json(fake.metadata.to_string(), true)
        }
        "loop" => (StatusCode::FOUND, [(header::LOCATION, "/loop/metadata")]).into_response(),
        "big" => json(" ".repeat(6 * 1024 * 1024) + "{}", true),
        "text" => (StatusCode::OK, [(header::CONTENT_TYPE, "text/html")], "<html>hello</html>").into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn smart(State(fake): State<Fake>, Path(scenario): Path<String>) -> Response {
    fake.hit();
    tokio::time::sleep(fake.latency).await;
    if fake.controls.outage.load(Ordering::SeqCst) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "outage").into_response();
    }
    match scenario.split('-').next().unwrap_or_default() {
        "nosmart" | "error" => StatusCode::NOT_FOUND.into_response(),
        _ => json(replaced(&fake.controls.smart, &fake.smart).to_string(), false),
    }
}

async fn brands(State(fake): State<Fake>, Path(scenario): Path<String>) -> Response {
    fake.hit();
    tokio::time::sleep(fake.latency).await;
    if scenario.starts_with("slow") {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    json(fixture("brands/smart-spec-example1.json"), true)
}

async fn publisher(State(fake): State<Fake>, headers: HeaderMap) -> Response {
    fake.hit();
    let Some(body) = fake.controls.publisher.lock().unwrap_or_else(|p| p.into_inner()).clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Distinct enough for a test's bundles: their length and a checksum of their bytes.
    let sum = body.bytes().fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
    let tag = format!("\"{}-{sum:08x}\"", body.len());
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/fhir+json".to_string()), (header::ETAG, tag)],
        body.to_string(),
    )
        .into_response()
}

async fn verification(State(fake): State<Fake>) -> Response {
    fake.hit();
    let set = fake.controls.verification.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let file = fake.controls.verification_file.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let text = set.or_else(|| file.and_then(|f| std::fs::read_to_string(f).ok()).map(Arc::new));
    match text {
        Some(t) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], t.to_string()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn redirect(Path(target): Path<String>, _headers: HeaderMap) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, format!("http://{target}/ok/metadata"))]).into_response()
}

fn fake(latency: Duration) -> Fake {
    Fake {
        metadata: Arc::new(fixture("capability/r4-sample.json")),
        smart: Arc::new(fixture("smart/cerner-smart-configuration.json")),
        hits: Arc::default(),
        times: Arc::default(),
        latency,
        controls: Controls::default(),
    }
}

/// A plain-HTTP fake on `ip`, port chosen by the system.
pub async fn spawn_http(ip: IpAddr, latency: Duration) -> std::io::Result<FakeServer> {
    let listener = TcpListener::bind((ip, 0)).await?;
    let addr = listener.local_addr()?;
    let fake = fake(latency);
    let (hits, times, controls) = (fake.hits.clone(), fake.times.clone(), fake.controls.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(fake)).await;
    });
    Ok(FakeServer { addr, hits, times, controls })
}

/// An HTTPS fake on `ip` with the given certificate (DER) and key (DER).
pub async fn spawn_https(ip: IpAddr, cert: Vec<u8>, key: Vec<u8>, latency: Duration) -> std::io::Result<FakeServer> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(cert)], PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)))
        .map_err(std::io::Error::other)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind((ip, 0)).await?;
    let addr = listener.local_addr()?;
    let fake = fake(latency);
    let (hits, times, controls) = (fake.hits.clone(), fake.times.clone(), fake.controls.clone());
    let app = router(fake);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { continue };
            let acceptor = acceptor.clone();
            let app = app.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                let service = hyper_util::service::TowerToHyperService::new(app);
                let _ = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    Ok(FakeServer { addr, hits, times, controls })
}
