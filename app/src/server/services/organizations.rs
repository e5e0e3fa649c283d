//! Organizations: creating one, inviting by email (a single-use link), joining, leaving,
//! removing members, handing over ownership, and choosing which one a session acts for.
use crate::error::AppError;
use crate::server::alerts::email::EmailAddress;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{account, invitation, membership, organization};
use crate::server::policy::{self, Actor};
use crate::server::services::accounts::mails::{AccountMail, send};
use crate::server::services::accounts::sessions::{self, CurrentSession};
use crate::server::services::accounts::tokens::{Token, hash_token};
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::types::accounts::{FormErrors, InvitationInfo, InvitationPreview, MemberInfo, MemberRole, OrgKind, OrgPage};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionSession, TransactionTrait,
};

pub const INVITATION_SECS: i64 = 7 * 86_400;
pub const NAME_MAX: usize = 120;
/// Open invitations one organization may have at once.
pub const MAX_OPEN_INVITATIONS: u64 = 50;
/// Least time between two invitations of one address to one organization.
pub const REINVITE_SECS: i64 = 600;

/// A name as typed: trimmed, inner runs of space made one, 2 to 120 characters, no control
/// characters.
pub fn parse_name(text: &str) -> Result<String, String> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() < 2 {
        return Err("Give the organization a name of at least 2 characters.".into());
    }
    if name.chars().count() > NAME_MAX {
        return Err(format!("Use at most {NAME_MAX} characters."));
    }
    // Control characters, and the invisible format ones (bidi overrides, zero-width) that make
    // a name read otherwise than it is, in pages and in invitation mails.
    if name.chars().any(|c| c.is_control() || is_format_char(c)) {
        return Err("The name has a control or invisible formatting character in it.".into());
    }
    Ok(name)
}

