//! Configuration from the environment; every variable is listed in the README.
use std::net::SocketAddr;

pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://signpost.db?mode=rwc";

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    pub public_url: String,
    pub demo_data: bool,
    pub max_validate_bytes: usize,
    pub site_root: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let addr_text = var("SIGNPOST_ADDR").or_else(|| var("LEPTOS_SITE_ADDR")).unwrap_or_else(|| DEFAULT_ADDR.into());
        let addr: SocketAddr = addr_text.parse().map_err(|e| ConfigError {
            var: "SIGNPOST_ADDR",
            message: format!("\"{addr_text}\" is not an address:port ({e})"),
        })?;
        let demo_data = match var("SIGNPOST_DEMO_DATA").as_deref() {
            None | Some("1" | "true" | "yes" | "on") => true,
            Some("0" | "false" | "no" | "off") => false,
            Some(other) => {
                return Err(ConfigError {
                    var: "SIGNPOST_DEMO_DATA",
                    message: format!("\"{other}\" is not true or false"),
                });
            }
        };
        let max_validate_bytes = match var("SIGNPOST_MAX_VALIDATE_BYTES") {
            None => 5 * 1024 * 1024,
            Some(v) => v.parse().map_err(|_| ConfigError {
                var: "SIGNPOST_MAX_VALIDATE_BYTES",
                message: format!("\"{v}\" is not a number of bytes"),
            })?,
        };
        Ok(Config {
            addr,
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            public_url: var("SIGNPOST_PUBLIC_URL")
                .unwrap_or_else(|| format!("http://{addr}"))
                .trim_end_matches('/')
                .to_string(),
            demo_data,
            max_validate_bytes,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
        })
    }
}
