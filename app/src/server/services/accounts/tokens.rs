//! Random tokens for links and session cookies: 256 bits, hex, stored only as their SHA-256.
use sha2::{Digest, Sha256};

/// A token as sent in a link or a cookie. Not serializable, not printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    pub fn generate() -> Self {
        let bytes: [u8; 32] = rand::random();
        Token(hex::encode(bytes))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The key it is stored under.
    pub fn hash(&self) -> String {
        hash_token(&self.0)
    }
}

/// The SHA-256 of what a client sent, for a lookup. Anything that is not a 64-digit hex token
/// hashes to a value no real token has.
pub fn hash_token(text: &str) -> String {
    let t = text.trim();
    if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return "invalid".into();
    }
    hex::encode(Sha256::digest(t.to_ascii_lowercase().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let a = Token::generate();
        assert_eq!(a.expose().len(), 64);
        assert_ne!(a, Token::generate());
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.expose());
        assert_eq!(hash_token(a.expose()), a.hash());
        assert_eq!(hash_token("short"), "invalid");
        assert_eq!(hash_token(&"z".repeat(64)), "invalid");
        assert_eq!(format!("{a:?}"), "Token(…)");
    }
}
