//! An app's registration metadata as the form posts it (`AppForm`, text as typed) and as it is
//! kept once every field parsed (`AppMetadata`), with the two documents Signpost exports: the
//! RFC 7591 registration request and the claims of a UDAP software statement (unsigned: the
//! developer signs it with their own key). Neither ever holds a client secret.
use super::accounts::FormErrors;
use super::apps::{AuthMethod, MAX_SCOPE_LEN, Platform, RedirectUri, ScopeKind, SmartScope};
use super::link::WebUrl;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub const MAX_NAME: usize = 100;
pub const MAX_DESCRIPTION: usize = 2000;
pub const MAX_REDIRECTS: usize = 10;
pub const MAX_SCOPES: usize = 100;
pub const MAX_REASON: usize = 200;
pub const MAX_CONTACTS: usize = 5;
/// A JWK Set pasted into the form (public keys only).
pub const MAX_JWKS_BYTES: usize = 16 * 1024;
/// JWK members that hold private key material: a set with any of them is refused.
const PRIVATE_JWK_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

impl GrantType {
    pub const ALL: [GrantType; 3] =
        [GrantType::AuthorizationCode, GrantType::RefreshToken, GrantType::ClientCredentials];

    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
        }
    }

    pub fn parse(text: &str) -> Option<GrantType> {
        GrantType::ALL.into_iter().find(|g| g.as_str() == text.trim())
    }
}

/// A scope the app asks for, with the one line reviewers read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedScope {
    pub scope: SmartScope,
    pub reason: String,
}

/// Every field parsed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppMetadata {
    pub client_name: String,
    pub description: String,
    pub client_uri: Option<WebUrl>,
    pub logo_uri: Option<WebUrl>,
    pub redirect_uris: Vec<RedirectUri>,
    pub tos_uri: Option<WebUrl>,
    pub policy_uri: Option<WebUrl>,
    pub contacts: Vec<String>,
    pub software_id: String,
    pub software_version: String,
    pub token_endpoint_auth_method: AuthMethod,
    pub jwks_uri: Option<WebUrl>,
    /// A public JWK Set, as pasted (re-serialized).
    pub jwks: Option<String>,
    pub grant_types: Vec<GrantType>,
    pub scopes: Vec<RequestedScope>,
    pub platforms: Vec<Platform>,
    pub fhir_versions: Vec<String>,
}

