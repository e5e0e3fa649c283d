//! Who may do what: one function per action, called by the service that does it, so a direct
//! request is checked exactly as one made through the pages. Each answers `Ok(())` or the
//! error to return (403; a missing sign-in is 401 before any of these is reached).
use crate::error::AppError;
use crate::types::accounts::{MemberRole, OrgKind, Viewer};

/// Who is acting: the signed-in account (with its organizations as they are now), or the
/// command line, and the client address the audit log records.
#[derive(Clone, Debug)]
pub struct Actor {
    pub viewer: Option<Viewer>,
    pub client: String,
    /// The operator at the command line (never a request: a visitor has no viewer either).
    operator: bool,
    /// A payer's registration contact answering through a signed link (no account, no powers
    /// beyond that one request, which the link service checks).
    contact: Option<String>,
}

impl Actor {
    pub fn account(viewer: Viewer, client: impl Into<String>) -> Self {
        Actor { viewer: Some(viewer), client: client.into(), operator: false, contact: None }
    }

    /// The operator at the command line (`signpost create-admin`).
    pub fn command_line() -> Self {
        Actor { viewer: None, client: "command line".into(), operator: true, contact: None }
    }

    /// Whoever sent a request: the signed-in account, or a visitor (`None`), who has no powers.
    pub fn request(viewer: Option<Viewer>, client: impl Into<String>) -> Self {
        Actor { viewer, client: client.into(), operator: false, contact: None }
    }

    /// A registration contact using a signed link, for the audit log.
    pub fn contact(email: &str, client: impl Into<String>) -> Self {
        Actor { viewer: None, client: client.into(), operator: false, contact: Some(email.to_string()) }
    }

    pub fn account_id(&self) -> Option<i32> {
        self.viewer.as_ref().map(|v| v.account_id)
    }

    pub fn label(&self) -> String {
        match &self.viewer {
            Some(v) => v.email.clone(),
            None if self.operator => "command line".into(),
            None if self.contact.is_some() => format!("{} (signed link)", self.contact.as_deref().unwrap_or_default()),
            None => "visitor".into(),
        }
    }

    pub fn acting_org(&self) -> Option<i32> {
        self.viewer.as_ref().and_then(|v| v.acting.as_ref().map(|o| o.id))
    }

    fn is_admin(&self) -> bool {
        // The operator at the command line has the machine, and so every power; a visitor none.
        match &self.viewer {
            Some(v) => v.admin,
            None => self.operator,
        }
    }

    fn role_in(&self, org: i32) -> Option<MemberRole> {
        self.viewer.as_ref()?.orgs.iter().find(|o| o.id == org).map(|o| o.role)
    }
}

fn refuse(what: &str) -> AppError {
    AppError::Forbidden(what.to_string())
}

/// Listing and searching accounts, disabling and re-enabling them, reading the audit log: admins.
pub fn manage_accounts(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() { Ok(()) } else { Err(refuse("only admins manage accounts")) }
}

pub fn read_audit_log(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() { Ok(()) } else { Err(refuse("only admins read the audit log")) }
}

/// Disabling an account: admins, never their own and never another admin's (one admin must not
/// lock the others out; the command line can).
pub fn disable_account(actor: &Actor, target: i32, target_is_admin: bool) -> Result<(), AppError> {
    manage_accounts(actor)?;
    if actor.account_id() == Some(target) {
        return Err(refuse("you cannot disable your own account"));
    }
    if target_is_admin && actor.viewer.is_some() {
        return Err(refuse("admins are disabled only from the command line"));
    }
    Ok(())
}

/// Making an account an admin: the command line only (`signpost create-admin`).
pub fn make_admin(actor: &Actor) -> Result<(), AppError> {
    if actor.operator { Ok(()) } else { Err(refuse("admins are made with signpost create-admin")) }
}

