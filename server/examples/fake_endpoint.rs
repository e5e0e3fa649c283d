//! A FHIR endpoint for the end-to-end tests to have checked: HTTPS on 127.0.0.2 with a
//! certificate from a throwaway CA, serving the real fixtures (`signpost::fake_fhir`, scenario
//! `ok`). Writes `DIR/ca.pem`, `DIR/payer.json` (a brands bundle of one payer whose website is
//! this server, so a test can claim it by the well-known file, which it serves from
//! `DIR/verification.txt`) and then `DIR/endpoints.json` (a Lantern list naming it), and serves
//! until killed. Run by `./test`:
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
    server.set_verification_file(dir.join("verification.txt"));
    let payer = serde_json::json!({
        "resourceType": "Bundle", "type": "collection", "timestamp": "2026-12-01T00:00:00Z",
        "entry": [
            {"fullUrl": "https://fake.invalid/Organization/fake-payer", "resource": {
                "resourceType": "Organization", "id": "fake-payer", "active": true, "name": "Signpost Fake Payer",
                "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "ins"}]}],
                "telecom": [{"system": "url", "value": server.https_base("")}],
                "address": [{"city": "Madison", "state": "WI"}],
                "endpoint": [{"reference": "Endpoint/fake-payer-ep"}]}},
            {"fullUrl": "https://fake.invalid/Endpoint/fake-payer-ep", "resource": {
                "resourceType": "Endpoint", "id": "fake-payer-ep", "status": "active", "address": server.https_base("ok-payer"),
                "connectionType": {"system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type", "code": "hl7-fhir-rest"},
                "payloadType": [{"coding": [{"code": "none"}]}],
                "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/endpoint-fhir-version", "valueCode": "4.0.1"}],
                "contact": [{"system": "url", "value": server.https_base("support")}]}}
        ]
    });
    std::fs::write(dir.join("payer.json"), serde_json::to_vec(&payer)?)?;
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