impl AppMetadata {
    /// The RFC 7591 §2 client metadata, as a registration request body (§3.1). Absent fields
    /// are left out.
    pub fn registration_request(&self) -> Value {
        let mut m = Map::new();
        m.insert("client_name".into(), json!(self.client_name));
        let put_url = |m: &mut Map<String, Value>, k: &str, u: &Option<WebUrl>| {
            if let Some(u) = u {
                m.insert(k.into(), json!(u.as_str()));
            }
        };
        put_url(&mut m, "client_uri", &self.client_uri);
        put_url(&mut m, "logo_uri", &self.logo_uri);
        if !self.redirect_uris.is_empty() {
            m.insert("redirect_uris".into(), json!(self.redirect_uris.iter().map(|r| r.as_str()).collect::<Vec<_>>()));
        }
        put_url(&mut m, "tos_uri", &self.tos_uri);
        put_url(&mut m, "policy_uri", &self.policy_uri);
        if !self.contacts.is_empty() {
            m.insert("contacts".into(), json!(self.contacts));
        }
        if !self.software_id.is_empty() {
            m.insert("software_id".into(), json!(self.software_id));
        }
        if !self.software_version.is_empty() {
            m.insert("software_version".into(), json!(self.software_version));
        }
        m.insert("token_endpoint_auth_method".into(), json!(self.token_endpoint_auth_method.as_str()));
        put_url(&mut m, "jwks_uri", &self.jwks_uri);
        if let Some(jwks) = self.jwks.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok()) {
            m.insert("jwks".into(), jwks);
        }
        m.insert("grant_types".into(), json!(self.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>()));
        if self.grant_types.contains(&GrantType::AuthorizationCode) {
            m.insert("response_types".into(), json!(["code"]));
        }
        m.insert("scope".into(), json!(self.scope()));
        Value::Object(m)
    }

    /// The scopes, space-separated (RFC 6749 §3.3).
    pub fn scope(&self) -> String {
        self.scopes.iter().map(|s| s.scope.text.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The claims of a UDAP software statement (UDAP Security IG §3.1) for this app, without the
    /// ones fixed when it is signed (`aud`, `exp`, `iat`, `jti`). `iss` and `sub` are the app's
    /// URI, which must match the signing certificate's subject alternative name.
    pub fn udap_claims(&self) -> Value {
        let uri = self.client_uri.as_ref().map(|u| u.as_str().to_string());
        let mut m = Map::new();
        m.insert("iss".into(), json!(uri));
        m.insert("sub".into(), json!(uri));
        m.insert("client_name".into(), json!(self.client_name));
        m.insert("redirect_uris".into(), json!(self.redirect_uris.iter().map(|r| r.as_str()).collect::<Vec<_>>()));
        m.insert("contacts".into(), json!(self.contacts.iter().map(|c| format!("mailto:{c}")).collect::<Vec<_>>()));
        if let Some(l) = &self.logo_uri {
            m.insert("logo_uri".into(), json!(l.as_str()));
        }
        m.insert("grant_types".into(), json!(self.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>()));
        if self.grant_types.contains(&GrantType::AuthorizationCode) {
            m.insert("response_types".into(), json!(["code"]));
        }
        m.insert("token_endpoint_auth_method".into(), json!("private_key_jwt"));
        m.insert("scope".into(), json!(self.scope()));
        Value::Object(m)
    }
}

impl AppMetadata {
    /// The labels of the fields that differ from `before`, in form order.
    pub fn changed_fields(&self, before: &AppMetadata) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut check = |label: &'static str, same: bool| {
            if !same {
                out.push(label);
            }
        };
        check("name", self.client_name == before.client_name);
        check("description", self.description == before.description);
        check("client URI", self.client_uri == before.client_uri);
        check("logo", self.logo_uri == before.logo_uri);
        check("redirect URIs", self.redirect_uris == before.redirect_uris);
        check("terms of service", self.tos_uri == before.tos_uri);
        check("privacy policy", self.policy_uri == before.policy_uri);
        check("contacts", self.contacts == before.contacts);
        check("software id", self.software_id == before.software_id);
        check("software version", self.software_version == before.software_version);
        check("client authentication", self.token_endpoint_auth_method == before.token_endpoint_auth_method);
        check("keys", self.jwks_uri == before.jwks_uri && self.jwks == before.jwks);
        check("grant types", self.grant_types == before.grant_types);
        check("scopes", self.scopes == before.scopes);
        check("platforms", self.platforms == before.platforms);
        check("FHIR versions", self.fhir_versions == before.fhir_versions);
        out
    }
}

/// An app in its organization's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSummary {
    pub id: i32,
    pub client_name: String,
    pub version: i32,
    pub updated_at: i64,
}

/// One version in an app's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppVersionInfo {
    pub version: i32,
    pub created_at: i64,
    pub changed: Vec<String>,
}

/// An app's page for its organization's members (and admins): the current metadata, the form
/// to change it, its versions and its exports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPage {
    pub id: i32,
    pub organization_id: i32,
    pub organization: String,
    pub version: i32,
    pub metadata: AppMetadata,
    pub form: AppForm,
    pub versions: Vec<AppVersionInfo>,
    /// The RFC 7591 registration request, pretty-printed.
    pub registration_request: String,
    pub can_edit: bool,
}

/// The new-app form's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAppPage {
    pub organization_id: i32,
    pub organization: String,
}

/// The app form as posted: every value a string, read by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppForm {
    pub values: Vec<(String, String)>,
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

pub(crate) fn plain(text: &str, max: usize) -> Result<String, String> {
    let t = text.trim();
    if t.chars().count() > max {
        return Err(format!("at most {max} characters"));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err("it contains control characters".into());
    }
    Ok(t.to_string())
}

/// A contact address: one `@`, a dot in the domain, no spaces, at most 254 characters.
fn email(text: &str) -> Result<String, String> {
    let t = text.trim();
    let ok = t.len() <= 254
        && t.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !d.contains('@')
        })
        && t.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | ',' | ';' | '\\'));
    if ok { Ok(t.to_string()) } else { Err(format!("\"{}\" is not an email address", t.escape_default())) }
}

