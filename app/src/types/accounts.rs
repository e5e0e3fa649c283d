//! Accounts, organizations and the audit log as the browser sees them. Nothing here carries a
//! password hash, a token or a session id: those types live on the server and are not
//! `Serialize`. The enums are stored in the database as their short names (`ssr` derives).
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};

/// Where an account is in its life: `Unverified` until its address is confirmed, `Active`, or
/// `Disabled` by an admin (its sessions end; it cannot log in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))"))]
pub enum AccountState {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "unverified"))]
    Unverified,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "active"))]
    Active,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "disabled"))]
    Disabled,
}

/// What can happen to an account's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountEvent {
    Verify,
    Disable,
    Enable,
}

impl AccountState {
    /// The state machine: the next state, or `None` when the event does not apply. A disabled
    /// account stays disabled through a verification link; enabling an account that never
    /// verified its address brings it back unverified, not active.
    pub fn next(self, event: AccountEvent, verified: bool) -> Option<AccountState> {
        use AccountEvent::*;
        use AccountState::*;
        match (self, event) {
            (Unverified, Verify) => Some(Active),
            (Unverified | Active, Disable) => Some(Disabled),
            (Disabled, Enable) => Some(if verified { Active } else { Unverified }),
            (Active, Verify) | (Active, Enable) | (Unverified, Enable) | (Disabled, Disable) | (Disabled, Verify) => {
                None
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Unverified => "unverified",
            AccountState::Active => "active",
            AccountState::Disabled => "disabled",
        }
    }
}

/// The site-wide role stored on an account. `Payer` is not stored: an account is a payer while
/// it belongs to a payer organization (`Viewer::roles`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))"))]
pub enum SiteRole {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "developer"))]
    Developer,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "admin"))]
    Admin,
}

/// The roles of the issue: every verified account is a developer; members of a payer
/// organization are payers; admins are admins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Developer,
    Payer,
    Admin,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Developer => "developer",
            Role::Payer => "payer",
            Role::Admin => "admin",
        }
    }
}

/// A developer organization owns apps; a payer organization owns the brands it claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))"))]
pub enum OrgKind {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "developer"))]
    Developer,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "payer"))]
    Payer,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Developer => "developer",
            OrgKind::Payer => "payer",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        match s {
            "developer" => Some(OrgKind::Developer),
            "payer" => Some(OrgKind::Payer),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Developer => "Developer organization",
            OrgKind::Payer => "Payer organization",
        }
    }
}

/// A member's place in an organization: owners remove members and hand over ownership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))"))]
pub enum MemberRole {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "owner"))]
    Owner,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "member"))]
    Member,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::Member => "member",
        }
    }
}

/// An organization as one of its members sees it in lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRef {
    pub id: i32,
    pub name: String,
    pub kind: OrgKind,
    pub role: MemberRole,
}

/// Who is signed in, for the header and for pages that change with the role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub account_id: i32,
    pub email: String,
    pub admin: bool,
    /// The organization this session acts for, if any.
    pub acting: Option<OrgRef>,
    pub orgs: Vec<OrgRef>,
}

impl Viewer {
    pub fn roles(&self) -> Vec<Role> {
        let mut roles = vec![Role::Developer];
        if self.orgs.iter().any(|o| o.kind == OrgKind::Payer) {
            roles.push(Role::Payer);
        }
        if self.admin {
            roles.push(Role::Admin);
        }
        roles
    }
}

/// A session on the account settings page (never its id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub current: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client: String,
    pub user_agent: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage {
    pub email: String,
    pub created_at: i64,
    pub roles: Vec<Role>,
    pub orgs: Vec<OrgRef>,
    pub sessions: Vec<SessionInfo>,
    /// An address change waiting for its confirmation link.
    pub pending_email: Option<String>,
    /// Directory proposals made and accepted, and whether an admin trusts these edits.
    pub proposals: u64,
    pub accepted: u64,
    pub trusted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub account_id: i32,
    pub email: String,
    pub role: MemberRole,
    pub since: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub id: i32,
    pub email: String,
    pub sent_at: i64,
    pub expires_at: i64,
}