/// Seeing an organization's members and invitations: its members, and admins.
pub fn view_organization(actor: &Actor, org: i32) -> Result<(), AppError> {
    if actor.role_in(org).is_some() || actor.is_admin() {
        Ok(())
    } else {
        Err(refuse("you are not a member of this organization"))
    }
}

/// Inviting by email, and withdrawing an open invitation: any member.
pub fn invite_member(actor: &Actor, org: i32) -> Result<(), AppError> {
    if actor.role_in(org).is_some() { Ok(()) } else { Err(refuse("only members invite to an organization")) }
}

/// Removing a member: owners; anyone may remove themselves (leave).
pub fn remove_member(actor: &Actor, org: i32, member: i32) -> Result<(), AppError> {
    match actor.role_in(org) {
        Some(MemberRole::Owner) => Ok(()),
        Some(MemberRole::Member) if actor.account_id() == Some(member) => Ok(()),
        Some(MemberRole::Member) => Err(refuse("only owners remove members")),
        None => Err(refuse("you are not a member of this organization")),
    }
}

/// Handing ownership to another member: owners.
pub fn transfer_ownership(actor: &Actor, org: i32) -> Result<(), AppError> {
    match actor.role_in(org) {
        Some(MemberRole::Owner) => Ok(()),
        _ => Err(refuse("only an owner hands over ownership")),
    }
}

/// Creating an organization: any signed-in account (it becomes the owner). A payer
/// organization gains brands only through claims an admin reviews.
pub fn create_organization(actor: &Actor) -> Result<(), AppError> {
    if actor.viewer.is_some() { Ok(()) } else { Err(AppError::Unauthorized("log in first".into())) }
}

/// Accepting an invitation: the account with the invited address.
pub fn accept_invitation(actor: &Actor, invited: &str) -> Result<(), AppError> {
    match &actor.viewer {
        Some(v) if v.email == invited => Ok(()),
        _ => Err(refuse("this invitation is for another address")),
    }
}

/// Acting for an organization: its members.
pub fn act_for(actor: &Actor, org: i32) -> Result<(), AppError> {
    if actor.role_in(org).is_some() { Ok(()) } else { Err(refuse("you are not a member of this organization")) }
}

/// Proposing a change to the directory: any signed-in account (a visitor may only report).
pub fn propose_change(actor: &Actor) -> Result<(), AppError> {
    if actor.viewer.is_some() { Ok(()) } else { Err(AppError::Unauthorized("log in to propose a change".into())) }
}

/// Deciding on proposals (approve, reject, ask), reading the queue and the import conflicts:
/// admins, and for a brand a payer organization maintains (`maintainer`, its claim in force),
/// that organization's members.
pub fn moderate(actor: &Actor, maintainer: Option<i32>) -> Result<(), AppError> {
    if actor.is_admin() || maintainer.is_some_and(|org| actor.role_in(org).is_some()) {
        Ok(())
    } else {
        Err(refuse("only moderators decide on proposals"))
    }
}

/// Claiming a brand for an organization, and checking or withdrawing its claims: members of
/// that organization, when it is a payer organization.
pub fn claim_brand(actor: &Actor, org: i32, kind: OrgKind) -> Result<(), AppError> {
    if actor.viewer.is_none() {
        return Err(AppError::Unauthorized("log in first".into()));
    }
    if actor.role_in(org).is_none() {
        return Err(refuse("you are not a member of this organization"));
    }
    if kind != OrgKind::Payer {
        return Err(refuse("only payer organizations claim brands"));
    }
    Ok(())
}

/// Editing a brand's developer-portal facts, plans and API addresses: admins, and the members
/// of the payer organization that maintains it.
pub fn edit_developer_facts(actor: &Actor, maintainer: Option<i32>) -> Result<(), AppError> {
    if actor.viewer.is_none() && !actor.operator {
        return Err(AppError::Unauthorized("log in first".into()));
    }
    if actor.is_admin() || maintainer.is_some_and(|org| actor.role_in(org).is_some()) {
        Ok(())
    } else {
        Err(refuse("only the brand's maintainer and admins edit its developer facts"))
    }
}