fn is_format_char(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

pub enum CreateOutcome {
    /// The new organization, and the session's new token (it acts for it now).
    Created {
        id: i32,
        token: Option<Token>,
    },
    Invalid(FormErrors),
}

pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    session: &CurrentSession,
    client: &str,
    name: &str,
    kind: &str,
    now: i64,
) -> Result<CreateOutcome, AppError> {
    let mut errors = FormErrors::default();
    let name = parse_name(name).map_err(|e| errors.add("name", e)).ok();
    let kind =
        OrgKind::parse(kind).ok_or_else(|| errors.add("kind", "Choose a developer or a payer organization.")).ok();
    let (Some(name), Some(kind)) = (name, kind) else { return Ok(CreateOutcome::Invalid(errors)) };
    let actor = Actor::account(session.viewer.clone(), client);
    policy::create_organization(&actor)?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let org = organization::ActiveModel {
        name: Set(name.clone()),
        kind: Set(kind),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    membership::Entity::insert(membership::ActiveModel {
        organization_id: Set(org.id),
        account_id: Set(session.viewer.account_id),
        role: Set(MemberRole::Owner),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        &actor,
        AuditAction::OrgCreate,
        Target::new("organization", org.id),
        None,
        Some(serde_json::json!({ "name": name, "kind": kind.as_str() })),
        now,
    )
    .await?;
    // A new membership is a change of privilege: the session gets a new id, acting for it.
    let token = sessions::rotate(&txn, &session.id_hash, Some(Some(org.id))).await?;
    txn.commit().await?;
    Ok(CreateOutcome::Created { id: org.id, token })
}

async fn org_or_404(db: &impl ConnectionTrait, id: i32) -> Result<organization::Model, AppError> {
    organization::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no organization {id}")))
}

pub async fn page(db: &impl ConnectionTrait, actor: &Actor, id: i32, now: i64) -> Result<OrgPage, AppError> {
    // The permission first, so a non-member learns nothing of which ids exist.
    policy::view_organization(actor, id)?;
    let org = org_or_404(db, id).await?;
    let members = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(id))
        .order_by_asc(membership::Column::CreatedAt)
        .all(db)
        .await?;
    let accounts =
        account::Entity::find().filter(account::Column::Id.is_in(members.iter().map(|m| m.account_id))).all(db).await?;
    let invitations = invitation::Entity::find()
        .filter(invitation::Column::OrganizationId.eq(id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .order_by_desc(invitation::Column::CreatedAt)
        .all(db)
        .await?;
    let my_role =
        actor.viewer.as_ref().and_then(|v| members.iter().find(|m| m.account_id == v.account_id)).map(|m| m.role);
    let (claims, publishing) = match org.kind {
        OrgKind::Payer => {
            use crate::server::services::publishing::{claims, feed, publications};
            let versions = publications::list(db, actor, id).await?;
            let bundle_path = (!versions.is_empty())
                .then(|| format!("/publishers/{}/brands.json", publications::slug(id, &org.name)));
            let feed = feed::info(db, id).await?;
            (claims::of_org(db, id).await?, crate::types::publishing::PublishingInfo { bundle_path, versions, feed })
        }
        OrgKind::Developer => (Vec::new(), Default::default()),
    };
    let apps = match org.kind {
        OrgKind::Developer => crate::server::services::apps::of_org(db, actor, id).await?,
        OrgKind::Payer => Vec::new(),
    };
    Ok(OrgPage {
        apps,
        claims,
        publishing,
        id,
        name: org.name,
        kind: org.kind,
        my_role,
        members: members
            .iter()
            .filter_map(|m| {
                let a = accounts.iter().find(|a| a.id == m.account_id)?;
                Some(MemberInfo { account_id: a.id, email: a.email.clone(), role: m.role, since: m.created_at })
            })
            .collect(),
        invitations: invitations
            .into_iter()
            .map(|i| InvitationInfo { id: i.id, email: i.email, sent_at: i.created_at, expires_at: i.expires_at })
            .collect(),
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum InviteOutcome {
    Sent { email: String },
    AlreadyMember { email: String },
    Invalid(FormErrors),
}

/// Invites an address: a new link replaces any open one for the same address.
pub async fn invite<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    base: &str,
    org_id: i32,
    email: &str,
    now: i64,
) -> Result<InviteOutcome, AppError> {
    policy::invite_member(actor, org_id)?;
    let org = org_or_404(db, org_id).await?;
    let email = match EmailAddress::parse(email) {
        Ok(e) => e,
        Err(e) => return Ok(InviteOutcome::Invalid(FormErrors::field("email", e))),
    };
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let member = account::Entity::find().filter(account::Column::Email.eq(email.as_str())).one(&txn).await?;
    if let Some(a) = member {
        let already = membership::Entity::find_by_id((org_id, a.id)).one(&txn).await?;
        if already.is_some() {
            return Ok(InviteOutcome::AlreadyMember { email: email.as_str().to_string() });
        }
    }
    let open = invitation::Entity::find()
        .filter(invitation::Column::OrganizationId.eq(org_id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .count(&txn)
        .await?;
    if open >= MAX_OPEN_INVITATIONS {
        return Ok(InviteOutcome::Invalid(FormErrors::whole(format!(
            "This organization has {open} open invitations; withdraw some first."
        ))));
    }
    // One invitation mail per address every 10 minutes: re-inviting cannot be used to flood it.
    let recent = invitation::Entity::find()
        .filter(invitation::Column::OrganizationId.eq(org_id))
        .filter(invitation::Column::Email.eq(email.as_str()))
        .filter(invitation::Column::CreatedAt.gt(now - REINVITE_SECS))
        .count(&txn)
        .await?;
    if recent > 0 {
        return Ok(InviteOutcome::Invalid(FormErrors::field(
            "email",
            format!("{} was invited less than 10 minutes ago; the link we sent still works.", email.as_str()),
        )));
    }
    revoke_open(&txn, org_id, invitation::Column::Email.eq(email.as_str()), now).await?;
    let token = Token::generate();
    let row = invitation::ActiveModel {
        organization_id: Set(org_id),
        email: Set(email.as_str().to_string()),
        token_hash: Set(token.hash()),
        invited_by: Set(actor.account_id()),
        created_at: Set(now),
        expires_at: Set(now + INVITATION_SECS),
        accepted_at: Set(None),
        accepted_by: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let link = format!("{base}/invitations?token={}", token.expose());
    let inviter = actor.label();
    send(
        &txn,
        email.as_str(),
        format!("invitation:{}", row.id),
        AccountMail::Invitation { inviter: &inviter, organization: &org.name, link: &link },
        now,
    )
    .await?;
    audit::record(
        &txn,
        actor,
        AuditAction::OrgInvite,
        Target::new("invitation", row.id),
        None,
        Some(serde_json::json!({ "organization": org_id, "email": email.as_str() })),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(InviteOutcome::Sent { email: email.as_str().to_string() })
}

async fn open_invitation(
    db: &impl ConnectionTrait,
    token: &str,
    now: i64,
) -> Result<Option<invitation::Model>, AppError> {
    let row = invitation::Entity::find().filter(invitation::Column::TokenHash.eq(hash_token(token))).one(db).await?;
    Ok(row.filter(|i| i.is_open(now)))
}

pub async fn preview_invitation(
    db: &impl ConnectionTrait,
    token: &str,
    now: i64,
) -> Result<InvitationPreview, AppError> {
    let Some(inv) = open_invitation(db, token, now).await? else { return Ok(InvitationPreview::Invalid) };
    let org = org_or_404(db, inv.organization_id).await?;
    Ok(InvitationPreview::Open { organization: org.name, email: inv.email })
}

pub enum AcceptOutcome {
    /// Joined (or was a member already); the session's new token, acting for the organization.
    Joined {
        org_id: i32,
        token: Option<Token>,
    },
    /// The invitation is for another address than the signed-in account's.
    OtherAddress {
        invited: String,
    },
    Invalid,
}

/// Accepts an invitation: once, by the account with the invited address.
pub async fn accept<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    session: &CurrentSession,
    client: &str,
    token: &str,
    now: i64,
) -> Result<AcceptOutcome, AppError> {
    let Some(inv) = open_invitation(db, token, now).await? else { return Ok(AcceptOutcome::Invalid) };
    let actor = Actor::account(session.viewer.clone(), client);
    if policy::accept_invitation(&actor, &inv.email).is_err() {
        return Ok(AcceptOutcome::OtherAddress { invited: inv.email });
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let taken = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Expr::value(now))
        .col_expr(invitation::Column::AcceptedBy, Expr::value(session.viewer.account_id))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        return Ok(AcceptOutcome::Invalid);
    }
    let key = (inv.organization_id, session.viewer.account_id);
    if membership::Entity::find_by_id(key).one(&txn).await?.is_none() {
        membership::Entity::insert(membership::ActiveModel {
            organization_id: Set(inv.organization_id),
            account_id: Set(session.viewer.account_id),
            role: Set(MemberRole::Member),
            created_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    audit::record(
        &txn,
        &actor,
        AuditAction::OrgJoin,
        Target::new("organization", inv.organization_id),
        None,
        Some(serde_json::json!({ "invitation": inv.id, "role": "member" })),
        now,
    )
    .await?;
    let token = sessions::rotate(&txn, &session.id_hash, Some(Some(inv.organization_id))).await?;
    txn.commit().await?;
    Ok(AcceptOutcome::Joined { org_id: inv.organization_id, token })
}

pub async fn revoke_invitation<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    invitation_id: i32,
    now: i64,
) -> Result<(), AppError> {
    policy::invite_member(actor, org_id)?;
    let txn = db.begin().await?;
    if revoke_open(&txn, org_id, invitation::Column::Id.eq(invitation_id), now).await? == 0 {
        return Err(AppError::NotFound("there is no open invitation with that id".into()));
    }
    audit::record(&txn, actor, AuditAction::OrgInviteRevoke, Target::new("invitation", invitation_id), None, None, now)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Withdraws the organization's open invitations that `which` selects; returns how many.
async fn revoke_open(
    db: &impl ConnectionTrait,
    org_id: i32,
    which: sea_orm::sea_query::SimpleExpr,
    now: i64,
) -> Result<u64, AppError> {
    Ok(invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(now))
        .filter(invitation::Column::OrganizationId.eq(org_id))
        .filter(which)
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// The organization's memberships, locked until the transaction ends (`FOR UPDATE` on
/// PostgreSQL; SQLite has one writer at a time already).
async fn locked_members(db: &impl ConnectionTrait, org_id: i32) -> Result<Vec<membership::Model>, AppError> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(org_id))
        .lock_exclusive()
        .all(db)
        .await?)
}

/// The actor with its role in `org_id` as the locked rows have it, for a policy decided again
/// inside the transaction.
fn as_now(actor: &Actor, org_id: i32, members: &[membership::Model]) -> Actor {
    let mut fresh = actor.clone();
    if let Some(v) = fresh.viewer.as_mut() {
        let role = members.iter().find(|m| m.account_id == v.account_id).map(|m| m.role);
        v.orgs.retain(|o| o.id != org_id);
        if let (Some(role), Some(o)) =
            (role, actor.viewer.as_ref().and_then(|v| v.orgs.iter().find(|o| o.id == org_id)))
        {
            v.orgs.push(crate::types::accounts::OrgRef { role, ..o.clone() });
        }
    }
    fresh
}

/// Removes a member (or the actor leaves). The last owner cannot go: ownership is handed over
/// first.
pub async fn remove_member<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    member: i32,
    now: i64,
) -> Result<(), AppError> {
    policy::remove_member(actor, org_id, member)?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    // Decided again on the members as they are now, locked, so two owners removing each other
    // at once cannot leave the organization with none.
    let members = locked_members(&txn, org_id).await?;
    policy::remove_member(&as_now(actor, org_id, &members), org_id, member)?;
    let row = members
        .iter()
        .find(|m| m.account_id == member)
        .cloned()
        .ok_or_else(|| AppError::NotFound("that account is not a member".into()))?;
    if row.role == MemberRole::Owner && members.iter().filter(|m| m.role == MemberRole::Owner).count() <= 1 {
        return Err(AppError::Conflict("the last owner cannot leave: hand over ownership first".into()));
    }
    membership::Entity::delete_by_id((org_id, member)).exec(&txn).await?;
    // What a former member sent out no longer lets anyone in.
    revoke_open(&txn, org_id, invitation::Column::InvitedBy.eq(member), now).await?;
    audit::record(
        &txn,
        actor,
        AuditAction::OrgMemberRemove,
        Target::new("membership", format!("{org_id}/{member}")),
        Some(serde_json::json!({ "role": row.role.as_str() })),
        None,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Makes another member the owner; the actor stays on as a member.
pub async fn transfer_ownership<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    to: i32,
    now: i64,
) -> Result<(), AppError> {
    policy::transfer_ownership(actor, org_id)?;
    let me = actor.account_id().ok_or_else(|| AppError::Unauthorized("sign in first".into()))?;
    if me == to {
        return Err(AppError::Conflict("you own this organization already".into()));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let members = locked_members(&txn, org_id).await?;
    policy::transfer_ownership(&as_now(actor, org_id, &members), org_id)?;
    if !members.iter().any(|m| m.account_id == to) {
        return Err(AppError::NotFound("that account is not a member".into()));
    }
    for (account, role) in [(to, MemberRole::Owner), (me, MemberRole::Member)] {
        membership::Entity::update_many()
            .col_expr(membership::Column::Role, Expr::value(role))
            .filter(membership::Column::OrganizationId.eq(org_id))
            .filter(membership::Column::AccountId.eq(account))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        AuditAction::OrgOwnerTransfer,
        Target::new("organization", org_id),
        Some(serde_json::json!({ "owner": me })),
        Some(serde_json::json!({ "owner": to })),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Chooses the organization a session acts for (`None`: itself alone). The session gets a new
/// id; the new token is returned.
pub async fn act_for<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    session: &CurrentSession,
    org: Option<i32>,
) -> Result<Option<Token>, AppError> {
    if let Some(id) = org {
        policy::act_for(actor, id)?;
    }
    let txn = db.begin().await?;
    let token = sessions::rotate(&txn, &session.id_hash, Some(org)).await?;
    txn.commit().await?;
    Ok(token)
}
