//! Passwords: the strength rules, and argon2id hashing (the `argon2` crate's default
//! parameters, PHC strings) off the async threads, a few at a time, so a burst of log-ins
//! cannot take every core from the pages.
use crate::error::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 256;
/// zxcvbn's score (0 to 4) a password needs: 3 is "safely unguessable" against an online attack
/// and most offline ones. Common and breached-style passwords score 0 to 2.
pub const MIN_SCORE: u8 = 3;
/// zxcvbn's cost grows with length; what follows the first 100 characters only adds strength.
const SCORED_CHARS: usize = 100;

/// A password as typed. Neither `Debug`-printed nor serializable.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    /// Any input, as given, for checking against a stored hash (never refused: an old password
    /// that would fail today's rules must still log in).
    pub fn given(text: &str) -> Self {
        Password(text.chars().take(MAX_CHARS + 1).collect())
    }

    /// A new password: 8 to 256 characters, and not one an attacker would guess early. The
    /// reason is said in words. `context` holds what the password must not be built from (the
    /// address).
    pub fn new_checked(text: &str, context: &[&str]) -> Result<Self, String> {
        let chars = text.chars().count();
        if chars < MIN_CHARS {
            return Err(format!("Use at least {MIN_CHARS} characters."));
        }
        if chars > MAX_CHARS {
            return Err(format!("Use at most {MAX_CHARS} characters."));
        }
        let scored: String = text.chars().take(SCORED_CHARS).collect();
        let entropy = zxcvbn::zxcvbn(&scored, context);
        if u8::from(entropy.score()) < MIN_SCORE {
            let mut why = match entropy.feedback().and_then(|f| f.warning()) {
                Some(w) => format!("This password is too easy to guess: {}", sentence(&w.to_string())),
                None => "This password is too easy to guess.".to_string(),
            };
            if let Some(s) = entropy.feedback().and_then(|f| f.suggestions().first()) {
                why.push(' ');
                why.push_str(&sentence(&s.to_string()));
            } else {
                why.push_str(" Add another word or two.");
            }
            return Err(why);
        }
        Ok(Password(text.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with('.') { t.to_string() } else { format!("{t}.") }
}

/// A stored PHC string. Not serializable, not printed.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHashString(pub String);

impl std::fmt::Debug for PasswordHashString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHashString(…)")
    }
}

/// At most this many hashes at once: one per core.
fn permits() -> &'static Semaphore {
    static SEM: OnceLock<Semaphore> = OnceLock::new();
    SEM.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)))
}

async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _permit = permits().acquire().await.map_err(|_| AppError::Internal("hashing is shut down".into()))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
}

pub async fn hash(password: &Password) -> Result<PasswordHashString, AppError> {
    let text = password.0.clone();
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    off_thread(move || {
        let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(format!("salt: {e}")))?;
        Argon2::default()
            .hash_password(text.as_bytes(), &salt)
            .map(|h| PasswordHashString(h.to_string()))
            .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
    })
    .await?
}

/// Whether `password` matches `stored`. With no stored hash (an unknown address, or an account
/// that has none yet) a dummy hash is checked instead, so the answer takes as long.
pub async fn verify(password: &Password, stored: Option<&PasswordHashString>) -> Result<bool, AppError> {
    let text = password.0.clone();
    let (phc, real) = match stored {
        Some(s) => (s.0.clone(), true),
        None => (dummy_hash().to_string(), false),
    };
    let matched = off_thread(move || {
        PasswordHash::new(&phc).map(|h| Argon2::default().verify_password(text.as_bytes(), &h).is_ok()).unwrap_or(false)
    })
    .await?;
    Ok(real && matched)
}

/// A hash of a random password with the current parameters, made once per process.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut salt = [0u8; 16];
        rand::fill(&mut salt);
        let secret: [u8; 16] = rand::random();
        SaltString::encode_b64(&salt)
            .ok()
            .and_then(|s| Argon2::default().hash_password(&secret, &s).ok().map(|h| h.to_string()))
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        for (weak, reason) in [
            ("short", "at least 8"),
            ("password", "too easy"),
            ("password1", "too easy"),
            ("qwertyuiop", "too easy"),
            ("12345678", "too easy"),
            ("aaaaaaaaaaaa", "too easy"),
        ] {
            let err = Password::new_checked(weak, &[]).unwrap_err();
            assert!(err.contains(reason), "{weak}: {err}");
        }
        assert!(Password::new_checked(&"x".repeat(MAX_CHARS + 1), &[]).unwrap_err().contains("at most"));
        let err =
            Password::new_checked("ana.smith@example.org", &["ana.smith@example.org", "ana.smith", "example.org"])
                .unwrap_err();
        assert!(err.contains("too easy"), "built from the address: {err}");
        assert!(Password::new_checked("correct horse battery staple", &[]).is_ok());
        assert!(Password::new_checked(&"Tr0ub4dor&3 long enough ".repeat(10), &[]).is_ok(), "long is fine");
        assert_eq!(format!("{:?}", Password::given("secret")), "Password(…)");
    }

    #[tokio::test]
    async fn hashes_are_argon2id_phc_strings_that_verify() {
        let p = Password::new_checked("correct horse battery staple", &[]).unwrap();
        let h = hash(&p).await.unwrap();
        assert!(h.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", h.0);
        assert!(verify(&p, Some(&h)).await.unwrap());
        assert!(!verify(&Password::given("correct horse battery stapler"), Some(&h)).await.unwrap());
        assert!(!verify(&p, None).await.unwrap(), "no stored hash never matches");
        assert!(!verify(&p, Some(&PasswordHashString("garbage".into()))).await.unwrap());
        assert_ne!(hash(&p).await.unwrap().0, h.0, "a fresh salt each time");
    }
}