/// Publishing for an organization (uploading a bundle or a logo, rolling back to a version):
/// members of that organization, when it is a payer organization. Which brands a publish may
/// change is the service's: those the organization maintains.
pub fn publish(actor: &Actor, org: i32, kind: OrgKind) -> Result<(), AppError> {
    claim_brand(actor, org, kind).map_err(|e| match e {
        AppError::Forbidden(_) => refuse("only a payer organization's members publish for it"),
        other => other,
    })
}

/// A payer organization's registration settings (time zone, notice, denial grounds): its
/// members.
pub fn payer_settings(actor: &Actor, org: i32, kind: OrgKind) -> Result<(), AppError> {
    publish(actor, org, kind).map_err(|e| match e {
        AppError::Forbidden(_) => refuse("only a payer organization's members set its registration settings"),
        other => other,
    })
}

/// Uploading a logo: a payer organization's members (for its brands) and a developer
/// organization's (for its apps).
pub fn upload_logo(actor: &Actor, org: i32, kind: OrgKind) -> Result<(), AppError> {
    match kind {
        OrgKind::Developer => manage_apps(actor, org, kind),
        _ => publish(actor, org, kind),
    }
}

/// Registering an app for an organization and changing it: members of that organization, when
/// it is a developer organization.
pub fn manage_apps(actor: &Actor, org: i32, kind: OrgKind) -> Result<(), AppError> {
    if actor.viewer.is_none() {
        return Err(AppError::Unauthorized("log in first".into()));
    }
    if actor.role_in(org).is_none() {
        return Err(refuse("you are not a member of this organization"));
    }
    if kind != OrgKind::Developer {
        return Err(refuse("only developer organizations register apps"));
    }
    Ok(())
}

/// Reading an app's registration record and its exports: its organization's members and admins.
pub fn view_app(actor: &Actor, org: i32) -> Result<(), AppError> {
    if actor.viewer.is_none() && !actor.operator {
        return Err(AppError::Unauthorized("log in first".into()));
    }
    if actor.is_admin() || actor.role_in(org).is_some() {
        Ok(())
    } else {
        Err(refuse("only the app's organization and admins see its registration record"))
    }
}

/// Writing and submitting an app's attestation: as changing the app, its organization's
/// members (an admin reviews it, so may not write it).
pub fn attest_app(actor: &Actor, org: i32, kind: OrgKind) -> Result<(), AppError> {
    manage_apps(actor, org, kind)
}

/// Deciding on attestations and publishing questionnaire versions: admins.
pub fn review_attestations(actor: &Actor) -> Result<(), AppError> {
    match (actor.is_admin(), &actor.viewer) {
        (true, _) => Ok(()),
        (false, None) => Err(AppError::Unauthorized("log in first".into())),
        (false, Some(_)) => Err(refuse("only admins review attestations")),
    }
}

/// The actor is a member of the organization (which side of a request a page shows).
pub fn member_of(actor: &Actor, org: i32) -> bool {
    actor.role_in(org).is_some()
}

/// Asking payers for access for an app, answering them and withdrawing: the app's organization's
/// members.
pub fn request_access(actor: &Actor, org: i32, kind: OrgKind) -> Result<(), AppError> {
    manage_apps(actor, org, kind)
}

/// Working a payer's queue (review, ask, approve, deny, revoke, assign): the members of the payer
/// organization that maintains the brand, unless they are also members of the app's
/// organization (nobody decides their own request).
pub fn work_request(actor: &Actor, payer_org: Option<i32>, developer_org: i32) -> Result<(), AppError> {
    if actor.viewer.is_none() {
        return Err(AppError::Unauthorized("log in first".into()));
    }
    if actor.role_in(developer_org).is_some() {
        return Err(refuse("a member of the app's organization does not decide its request"));
    }
    match payer_org {
        Some(org) if actor.role_in(org).is_some() => Ok(()),
        _ => Err(refuse("only the payer organization that maintains the brand answers it")),
    }
}