/// An organization's page, for its members (and admins).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgPage {
    pub id: i32,
    pub name: String,
    pub kind: OrgKind,
    /// The viewer's own role here (`None` for an admin who is not a member).
    pub my_role: Option<MemberRole>,
    pub members: Vec<MemberInfo>,
    pub invitations: Vec<InvitationInfo>,
    /// A payer organization's claims on brands, newest first.
    pub claims: Vec<crate::types::claims::ClaimView>,
    pub publishing: crate::types::publishing::PublishingInfo,
    /// A developer organization's apps.
    #[serde(default)]
    pub apps: Vec<crate::types::app_metadata::AppSummary>,
}

/// An account in the admins' list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: i32,
    pub email: String,
    pub state: AccountState,
    pub admin: bool,
    pub created_at: i64,
    pub orgs: Vec<String>,
    /// Directory proposals made and accepted, and whether an admin trusts the contributor.
    pub proposals: u64,
    pub accepted: u64,
    pub trusted: bool,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub organization: Option<String>,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub client: String,
}

/// What an invitation link leads to, before it is accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationPreview {
    Open {
        organization: String,
        email: String,
    },
    /// Used, revoked or expired: the same answer for each, and for a link that never existed.
    Invalid,
}

/// What a link from an account mail would do (shown before its button is pressed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountLinkPreview {
    /// The link works, for this address.
    Valid {
        email: String,
    },
    Invalid,
}

/// Which kind of account link a page previews.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountLinkKind {
    Verify,
    Reset,
    EmailChange,
}

/// Per-field errors of a form, and one for the whole form. Fields are named as in the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormErrors {
    pub fields: Vec<(String, String)>,
    pub summary: Option<String>,
}

impl FormErrors {
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        FormErrors { fields: vec![(name.to_string(), message.into())], summary: None }
    }

    pub fn whole(message: impl Into<String>) -> Self {
        FormErrors { fields: Vec::new(), summary: Some(message.into()) }
    }

    pub fn add(&mut self, name: &str, message: impl Into<String>) {
        self.fields.push((name.to_string(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.summary.is_none()
    }

    pub fn for_field(&self, name: &str) -> Option<String> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, m)| m.clone())
    }
}

/// A form posted without JavaScript and answered by rendering its page again: which form, what
/// was typed (never a password), what was wrong, or what happened.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedForm {
    pub form: String,
    pub values: Vec<(String, String)>,
    pub errors: FormErrors,
    /// A success message to show instead of errors.
    pub notice: Option<String>,
    /// What a proposal form's "Check" found.
    pub preview: Option<crate::types::proposals::ProposalPreview>,
    /// What publishing an uploaded bundle would do.
    #[serde(default)]
    pub upload: Option<crate::types::publishing::UploadPreview>,
}

impl PostedForm {
    pub fn value(&self, name: &str) -> String {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub fn is(&self, form: &str) -> bool {
        self.form == form
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_state_machine() {
        use AccountEvent::*;
        use AccountState::*;
        assert_eq!(Unverified.next(Verify, false), Some(Active));
        assert_eq!(Active.next(Disable, true), Some(Disabled));
        assert_eq!(Unverified.next(Disable, false), Some(Disabled));
        assert_eq!(Disabled.next(Enable, true), Some(Active));
        assert_eq!(Disabled.next(Enable, false), Some(Unverified));
        assert_eq!(Disabled.next(Verify, true), None, "a link does not undo an admin's decision");
        assert_eq!(Active.next(Verify, true), None, "verifying twice is not a change");
        assert_eq!(Active.next(Enable, true), None);
        assert_eq!(Disabled.next(Disable, true), None);
    }

    #[test]
    fn roles_follow_organizations() {
        let org = |kind| OrgRef { id: 1, name: "x".into(), kind, role: MemberRole::Member };
        let mut v = Viewer { account_id: 1, email: "a@b.c".into(), admin: false, acting: None, orgs: vec![] };
        assert_eq!(v.roles(), vec![Role::Developer]);
        v.orgs.push(org(OrgKind::Developer));
        assert_eq!(v.roles(), vec![Role::Developer]);
        v.orgs.push(org(OrgKind::Payer));
        v.admin = true;
        assert_eq!(v.roles(), vec![Role::Developer, Role::Payer, Role::Admin]);
    }
}