/// A public JWK Set: `{"keys": [...]}` whose keys each have `kty` and no private members.
fn public_jwks(text: &str) -> Result<String, String> {
    if text.len() > MAX_JWKS_BYTES {
        return Err(format!("a JWK Set here has at most {MAX_JWKS_BYTES} bytes; publish a larger one at jwks_uri"));
    }
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let keys = v.get("keys").and_then(Value::as_array).ok_or("a JWK Set is an object with a \"keys\" array")?;
    if keys.is_empty() || keys.len() > 10 {
        return Err("a JWK Set here has 1 to 10 keys".into());
    }
    for k in keys {
        let o = k.as_object().ok_or("each key is an object")?;
        if !o.get("kty").is_some_and(Value::is_string) {
            return Err("each key has a \"kty\"".into());
        }
        if let Some(m) = PRIVATE_JWK_MEMBERS.iter().find(|m| o.contains_key(**m)) {
            return Err(format!(
                "a key has the private member \"{m}\": give only public keys (and replace the key you pasted)"
            ));
        }
    }
    Ok(v.to_string())
}

impl AppForm {
    pub fn get(&self, name: &str) -> &str {
        self.values.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a repeated field (`platform`, `grant_type`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.values.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).take(20).collect()
    }

    /// The form as an app's metadata is now (for editing).
    pub fn of(m: &AppMetadata) -> AppForm {
        let mut v: Vec<(String, String)> = Vec::new();
        let mut put = |n: &str, s: String| v.push((n.to_string(), s));
        let url = |u: &Option<WebUrl>| u.as_ref().map(|u| u.as_str().to_string()).unwrap_or_default();
        put("client_name", m.client_name.clone());
        put("description", m.description.clone());
        put("client_uri", url(&m.client_uri));
        put("logo_uri", url(&m.logo_uri));
        put("redirect_uris", m.redirect_uris.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("\n"));
        put("tos_uri", url(&m.tos_uri));
        put("policy_uri", url(&m.policy_uri));
        put("contacts", m.contacts.join("\n"));
        put("software_id", m.software_id.clone());
        put("software_version", m.software_version.clone());
        put("token_endpoint_auth_method", m.token_endpoint_auth_method.as_str().into());
        put("jwks_uri", url(&m.jwks_uri));
        put("jwks", m.jwks.clone().unwrap_or_default());
        for g in &m.grant_types {
            put("grant_type", g.as_str().into());
        }
        put("scopes", m.scopes.iter().map(|s| format!("{} {}", s.scope.text, s.reason)).collect::<Vec<_>>().join("\n"));
        for p in &m.platforms {
            put("platform", p.as_str().into());
        }
        put("fhir_versions", m.fhir_versions.join(" "));
        AppForm { values: v }
    }

