//! An app as a developer organization describes it once, in the terms of OAuth 2.0 Dynamic
//! Client Registration (RFC 7591): redirect URIs checked by RFC 8252's rules for native apps,
//! SMART App Launch scopes (v1 and v2) parsed, and the registration request Signpost exports.
//! Client secrets are never part of it.
use super::link::{MAX_URL_LEN, WebUrl};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where the app runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Web,
    Ios,
    Android,
    Desktop,
}

impl Platform {
    pub const ALL: [Platform; 4] = [Platform::Web, Platform::Ios, Platform::Android, Platform::Desktop];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Web => "web",
            Platform::Ios => "ios",
            Platform::Android => "android",
            Platform::Desktop => "desktop",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Platform::Web => "Web",
            Platform::Ios => "iOS",
            Platform::Android => "Android",
            Platform::Desktop => "Desktop",
        }
    }

    pub fn parse(text: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == text.trim())
    }

    /// Native apps (RFC 8252) may use private-use schemes and loopback redirects.
    pub fn is_native(self) -> bool {
        !matches!(self, Platform::Web)
    }
}

/// `token_endpoint_auth_method`: `none` for public clients, an asymmetric key or a secret for
/// confidential ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    None,
    PrivateKeyJwt,
    ClientSecretBasic,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 3] = [AuthMethod::None, AuthMethod::PrivateKeyJwt, AuthMethod::ClientSecretBasic];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::None => "none",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::ClientSecretBasic => "client_secret_basic",
        }
    }

    pub fn parse(text: &str) -> Option<AuthMethod> {
        AuthMethod::ALL.into_iter().find(|m| m.as_str() == text.trim())
    }

    /// Needs `jwks_uri` or `jwks`.
    pub fn is_asymmetric(self) -> bool {
        matches!(self, AuthMethod::PrivateKeyJwt)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectProblem {
    Empty,
    TooLong(usize),
    Characters,
    Fragment,
    NotAUrl(String),
    /// `http` other than a native app's loopback address.
    Http,
    /// `localhost` by name (RFC 8252 §8.3: use the loopback IP literal).
    Localhost,
    /// A private-use scheme on a web app.
    SchemeOnWeb(String),
    /// A private-use scheme that is not in reverse-domain form.
    SchemeNotReverseDomain(String),
    Port,
}

impl fmt::Display for RedirectProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectProblem::Empty => write!(f, "it is empty"),
            RedirectProblem::TooLong(n) => write!(f, "it is {n} characters long; at most {MAX_URL_LEN}"),
            RedirectProblem::Characters => write!(f, "it contains spaces or control characters"),
            RedirectProblem::Fragment => write!(f, "a redirect URI may not have a fragment (#…)"),
            RedirectProblem::NotAUrl(why) => write!(f, "it is not a URL: {why}"),
            RedirectProblem::Http => write!(
                f,
                "http is allowed only for a native app's loopback redirect (http://127.0.0.1 or http://[::1]); use https"
            ),
            RedirectProblem::Localhost => {
                write!(f, "use the loopback address http://127.0.0.1 or http://[::1], not localhost (RFC 8252 §8.3)")
            }
            RedirectProblem::SchemeOnWeb(s) => {
                write!(f, "\"{s}:\" is a private-use scheme, which only native apps may use; a web app uses https")
            }
            RedirectProblem::SchemeNotReverseDomain(s) => write!(
                f,
                "a private-use scheme is a reverse domain name the developer controls, like com.example.app (RFC 8252 §7.1); \"{s}\" is not"
            ),
            RedirectProblem::Port => write!(f, "the port is not a number from 1 to 65535"),
        }
    }
}

/// Schemes that are never a redirect target, even for a native app.
const FORBIDDEN_SCHEMES: [&str; 8] = ["javascript", "data", "file", "vbscript", "blob", "about", "ftp", "ws"];