/// Reading a request and its thread: both sides' members, and admins.
pub fn view_request(actor: &Actor, developer_org: i32, payer_org: Option<i32>) -> Result<(), AppError> {
    if actor.viewer.is_none() && !actor.operator {
        return Err(AppError::Unauthorized("log in first".into()));
    }
    let payer = payer_org.is_some_and(|p| actor.role_in(p).is_some());
    if actor.is_admin() || actor.role_in(developer_org).is_some() || payer {
        Ok(())
    } else {
        Err(refuse("only the app's organization, the payer and admins see a request"))
    }
}

/// Granting, transferring and revoking any claim, and listing them all: admins.
pub fn manage_claims(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() { Ok(()) } else { Err(refuse("only admins grant, transfer or revoke claims")) }
}

/// Editing or withdrawing a proposal, and answering in its thread: its proposer.
pub fn change_proposal(actor: &Actor, proposer: Option<i32>) -> Result<(), AppError> {
    match (actor.account_id(), proposer) {
        (Some(me), Some(p)) if me == p => Ok(()),
        (None, _) => Err(AppError::Unauthorized("log in first".into())),
        _ => Err(refuse("only its proposer changes a proposal")),
    }
}

/// Reading a proposal and its thread: its proposer and its moderators (`maintainer` as for
/// `moderate`).
pub fn read_proposal(actor: &Actor, proposer: Option<i32>, maintainer: Option<i32>) -> Result<(), AppError> {
    if proposer.is_some() && actor.account_id() == proposer {
        return Ok(());
    }
    moderate(actor, maintainer).map_err(|_| refuse("only its proposer and moderators read a proposal"))
}

/// A proposal applied at once, without a moderator: a contributor an admin trusts.
/// Also a member of the organization that maintains the brand (`maintainer`): its own edits of
/// its own brand need no other moderator.
pub fn apply_at_once(actor: &Actor, trusted: bool, maintainer: Option<i32>) -> Result<(), AppError> {
    let maintains = maintainer.is_some_and(|org| actor.role_in(org).is_some());
    if actor.viewer.is_some() && (trusted || maintains) {
        Ok(())
    } else {
        Err(refuse("a moderator decides on this proposal"))
    }
}

/// Reverting a record to an earlier version: admins.
pub fn revert_record(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() { Ok(()) } else { Err(refuse("only admins revert a record")) }
}