    /// Parses every field; each error names its field.
    pub fn parse(&self) -> Result<AppMetadata, FormErrors> {
        let mut errors = FormErrors::default();
        let url = |name: &str, https_only: bool, errors: &mut FormErrors| -> Option<WebUrl> {
            let v = self.get(name).trim();
            if v.is_empty() {
                return None;
            }
            match WebUrl::parse(v) {
                Ok(u) if https_only && !u.as_str().to_ascii_lowercase().starts_with("https://") => {
                    errors.add(name, "use an https address");
                    None
                }
                Ok(u) => Some(u),
                Err(e) => {
                    errors.add(name, e.to_string());
                    None
                }
            }
        };
        let client_name = match plain(self.get("client_name"), MAX_NAME) {
            Ok(n) if n.is_empty() => {
                errors.add("client_name", "give the app's name");
                n
            }
            Ok(n) if n.contains('\n') => {
                errors.add("client_name", "the name is one line");
                n
            }
            Ok(n) => n,
            Err(e) => {
                errors.add("client_name", e);
                String::new()
            }
        };
        let description = plain(self.get("description"), MAX_DESCRIPTION).unwrap_or_else(|e| {
            errors.add("description", e);
            String::new()
        });
        let client_uri = url("client_uri", true, &mut errors);
        let logo_uri = url("logo_uri", true, &mut errors);
        let tos_uri = url("tos_uri", true, &mut errors);
        let policy_uri = url("policy_uri", true, &mut errors);
        let jwks_uri = url("jwks_uri", true, &mut errors);

        let mut platforms: Vec<Platform> = Vec::new();
        for p in self.all("platform") {
            match Platform::parse(p) {
                Some(p) if !platforms.contains(&p) => platforms.push(p),
                Some(_) => {}
                None => errors.add("platform", format!("\"{}\" is not a platform", p.escape_default())),
            }
        }
        platforms.sort();
        if platforms.is_empty() {
            errors.add("platform", "choose at least one platform");
        }
        let native = platforms.iter().any(|p| p.is_native());

        let mut grant_types: Vec<GrantType> = Vec::new();
        for g in self.all("grant_type") {
            match GrantType::parse(g) {
                Some(g) if !grant_types.contains(&g) => grant_types.push(g),
                Some(_) => {}
                None => errors.add("grant_type", format!("\"{}\" is not a grant type", g.escape_default())),
            }
        }
        if grant_types.is_empty() {
            errors.add("grant_type", "choose at least one grant type");
        }
        let code = grant_types.contains(&GrantType::AuthorizationCode);
        if grant_types.contains(&GrantType::RefreshToken) && !code {
            errors.add("grant_type", "refresh_token comes with authorization_code");
        }

        let method = AuthMethod::parse(self.get("token_endpoint_auth_method"));
        if method.is_none() {
            errors.add("token_endpoint_auth_method", "choose none, private_key_jwt or client_secret_basic");
        }
        let method = method.unwrap_or(AuthMethod::None);
        let jwks_text = self.get("jwks").trim();
        let jwks = if jwks_text.is_empty() {
            None
        } else {
            match public_jwks(jwks_text) {
                Ok(j) => Some(j),
                Err(e) => {
                    errors.add("jwks", e);
                    None
                }
            }
        };
        match method {
            AuthMethod::PrivateKeyJwt if jwks_uri.is_none() && jwks_text.is_empty() => {
                errors.add("jwks_uri", "private_key_jwt needs the public keys: a jwks_uri or a JWK Set");
            }
            AuthMethod::PrivateKeyJwt if jwks_uri.is_some() && !jwks_text.is_empty() => {
                errors.add("jwks", "give jwks_uri or jwks, not both (RFC 7591 §2)");
            }
            AuthMethod::None | AuthMethod::ClientSecretBasic if jwks_uri.is_some() || !jwks_text.is_empty() => {
                errors.add("jwks_uri", "keys are for private_key_jwt clients only");
            }
            AuthMethod::None if grant_types.contains(&GrantType::ClientCredentials) => {
                errors.add(
                    "grant_type",
                    "client_credentials is for confidential clients, not token_endpoint_auth_method none",
                );
            }
            _ => {}
        }

        let mut redirect_uris: Vec<RedirectUri> = Vec::new();
        let redirect_lines: Vec<&str> = lines(self.get("redirect_uris")).take(MAX_REDIRECTS + 1).collect();
        if redirect_lines.len() > MAX_REDIRECTS {
            errors.add("redirect_uris", format!("at most {MAX_REDIRECTS} redirect URIs"));
        }
        for r in redirect_lines.iter().take(MAX_REDIRECTS) {
            match RedirectUri::parse(r, native) {
                Ok(u) if !redirect_uris.contains(&u) => redirect_uris.push(u),
                Ok(_) => {}
                Err(e) => {
                    let shown: String = r.chars().take(80).collect();
                    errors.add("redirect_uris", format!("{shown}: {e}"));
                }
            }
        }
        if code && redirect_uris.is_empty() && errors.for_field("redirect_uris").is_none() {
            errors.add("redirect_uris", "authorization_code needs at least one redirect URI");
        }

        let mut scopes: Vec<RequestedScope> = Vec::new();
        let scope_lines: Vec<&str> = lines(self.get("scopes")).take(MAX_SCOPES + 1).collect();
        if scope_lines.len() > MAX_SCOPES {
            errors.add("scopes", format!("at most {MAX_SCOPES} scopes"));
        }
        for line in scope_lines.iter().take(MAX_SCOPES) {
            let (scope, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let shown: String = scope.chars().take(MAX_SCOPE_LEN.min(80)).collect();
            match SmartScope::parse(scope) {
                Err(e) => errors.add("scopes", e),
                Ok(_) if reason.trim().is_empty() => {
                    errors.add("scopes", format!("{shown}: say in a line after the scope why the app needs it"))
                }
                Ok(s) if scopes.iter().any(|x| x.scope.text == s.text) => {
                    errors.add("scopes", format!("{shown} is listed twice"))
                }
                Ok(s) => match plain(reason, MAX_REASON) {
                    Err(e) => errors.add("scopes", format!("{shown}: the reason: {e}")),
                    Ok(reason) => {
                        let needs = match &s.kind {
                            ScopeKind::Resource { context, .. } if context == "system" => {
                                Some(GrantType::ClientCredentials)
                            }
                            ScopeKind::Identity(i) if i == "offline_access" => Some(GrantType::RefreshToken),
                            _ if !grant_types.is_empty() => Some(GrantType::AuthorizationCode),
                            _ => None,
                        };
                        if let Some(g) = needs.filter(|g| !grant_types.contains(g)) {
                            errors.add("scopes", format!("{shown} needs the {} grant type", g.as_str()));
                        }
                        scopes.push(RequestedScope { scope: s, reason });
                    }
                },
            }
        }
        if scopes.is_empty() && errors.for_field("scopes").is_none() {
            errors.add("scopes", "list the scopes the app requests, one per line, each with its reason");
        }

        let mut contacts: Vec<String> = Vec::new();
        let contact_lines: Vec<&str> = lines(self.get("contacts")).take(MAX_CONTACTS + 1).collect();
        if contact_lines.len() > MAX_CONTACTS {
            errors.add("contacts", format!("at most {MAX_CONTACTS} contacts"));
        }
        for c in contact_lines.iter().take(MAX_CONTACTS) {
            match email(c) {
                Ok(e) if !contacts.contains(&e) => contacts.push(e),
                Ok(_) => {}
                Err(e) => errors.add("contacts", e),
            }
        }
        if contacts.is_empty() && errors.for_field("contacts").is_none() {
            errors.add("contacts", "give at least one contact address");
        }

        let one_line = |name: &str, max: usize, errors: &mut FormErrors| -> String {
            match plain(self.get(name), max) {
                Ok(v) if v.contains('\n') => {
                    errors.add(name, "one line");
                    String::new()
                }
                Ok(v) => v,
                Err(e) => {
                    errors.add(name, e);
                    String::new()
                }
            }
        };
        let software_id = one_line("software_id", 200, &mut errors);
        let software_version = one_line("software_version", 50, &mut errors);

        let mut fhir_versions: Vec<String> = Vec::new();
        for v in self.get("fhir_versions").split([' ', ',', '\n']).map(str::trim).filter(|v| !v.is_empty()).take(6) {
            let parts: Vec<&str> = v.split('.').collect();
            let ok = (2..=3).contains(&parts.len())
                && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                errors.add("fhir_versions", format!("\"{}\" is not a FHIR version like 4.0.1", v.escape_default()));
            } else if !fhir_versions.iter().any(|x| x == v) {
                fhir_versions.push(v.to_string());
            }
        }
        if fhir_versions.is_empty() && errors.for_field("fhir_versions").is_none() {
            errors.add("fhir_versions", "give the FHIR versions the app reads, like 4.0.1");
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AppMetadata {
            client_name,
            description,
            client_uri,
            logo_uri,
            redirect_uris,
            tos_uri,
            policy_uri,
            contacts,
            software_id,
            software_version,
            token_endpoint_auth_method: method,
            jwks_uri,
            jwks,
            grant_types,
            scopes,
            platforms,
            fhir_versions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> AppForm {
        AppForm { values: pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect() }
    }

    fn good() -> Vec<(&'static str, &'static str)> {
        vec![
            ("client_name", "Health Wallet"),
            ("description", "Keeps your claims and records in one place."),
            ("client_uri", "https://wallet.example.com"),
            ("logo_uri", "https://wallet.example.com/logo.png"),
            ("redirect_uris", "https://wallet.example.com/callback\ncom.example.wallet:/oauth2redirect"),
            ("tos_uri", "https://wallet.example.com/terms"),
            ("policy_uri", "https://wallet.example.com/privacy"),
            ("contacts", "dev@wallet.example.com"),
            ("software_id", "4NRB1-0XZABZI9E6-5SM3R"),
            ("software_version", "2.1"),
            ("token_endpoint_auth_method", "none"),
            ("grant_type", "authorization_code"),
            ("grant_type", "refresh_token"),
            (
                "scopes",
                "launch/patient to know whose records\nopenid to know who signed in\nfhirUser the same\n\
                 offline_access to refresh while the member keeps the app\npatient/ExplanationOfBenefit.rs claims",
            ),
            ("platform", "web"),
            ("platform", "ios"),
            ("fhir_versions", "4.0.1"),
        ]
    }

    #[test]
    fn exports_the_rfc_7591_registration_request() {
        let m = form(&good()).parse().unwrap();
        let expected = json!({
            "client_name": "Health Wallet",
            "client_uri": "https://wallet.example.com",
            "logo_uri": "https://wallet.example.com/logo.png",
            "redirect_uris": ["https://wallet.example.com/callback", "com.example.wallet:/oauth2redirect"],
            "tos_uri": "https://wallet.example.com/terms",
            "policy_uri": "https://wallet.example.com/privacy",
            "contacts": ["dev@wallet.example.com"],
            "software_id": "4NRB1-0XZABZI9E6-5SM3R",
            "software_version": "2.1",
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": "launch/patient openid fhirUser offline_access patient/ExplanationOfBenefit.rs"
        });
        assert_eq!(m.registration_request(), expected);
        let udap = m.udap_claims();
        assert_eq!(udap["iss"], "https://wallet.example.com");
        assert_eq!(udap["sub"], udap["iss"]);
        assert_eq!(udap["contacts"], json!(["mailto:dev@wallet.example.com"]));
        assert_eq!(udap["token_endpoint_auth_method"], "private_key_jwt");
        assert!(udap.get("exp").is_none(), "fixed when signed");
        // The form of the parsed app parses back to the same app.
        assert_eq!(AppForm::of(&m).parse().unwrap(), m);
    }

    fn errors_with(change: &[(&'static str, &'static str)]) -> FormErrors {
        let mut v = good();
        for &(k, val) in change {
            v.retain(|(n, _)| *n != k);
            v.push((k, val));
        }
        form(&v).parse().expect_err("refused")
    }

    #[test]
    fn each_field_is_checked_with_its_own_message() {
        let e = errors_with(&[("redirect_uris", "http://localhost:3000/cb")]);
        assert!(e.for_field("redirect_uris").unwrap().contains("not localhost"));
        let e = errors_with(&[("client_name", "")]);
        assert!(e.for_field("client_name").is_some());
        let e = errors_with(&[("policy_uri", "javascript:alert(1)")]);
        assert!(e.for_field("policy_uri").is_some());
        let e = errors_with(&[("policy_uri", "http://wallet.example.com/privacy")]);
        assert_eq!(e.for_field("policy_uri").as_deref(), Some("use an https address"));
        let e = errors_with(&[("scopes", "patient/Observation.read")]);
        assert!(e.for_field("scopes").unwrap().contains("why the app needs it"));
        let e = errors_with(&[("scopes", "system/Patient.rs bulk export")]);
        assert!(e.for_field("scopes").unwrap().contains("client_credentials"));
        let e = errors_with(&[("token_endpoint_auth_method", "private_key_jwt")]);
        assert!(e.for_field("jwks_uri").unwrap().contains("public keys"));
        let e = errors_with(&[
            ("token_endpoint_auth_method", "private_key_jwt"),
            ("jwks", r#"{"keys":[{"kty":"RSA","n":"x","e":"AQAB","d":"secret"}]}"#),
        ]);
        assert!(e.for_field("jwks").unwrap().contains("private member \"d\""));
        let e = errors_with(&[("contacts", "not an address")]);
        assert!(e.for_field("contacts").is_some());
        let e = errors_with(&[("fhir_versions", "four")]);
        assert!(e.for_field("fhir_versions").is_some());
        let e = errors_with(&[("platform", "fridge")]);
        assert!(e.for_field("platform").is_some());
        // A web-only app may not use a private-use scheme.
        let mut v = good();
        v.retain(|(n, _)| *n != "platform");
        v.push(("platform", "web"));
        let e = form(&v).parse().unwrap_err();
        assert!(e.for_field("redirect_uris").unwrap().contains("private-use scheme"));
        // Too many redirect URIs.
        let many = (0..11).map(|i| format!("https://wallet.example.com/cb{i}")).collect::<Vec<_>>().join("\n");
        let mut v: Vec<(String, String)> = good().iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        v.retain(|(n, _)| n != "redirect_uris");
        v.push(("redirect_uris".into(), many));
        assert!(AppForm { values: v }.parse().unwrap_err().for_field("redirect_uris").unwrap().contains("at most 10"));
    }

    #[test]
    fn private_key_jwt_clients_give_public_keys() {
        let mut v = good();
        v.retain(|(n, _)| *n != "token_endpoint_auth_method");
        v.push(("token_endpoint_auth_method", "private_key_jwt"));
        v.push(("jwks", r#"{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","kid":"1"}]}"#));
        let m = form(&v).parse().unwrap();
        assert_eq!(m.registration_request()["jwks"]["keys"][0]["kid"], "1");
    }
}