/// A redirect URI that passed RFC 8252's rules for the app's platforms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectUri(String);

impl RedirectUri {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `native`: the app has a native platform (iOS, Android, desktop), so private-use schemes
    /// and loopback redirects are allowed.
    pub fn parse(text: &str, native: bool) -> Result<RedirectUri, RedirectProblem> {
        let t = text.trim();
        if t.is_empty() {
            return Err(RedirectProblem::Empty);
        }
        if t.len() > MAX_URL_LEN {
            return Err(RedirectProblem::TooLong(t.len()));
        }
        if t.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(RedirectProblem::Characters);
        }
        if t.contains('#') {
            return Err(RedirectProblem::Fragment);
        }
        let (scheme, rest) = t.split_once(':').ok_or_else(|| RedirectProblem::NotAUrl("no scheme".into()))?;
        let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok {
            return Err(RedirectProblem::NotAUrl("no scheme".into()));
        }
        let scheme = scheme.to_ascii_lowercase();
        match scheme.as_str() {
            "https" => {
                WebUrl::parse(t).map_err(|e| RedirectProblem::NotAUrl(e.to_string()))?;
                if host_of(rest).eq_ignore_ascii_case("localhost") {
                    return Err(RedirectProblem::Localhost);
                }
            }
            "http" => {
                let host = host_of(rest);
                if host.eq_ignore_ascii_case("localhost") {
                    return Err(RedirectProblem::Localhost);
                }
                if !native || !matches!(host, "127.0.0.1" | "[::1]") {
                    return Err(RedirectProblem::Http);
                }
                port_ok(rest)?;
            }
            s if FORBIDDEN_SCHEMES.contains(&s) => return Err(RedirectProblem::NotAUrl(format!("scheme {s}"))),
            s => {
                if !native {
                    return Err(RedirectProblem::SchemeOnWeb(s.to_string()));
                }
                let labels: Vec<&str> = s.split('.').collect();
                let reverse_domain = labels.len() >= 2
                    && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
                if !reverse_domain {
                    return Err(RedirectProblem::SchemeNotReverseDomain(s.to_string()));
                }
                if rest.is_empty() {
                    return Err(RedirectProblem::NotAUrl("nothing after the scheme".into()));
                }
            }
        }
        Ok(RedirectUri(t.to_string()))
    }
}

/// The host of `//host[:port]/…` (the text after `scheme:`); empty when there is none.
fn host_of(rest: &str) -> &str {
    let Some(auth) = rest.strip_prefix("//") else { return "" };
    let auth = auth.split(['/', '?']).next().unwrap_or("");
    let auth = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    if auth.starts_with('[') {
        return auth.split_inclusive(']').next().unwrap_or(auth);
    }
    auth.split(':').next().unwrap_or(auth)
}

/// A loopback redirect's port, when given, is 1–65535 (RFC 8252 §7.3: any port).
fn port_ok(rest: &str) -> Result<(), RedirectProblem> {
    let auth = rest.trim_start_matches('/').split(['/', '?']).next().unwrap_or("");
    let after_host = if auth.starts_with('[') { auth.split_once(']').map_or("", |(_, p)| p) } else { auth };
    let port = match after_host.rsplit_once(':') {
        Some((_, p)) if !auth.starts_with('[') || after_host.starts_with(':') => p,
        _ => return Ok(()),
    };
    match port.parse::<u32>() {
        Ok(1..=65535) => Ok(()),
        _ => Err(RedirectProblem::Port),
    }
}

/// A SMART App Launch scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScopeKind {
    /// `openid`, `fhirUser`, `profile`, `offline_access`, `online_access`, `launch`.
    Identity(String),
    /// `launch/patient`, `launch/encounter`.
    LaunchContext(String),
    /// `patient/Observation.read` (v1) or `patient/Observation.rs?category=…` (v2).
    Resource { context: String, resource: String, permissions: String, v2: bool },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmartScope {
    pub text: String,
    pub kind: ScopeKind,
}

