//! The Content-Security-Policy of every response. Pages run only the scripts that carry the
//! request's nonce (the hydration loader) and the wasm it loads; nothing inline and nothing
//! from elsewhere, so markup that slipped into a page could not run.
use std::sync::Arc;

/// The per-request nonce, put in the request's extensions by the server's header middleware
/// and read by the page shell.
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

impl CspNonce {
    pub fn generate() -> Self {
        let bytes: [u8; 16] = rand::random();
        CspNonce(hex::encode(bytes).into())
    }
}

/// The policy for a response whose scripts carry `nonce`.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// In the page shell: the request's nonce becomes the one Leptos puts on the scripts it renders.
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    let nonce = use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(n) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(n.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_no_inline_script_and_no_framing() {
        let p = policy("abc");
        let script = p.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert!(script.contains("'nonce-abc'") && script.contains("'wasm-unsafe-eval'"));
        assert!(!script.contains("unsafe-inline"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert_ne!(CspNonce::generate().0, CspNonce::generate().0);
    }
}
