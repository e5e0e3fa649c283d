//! A FHIR endpoint for the end-to-end tests to have checked: HTTPS on 127.0.0.2 with a
//! certificate from a throwaway CA, serving the real fixtures (`signpost::fake_fhir`, scenario
//! `ok`). Writes `DIR/ca.pem` and then `DIR/endpoints.json` (a Lantern list naming it), and
//! serves until killed. Run by `./test`:
//!   target/release/examples/fake_endpoint DIR
use signpost::fake_fhir::{CertKind, TestCa, spawn_https};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: fake_endpoint DIR")?);
    std::fs::create_dir_all(&dir)?;
    let ca = TestCa::new();
    let ip: IpAddr = "127.0.0.2".parse()?;
    let (cert, key) = ca.leaf(ip, &[], CertKind::Valid);
    let server = spawn_https(ip, cert, key, Duration::ZERO).await?;
    std::fs::write(dir.join("ca.pem"), ca.pem())?;
    let list = serde_json::json!({ "Endpoints": [{
        "URL": server.https_base("ok"),
        "OrganizationName": "Signpost Fake Health Plan",
        "NPIID": "",
        "OrganizationZipCode": "53703",
    }] });
    // Renamed into place, so whoever waits for the file never reads half of it.
    std::fs::write(dir.join("endpoints.part"), serde_json::to_vec(&list)?)?;
    std::fs::rename(dir.join("endpoints.part"), dir.join("endpoints.json"))?;
    println!("{}", server.https_base("ok"));
    std::future::pending::<()>().await;
    Ok(())
}