/// Longest scope kept (a v2 scope may carry a query).
pub const MAX_SCOPE_LEN: usize = 200;
const IDENTITY: [&str; 6] = ["openid", "fhirUser", "profile", "offline_access", "online_access", "launch"];

impl SmartScope {
    pub fn parse(text: &str) -> Result<SmartScope, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("a scope is empty".into());
        }
        if t.len() > MAX_SCOPE_LEN {
            return Err(format!("a scope has at most {MAX_SCOPE_LEN} characters"));
        }
        if !t.chars().all(|c| c.is_ascii_graphic()) || t.contains('"') || t.contains('\\') {
            return Err(format!("\"{}\" has characters a scope may not have", t.escape_default()));
        }
        let kind = if IDENTITY.contains(&t) {
            ScopeKind::Identity(t.to_string())
        } else if let Some(ctx) = t.strip_prefix("launch/") {
            if ctx.is_empty() || !ctx.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(format!("\"{t}\" is not a launch context scope (launch/patient, launch/encounter)"));
            }
            ScopeKind::LaunchContext(ctx.to_string())
        } else {
            resource_scope(t)?
        };
        Ok(SmartScope { text: t.to_string(), kind })
    }

    pub fn is_v2(&self) -> bool {
        matches!(self.kind, ScopeKind::Resource { v2: true, .. })
    }
}

