//! A browser for the account tests: keeps its own session cookie (read from `Set-Cookie`, sent
//! back as `Cookie`), follows no redirects, and says it is same-origin as a browser would.
use super::helpers::TestApp;
use app::server::entities::mail_outbox;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub const PASSWORD: &str = "correct horse battery staple";
pub const COOKIE: &str = "__Host-signpost_session";

pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub client: reqwest::Client,
    pub cookie: Option<String>,
    /// The `Sec-Fetch-Site` it sends with a POST (`None`: none at all, as curl).
    pub fetch_site: Option<&'static str>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookie: Vec<String>,
    pub retry_after: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// A response header, as text.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { app, client, cookie: None, fetch_site: Some("same-origin") }
    }

    async fn read(&mut self, r: reqwest::Response) -> Page {
        self.try_read(r).await.expect("a whole answer")
    }

    /// `None` when the connection broke before the whole answer came (a server killed).
    async fn try_read(&mut self, r: reqwest::Response) -> Option<Page> {
        let status = r.status().as_u16();
        let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        let retry_after = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
        let set_cookie: Vec<String> =
            r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect();
        for c in &set_cookie {
            if let Some(rest) = c.strip_prefix(&format!("{COOKIE}=")) {
                let value = rest.split(';').next().unwrap_or("").to_string();
                self.cookie = (!value.is_empty()).then_some(value);
            }
        }
        let headers = r.headers().clone();
        Some(Page { status, location, set_cookie, retry_after, headers, body: r.text().await.ok()? })
    }

    fn with_cookie(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.cookie {
            Some(c) => rb.header("cookie", format!("{COOKIE}={c}")),
            None => rb,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let r =
            self.with_cookie(self.client.get(self.app.url(path))).header("user-agent", "TestBrowser/1").send().await;
        self.read(r.expect("GET")).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.try_post(path, form).await.expect("POST")
    }

    /// `post`, or `None` when no whole answer came.
    pub async fn try_post(&mut self, path: &str, form: &[(&str, &str)]) -> Option<Page> {
        let mut rb =
            self.with_cookie(self.client.post(self.app.url(path))).form(form).header("user-agent", "TestBrowser/1");
        if let Some(site) = self.fetch_site {
            rb = rb.header("sec-fetch-site", site);
        }
        let r = rb.send().await.ok()?;
        self.try_read(r).await
    }

    /// Posts a JSON body, as a script on the page would.
    pub async fn post_json(&mut self, path: &str, body: &serde_json::Value) -> Page {
        let mut rb =
            self.with_cookie(self.client.post(self.app.url(path))).json(body).header("user-agent", "TestBrowser/1");
        if let Some(site) = self.fetch_site {
            rb = rb.header("sec-fetch-site", site);
        }
        let r = rb.send().await.expect("POST");
        self.read(r).await
    }

    /// Posts a multipart form (a file upload).
    pub async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        self.try_post_multipart(path, form).await.expect("POST")
    }

    /// `post_multipart`, or `None` when no whole answer came.
    pub async fn try_post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Option<Page> {
        let rb = self
            .with_cookie(self.client.post(self.app.url(path)))
            .multipart(form)
            .header("user-agent", "TestBrowser/1");
        let r = rb.send().await.ok()?;
        self.try_read(r).await
    }

    /// Signs up, confirms the address from the mail and logs in.
    pub async fn sign_up_and_log_in(&mut self, email: &str) {
        let p = self.post("/signup", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(p.status, 200, "{}", p.body);
        let token = link_token(&last_mail(self.app, email).await, "/verify?token=");
        let p = self.post("/verify", &[("token", &token), ("password", PASSWORD)]).await;
        assert_eq!((p.status, p.location.as_deref()), (303, Some("/account?welcome=1")), "{}", p.body);
        self.log_in(email, PASSWORD).await;
    }

    pub async fn log_in(&mut self, email: &str, password: &str) {
        let p = self.post("/login", &[("email", email), ("password", password)]).await;
        assert_eq!(p.status, 303, "log in as {email}: {}", p.body);
        assert!(self.cookie.is_some(), "a session cookie");
    }
}

/// The body of the newest mail queued to `to`.
pub async fn last_mail(app: &TestApp, to: &str) -> String {
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.eq(to))
        .order_by_desc(mail_outbox::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no mail to {to}"))
        .body
}

pub async fn mails_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.eq(to))
        .order_by_asc(mail_outbox::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.subject, m.body))
        .collect()
}

/// The token of the link in a mail whose path starts `prefix` (`/verify?token=`).
pub fn link_token(body: &str, prefix: &str) -> String {
    let at = body.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in: {body}"));
    body[at + prefix.len()..].chars().take_while(char::is_ascii_hexdigit).collect()
}

/// A page with what differs between two renders of it taken out: the CSP nonce, and the
/// addresses given.
pub fn normalized(body: &str, addresses: &[&str]) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("nonce=\"") {
        out.push_str(&rest[..at + 7]);
        rest = &rest[at + 7..];
        let end = rest.find('"').unwrap_or(0);
        rest = &rest[end..];
    }
    out.push_str(rest);
    addresses.iter().fold(out, |b, a| b.replace(a, "ADDRESS"))
}
