//! An email address as subscriptions store it.
use validator::ValidateEmail;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Trimmed and lower-cased, so one mailbox is one subscriber; at most 254 characters (the
    /// SMTP limit) and of the form the HTML email input accepts.
    pub fn parse(input: &str) -> Result<Self, String> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err("enter an email address".into());
        }
        if email.len() > 254 {
            return Err("an email address has at most 254 characters".into());
        }
        if !email.validate_email() || email.contains(['\r', '\n', '<', '>', ',']) {
            return Err(format!("\"{}\" is not an email address", input.trim()));
        }
        Ok(EmailAddress(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn addresses_are_normalised_and_junk_refused() {
        assert_eq!(EmailAddress::parse("  Ana@Example.ORG ").unwrap().as_str(), "ana@example.org");
        for bad in ["", "ana", "ana@", "@example.org", "ana@example.org\r\nBcc: x@y.z", "a b@example.org"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
        assert!(EmailAddress::parse(&format!("{}@example.org", "a".repeat(250))).is_err());
    }
}