fn resource_scope(t: &str) -> Result<ScopeKind, String> {
    let bad = || format!("\"{t}\" is not a SMART scope: expected patient/, user/ or system/ then Resource.permissions");
    let (context, rest) = t.split_once('/').ok_or_else(bad)?;
    if !matches!(context, "patient" | "user" | "system") {
        return Err(bad());
    }
    let (resource_part, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (resource, permissions) = resource_part.rsplit_once('.').ok_or_else(bad)?;
    let resource_ok = resource == "*"
        || (resource.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && resource.chars().all(|c| c.is_ascii_alphanumeric()));
    if !resource_ok {
        return Err(format!("\"{resource}\" in \"{t}\" is not a FHIR resource type or *"));
    }
    let v2 = match permissions {
        "read" | "write" | "*" => false,
        p if is_v2_permissions(p) => true,
        _ => {
            return Err(format!(
                "\"{permissions}\" in \"{t}\" is not read, write or * (SMART v1) nor some of c, r, u, d, s in that order (v2)"
            ));
        }
    };
    if query.is_some() && !v2 {
        return Err(format!("\"{t}\": only SMART v2 scopes (cruds) may carry a query"));
    }
    if query.is_some_and(str::is_empty) {
        return Err(format!("\"{t}\" ends with an empty query"));
    }
    Ok(ScopeKind::Resource { context: context.into(), resource: resource.into(), permissions: permissions.into(), v2 })
}

/// `cruds` letters, each at most once, in that order, at least one.
fn is_v2_permissions(p: &str) -> bool {
    let order = "cruds";
    let mut last = None;
    !p.is_empty()
        && p.chars().all(|c| match order.find(c) {
            Some(i) if last.is_none_or(|l| i > l) => {
                last = Some(i);
                true
            }
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn native(t: &str) -> Result<RedirectUri, RedirectProblem> {
        RedirectUri::parse(t, true)
    }

    fn web(t: &str) -> Result<RedirectUri, RedirectProblem> {
        RedirectUri::parse(t, false)
    }

    #[test]
    fn web_apps_redirect_to_https_only() {
        assert!(web("https://app.example.com/callback").is_ok());
        assert!(web("https://app.example.com/callback?x=1").is_ok());
        assert_eq!(web("http://app.example.com/callback"), Err(RedirectProblem::Http));
        assert_eq!(web("http://127.0.0.1:8080/cb"), Err(RedirectProblem::Http), "loopback is for native apps");
        assert_eq!(web("https://app.example.com/cb#frag"), Err(RedirectProblem::Fragment));
        assert!(matches!(web("com.example.app:/cb"), Err(RedirectProblem::SchemeOnWeb(_))));
        assert_eq!(web("https://localhost/cb"), Err(RedirectProblem::Localhost));
        assert!(web("javascript:alert(1)").is_err());
        assert!(web("https://user:pw@app.example.com/").is_err());
        assert_eq!(web(""), Err(RedirectProblem::Empty));
        assert_eq!(web("https://a.example/ b"), Err(RedirectProblem::Characters));
        assert!(matches!(web(&format!("https://a.example/{}", "x".repeat(3000))), Err(RedirectProblem::TooLong(_))));
    }

    #[test]
    fn native_apps_follow_rfc_8252() {
        // §7.1 private-use URI scheme, in reverse-domain form.
        assert!(native("com.example.app:/oauth2redirect/example-provider").is_ok());
        assert!(native("com.example.app://callback").is_ok());
        assert!(matches!(native("myapp:/callback"), Err(RedirectProblem::SchemeNotReverseDomain(_))));
        assert!(matches!(native("com..app:/cb"), Err(RedirectProblem::SchemeNotReverseDomain(_))));
        assert!(native("com.example.app:").is_err());
        // §7.2 claimed https.
        assert!(native("https://app.example.com/oauth").is_ok());
        // §7.3 loopback, any port, IP literal only.
        assert!(native("http://127.0.0.1/cb").is_ok());
        assert!(native("http://127.0.0.1:51004/oauth2redirect").is_ok());
        assert!(native("http://[::1]:8080/cb").is_ok());
        assert!(native("http://[::1]/cb").is_ok());
        assert_eq!(native("http://localhost:8080/cb"), Err(RedirectProblem::Localhost));
        assert_eq!(native("http://LOCALHOST/cb"), Err(RedirectProblem::Localhost));
        assert_eq!(native("http://127.0.0.1:0/cb"), Err(RedirectProblem::Port));
        assert_eq!(native("http://127.0.0.1:99999/cb"), Err(RedirectProblem::Port));
        assert_eq!(native("http://127.0.0.2/cb"), Err(RedirectProblem::Http));
        assert_eq!(native("http://10.0.0.1/cb"), Err(RedirectProblem::Http));
        assert_eq!(native("http://127.0.0.1/cb#x"), Err(RedirectProblem::Fragment));
        for s in ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd"] {
            assert!(native(s).is_err(), "{s}");
        }
    }

    #[test]
    fn smart_scopes_parse_as_v1_or_v2() {
        let v1 = SmartScope::parse("patient/Observation.read").unwrap();
        assert!(!v1.is_v2());
        assert!(SmartScope::parse("user/*.*").is_ok());
        assert!(SmartScope::parse("patient/*.read").is_ok());
        let v2 = SmartScope::parse("patient/Observation.rs?category=laboratory").unwrap();
        assert!(v2.is_v2());
        assert_eq!(
            v2.kind,
            ScopeKind::Resource {
                context: "patient".into(),
                resource: "Observation".into(),
                permissions: "rs".into(),
                v2: true
            }
        );
        assert!(SmartScope::parse("system/Patient.cruds").is_ok());
        for ok in ["openid", "fhirUser", "offline_access", "launch", "launch/patient", "profile"] {
            assert!(SmartScope::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "patient/Observation.sr",
            "patient/Observation.rr",
            "patient/Observation.x",
            "patient/observation.read",
            "doctor/Observation.read",
            "patient/Observation",
            "patient/Observation.read?category=x",
            "patient/Observation.rs?",
            "launch/",
            "",
            "a\"b",
        ] {
            assert!(SmartScope::parse(bad).is_err(), "{bad}");
        }
        assert!(SmartScope::parse(&"a".repeat(300)).is_err());
    }
}