/// Trusting a contributor (their edits apply at once), or no longer: admins, for an account with
/// at least `needed` accepted proposals.
pub fn trust_contributor(actor: &Actor, accepted: u64, needed: u64, trusting: bool) -> Result<(), AppError> {
    if !actor.is_admin() {
        return Err(refuse("only admins trust contributors"));
    }
    if trusting && accepted < needed {
        return Err(AppError::Conflict(format!(
            "this contributor has {accepted} accepted proposals; {needed} are needed to be trusted"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::accounts::OrgRef;

    fn actor(admin: bool, orgs: &[(i32, MemberRole)]) -> Actor {
        let orgs = orgs
            .iter()
            .map(|(id, role)| OrgRef { id: *id, name: format!("org {id}"), kind: OrgKind::Developer, role: *role })
            .collect();
        Actor::account(Viewer { account_id: 7, email: "a@b.test".into(), admin, acting: None, orgs }, "192.0.2.1")
    }

    #[test]
    fn admins_manage_accounts_and_nobody_disables_themselves() {
        assert!(manage_accounts(&actor(false, &[])).is_err());
        assert!(read_audit_log(&actor(false, &[(1, MemberRole::Owner)])).is_err());
        assert!(manage_accounts(&actor(true, &[])).is_ok());
        assert!(disable_account(&actor(true, &[]), 8, false).is_ok());
        assert!(disable_account(&actor(true, &[]), 7, false).is_err());
        assert!(disable_account(&actor(true, &[]), 8, true).is_err(), "not another admin");
        assert!(disable_account(&actor(false, &[]), 8, false).is_err());
        assert!(make_admin(&actor(true, &[])).is_err(), "admins are made at the command line");
        assert!(make_admin(&Actor::command_line()).is_ok());
    }

    #[test]
    fn developer_members_manage_their_apps_and_admins_read_them() {
        let member = actor(false, &[(1, MemberRole::Member)]);
        let outsider = actor(false, &[(2, MemberRole::Owner)]);
        assert!(manage_apps(&member, 1, OrgKind::Developer).is_ok());
        assert!(manage_apps(&member, 1, OrgKind::Payer).is_err(), "payers do not register apps");
        assert!(manage_apps(&outsider, 1, OrgKind::Developer).is_err());
        assert!(manage_apps(&actor(true, &[]), 1, OrgKind::Developer).is_err(), "admins review, not edit");
        assert!(view_app(&member, 1).is_ok());
        assert!(view_app(&actor(true, &[]), 1).is_ok());
        assert!(view_app(&outsider, 1).is_err());
        assert!(matches!(view_app(&Actor::request(None, "x"), 1), Err(AppError::Unauthorized(_))));
        assert!(attest_app(&member, 1, OrgKind::Developer).is_ok());
        assert!(attest_app(&actor(true, &[]), 1, OrgKind::Developer).is_err(), "admins review, not attest");
        assert!(review_attestations(&actor(true, &[])).is_ok());
        assert!(review_attestations(&member).is_err(), "a member cannot approve");
        assert!(matches!(review_attestations(&Actor::request(None, "x")), Err(AppError::Unauthorized(_))));
        // Requests: the developer's members ask, the payer's members answer, admins read.
        let payer = actor(false, &[(2, MemberRole::Member)]);
        assert!(request_access(&member, 1, OrgKind::Developer).is_ok());
        assert!(request_access(&payer, 1, OrgKind::Developer).is_err());
        assert!(work_request(&payer, Some(2), 1).is_ok());
        assert!(work_request(&member, Some(2), 1).is_err(), "a developer does not approve its own request");
        let both = actor(false, &[(1, MemberRole::Member), (2, MemberRole::Member)]);
        assert!(work_request(&both, Some(2), 1).is_err(), "nor does one who is in both organizations");
        assert!(work_request(&actor(true, &[]), Some(2), 1).is_err(), "admins see, not answer");
        assert!(work_request(&payer, None, 1).is_err());
        assert!(view_request(&member, 1, Some(2)).is_ok() && view_request(&payer, 1, Some(2)).is_ok());
        assert!(view_request(&actor(true, &[]), 1, Some(2)).is_ok());
        assert!(view_request(&actor(false, &[(3, MemberRole::Owner)]), 1, Some(2)).is_err(), "another payer");
    }

    #[test]
    fn members_invite_and_owners_remove_and_transfer() {
        let owner = actor(false, &[(1, MemberRole::Owner)]);
        let member = actor(false, &[(1, MemberRole::Member)]);
        let outsider = actor(false, &[(2, MemberRole::Owner)]);
        assert!(invite_member(&member, 1).is_ok());
        assert!(invite_member(&outsider, 1).is_err());
        assert!(invite_member(&actor(true, &[]), 1).is_err(), "admins see, but do not act for, organizations");
        assert!(remove_member(&owner, 1, 9).is_ok());
        assert!(remove_member(&member, 1, 9).is_err());
        assert!(remove_member(&member, 1, 7).is_ok(), "leaving");
        assert!(transfer_ownership(&owner, 1).is_ok());
        assert!(transfer_ownership(&member, 1).is_err());
        assert!(view_organization(&outsider, 1).is_err());
        assert!(view_organization(&actor(true, &[]), 1).is_ok());
        assert!(act_for(&member, 1).is_ok() && act_for(&outsider, 1).is_err());
    }

    #[test]
    fn proposers_change_their_own_and_admins_moderate() {
        let me = actor(false, &[]);
        let admin = actor(true, &[]);
        assert!(propose_change(&me).is_ok());
        let visitor = Actor::request(None, "192.0.2.9");
        assert!(propose_change(&visitor).is_err());
        assert!(moderate(&visitor, None).is_err() && revert_record(&visitor).is_err(), "a visitor has no powers");
        assert!(manage_accounts(&visitor).is_err() && make_admin(&visitor).is_err());
        assert!(moderate(&Actor::command_line(), None).is_ok());
        assert!(change_proposal(&me, Some(7)).is_ok());
        assert!(change_proposal(&me, Some(8)).is_err());
        assert!(change_proposal(&admin, Some(8)).is_err(), "a moderator decides, never edits as the proposer");
        assert!(moderate(&me, Some(1)).is_err() && moderate(&admin, Some(1)).is_ok());
        assert!(read_proposal(&me, Some(7), None).is_ok());
        assert!(read_proposal(&me, Some(8), None).is_err());
        assert!(read_proposal(&me, None, None).is_err(), "a visitor's report is for moderators");
        assert!(read_proposal(&admin, None, None).is_ok());
        assert!(revert_record(&me).is_err() && revert_record(&admin).is_ok());
        assert!(trust_contributor(&admin, 4, 5, true).is_err());
        assert!(trust_contributor(&admin, 5, 5, true).is_ok());
        assert!(trust_contributor(&admin, 0, 5, false).is_ok(), "withdrawing trust needs no count");
        assert!(trust_contributor(&me, 9, 5, true).is_err());
    }

    #[test]
    fn payer_members_claim_and_moderate_what_they_maintain() {
        let member = actor(false, &[(3, MemberRole::Member)]);
        assert!(claim_brand(&member, 3, OrgKind::Payer).is_ok());
        assert!(claim_brand(&member, 3, OrgKind::Developer).is_err(), "a developer organization claims nothing");
        assert!(claim_brand(&member, 4, OrgKind::Payer).is_err(), "not its organization");
        assert!(matches!(claim_brand(&Actor::request(None, "x"), 3, OrgKind::Payer), Err(AppError::Unauthorized(_))));
        assert!(claim_brand(&actor(true, &[]), 3, OrgKind::Payer).is_err(), "admins grant instead");
        assert!(moderate(&member, Some(3)).is_ok() && moderate(&member, Some(4)).is_err());
        assert!(moderate(&member, None).is_err(), "an unclaimed brand is the admins'");
        assert!(read_proposal(&member, Some(8), Some(3)).is_ok());
        assert!(manage_claims(&member).is_err() && manage_claims(&actor(true, &[])).is_ok());
        assert_eq!(Actor::request(None, "x").label(), "visitor");
        assert!(edit_developer_facts(&member, Some(3)).is_ok() && edit_developer_facts(&member, Some(4)).is_err());
        assert!(apply_at_once(&member, false, Some(3)).is_ok(), "a maintainer's own edit of its brand");
        assert!(apply_at_once(&member, false, Some(4)).is_err() && apply_at_once(&member, false, None).is_err());
        assert!(apply_at_once(&member, true, None).is_ok(), "a trusted contributor anywhere");
        assert!(publish(&member, 3, OrgKind::Payer).is_ok() && publish(&member, 4, OrgKind::Payer).is_err());
        assert!(publish(&member, 3, OrgKind::Developer).is_err());
        assert!(edit_developer_facts(&member, None).is_err() && edit_developer_facts(&actor(true, &[]), None).is_ok());
        assert!(matches!(edit_developer_facts(&Actor::request(None, "x"), Some(3)), Err(AppError::Unauthorized(_))));
        assert_eq!(Actor::command_line().label(), "command line");
    }
}
