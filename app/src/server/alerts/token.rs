//! Signed tokens for the links in mails: `{subscription id}.{HMAC-SHA256 hex}`, the MAC taken
//! over the purpose, the id and the address. No table of tokens to keep or leak; a token stops
//! working when its subscription is deleted, and cannot be turned into another purpose's.
use crate::server::entities::app_secret;
use hmac::{Hmac, Mac};
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, Set};
use sha2::{Digest, Sha256};
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Confirm,
    Unsubscribe,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Confirm => b"confirm",
            Purpose::Unsubscribe => b"unsubscribe",
        }
    }
}

/// The key that signs tokens. Neither `Debug`-printed nor serializable.
#[derive(Clone)]
pub struct SigningKey(Arc<[u8; 32]>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

const KEY_NAME: &str = "token_signing_key";

impl SigningKey {
    /// From a secret string (`SIGNPOST_SECRET`): any length, hashed to a key.
    pub fn from_secret(secret: &str) -> Self {
        SigningKey(Arc::new(Sha256::digest(secret.as_bytes()).into()))
    }

    /// The key stored in the database, created at random on first use. Instances sharing a
    /// database share it, so a link works whichever instance answers it.
    pub async fn load_or_create(db: &DatabaseConnection) -> Result<Self, DbErr> {
        let mut fresh = [0u8; 32];
        rand::fill(&mut fresh);
        // Whoever inserts first wins; everyone then reads the same row.
        app_secret::Entity::insert(app_secret::ActiveModel {
            name: Set(KEY_NAME.into()),
            value: Set(hex::encode(fresh)),
        })
        .on_conflict(OnConflict::column(app_secret::Column::Name).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
        let row = app_secret::Entity::find_by_id(KEY_NAME.to_string())
            .one(db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(KEY_NAME.into()))?;
        let bytes = hex::decode(&row.value).map_err(|e| DbErr::Custom(format!("{KEY_NAME} is not hex: {e}")))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| DbErr::Custom(format!("{KEY_NAME} is not 32 bytes")))?;
        Ok(SigningKey(Arc::new(key)))
    }

    fn mac(&self, purpose: Purpose, id: i32, email: &str) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(self.0.as_slice()).expect("HMAC takes any key length");
        mac.update(purpose.label());
        mac.update(b"\0");
        mac.update(id.to_string().as_bytes());
        mac.update(b"\0");
        mac.update(email.as_bytes());
        mac
    }

    pub fn sign(&self, purpose: Purpose, id: i32, email: &str) -> String {
        format!("{id}.{}", hex::encode(self.mac(purpose, id, email).finalize().into_bytes()))
    }

    /// The subscription id a token names, before its signature is checked (which needs the
    /// subscription's address: `verify`).
    pub fn id_of(token: &str) -> Option<i32> {
        token.split_once('.')?.0.parse().ok()
    }

    /// Whether `token` was signed for this purpose, id and address (constant-time compare).
    pub fn verify(&self, purpose: Purpose, token: &str, id: i32, email: &str) -> bool {
        let Some((id_text, sig)) = token.split_once('.') else { return false };
        if id_text.parse::<i32>().ok() != Some(id) {
            return false;
        }
        let Ok(sig) = hex::decode(sig) else { return false };
        self.mac(purpose, id, email).verify_slice(&sig).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_for_its_purpose_id_address_and_key() {
        let key = SigningKey::from_secret("test");
        let t = key.sign(Purpose::Unsubscribe, 7, "a@example.org");
        assert_eq!(SigningKey::id_of(&t), Some(7));
        assert!(key.verify(Purpose::Unsubscribe, &t, 7, "a@example.org"));
        assert!(!key.verify(Purpose::Confirm, &t, 7, "a@example.org"));
        assert!(!key.verify(Purpose::Unsubscribe, &t, 8, "a@example.org"));
        assert!(!key.verify(Purpose::Unsubscribe, &t, 7, "b@example.org"));
        assert!(!SigningKey::from_secret("other").verify(Purpose::Unsubscribe, &t, 7, "a@example.org"));
        let last = if t.ends_with('a') { 'b' } else { 'a' };
        let tampered = format!("{}{last}", &t[..t.len() - 1]);
        assert!(!key.verify(Purpose::Unsubscribe, &tampered, 7, "a@example.org"));
        for junk in ["", ".", "7", "7.", "x.00", "7.zz"] {
            assert!(!key.verify(Purpose::Unsubscribe, junk, 7, "a@example.org"), "{junk}");
        }
    }
}
