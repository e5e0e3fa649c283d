//! Signed-in sessions, kept in the database so every instance on it shares them. The cookie
//! holds a random token and the table only its hash. A session ends after 7 idle days or 30
//! days in all, when it logs out, and when the account's password changes, it logs out
//! everywhere, or an admin disables it. Its id changes on log-in and whenever its privileges
//! change (acting for another organization, joining one).
use super::password::PasswordHashString;
use super::tokens::{Token, hash_token};
use crate::error::AppError;
use crate::server::entities::{account, login_session, membership, organization};
use crate::server::services::sql::statement;
use crate::types::accounts::{AccountState, OrgRef, SessionInfo, SiteRole, Viewer};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, Set, Value};

pub const IDLE_SECS: i64 = 7 * 86_400;
pub const ABSOLUTE_SECS: i64 = 30 * 86_400;
/// A session's last use is written at most this often (not on every request).
const TOUCH_EVERY_SECS: i64 = 60;

/// The session of a request, in its extensions. Holds the stored hash, never the token; not
/// serializable.
#[derive(Clone, Debug)]
pub struct CurrentSession {
    pub id_hash: String,
    pub viewer: Viewer,
}

/// Starts a session for an account that is still active with the password the request proved
/// (`proof`, the stored hash it verified), and returns the token for its cookie; `None` when
/// the password changed or the account stopped being active since the check. One statement
/// that locks the account row (`FOR UPDATE` on PostgreSQL; SQLite has one writer at a time), so
/// a password change committing while a log-in is checked ends that log-in's session as well:
/// either the change waits for the insert and then ends it, or the insert sees the new hash.
pub async fn start(
    db: &impl ConnectionTrait,
    account_id: i32,
    proof: &PasswordHashString,
    acting_org: Option<i32>,
    client: &str,
    user_agent: &str,
    now: i64,
) -> Result<Option<Token>, AppError> {
    let token = Token::generate();
    let lock = if db.get_database_backend() == DbBackend::Postgres { " FOR UPDATE" } else { "" };
    let sql = format!(
        "INSERT INTO login_session (id_hash, account_id, acting_org_id, created_at, last_seen_at, expires_at, \
         client, user_agent) SELECT $1, id, $2, $3, $3, $4, $5, $6 FROM account \
         WHERE id = $7 AND state = $8 AND password_hash = $9{lock}"
    );
    let values: Vec<Value> = vec![
        token.hash().into(),
        acting_org.into(),
        now.into(),
        (now + IDLE_SECS.min(ABSOLUTE_SECS)).into(),
        client.chars().take(64).collect::<String>().into(),
        user_agent.chars().filter(|c| !c.is_control()).take(200).collect::<String>().into(),
        account_id.into(),
        AccountState::Active.to_value().into(),
        proof.0.clone().into(),
    ];
    let inserted = db.execute_raw(statement(db, &sql, values)).await?.rows_affected();
    Ok((inserted == 1).then_some(token))
}

/// The live session a cookie's token names, with who it is; `None` for a token that is
/// unknown, expired, or whose account is no longer active (the row is then deleted).
pub async fn load(db: &impl ConnectionTrait, token: &str, now: i64) -> Result<Option<CurrentSession>, AppError> {
    let id_hash = hash_token(token);
    let Some(row) = login_session::Entity::find_by_id(id_hash.clone()).one(db).await? else { return Ok(None) };
    let account = account::Entity::find_by_id(row.account_id).one(db).await?;
    let live = now < row.expires_at && now < row.created_at + ABSOLUTE_SECS;
    let Some(account) = account.filter(|a| live && a.state == AccountState::Active) else {
        end(db, &id_hash).await?;
        return Ok(None);
    };
    if now - row.last_seen_at >= TOUCH_EVERY_SECS {
        login_session::Entity::update_many()
            .col_expr(login_session::Column::LastSeenAt, Expr::value(now))
            .col_expr(
                login_session::Column::ExpiresAt,
                Expr::value((now + IDLE_SECS).min(row.created_at + ABSOLUTE_SECS)),
            )
            .filter(login_session::Column::IdHash.eq(id_hash.clone()))
            .exec(db)
            .await?;
    }
    let viewer = viewer_of(db, &account, row.acting_org_id).await?;
    Ok(Some(CurrentSession { id_hash, viewer }))
}

/// The account as the pages see it, with its organizations; `acting` is kept only while the
/// account is still a member.
pub async fn viewer_of(
    db: &impl ConnectionTrait,
    account: &account::Model,
    acting: Option<i32>,
) -> Result<Viewer, AppError> {
    let orgs = organizations_of(db, account.id).await?;
    let acting = acting.and_then(|id| orgs.iter().find(|o| o.id == id).cloned());
    Ok(Viewer {
        account_id: account.id,
        email: account.email.clone(),
        admin: account.role == SiteRole::Admin,
        acting,
        orgs,
    })
}

pub async fn organizations_of(db: &impl ConnectionTrait, account_id: i32) -> Result<Vec<OrgRef>, AppError> {
    let memberships = membership::Entity::find().filter(membership::Column::AccountId.eq(account_id)).all(db).await?;
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    let orgs = organization::Entity::find()
        .filter(organization::Column::Id.is_in(memberships.iter().map(|m| m.organization_id)))
        .order_by_asc(organization::Column::Name)
        .all(db)
        .await?;
    Ok(orgs
        .into_iter()
        .filter_map(|o| {
            let role = memberships.iter().find(|m| m.organization_id == o.id)?.role;
            Some(OrgRef { id: o.id, name: o.name, kind: o.kind, role })
        })
        .collect())
}

pub async fn end(db: &impl ConnectionTrait, id_hash: &str) -> Result<(), AppError> {
    login_session::Entity::delete_by_id(id_hash.to_string()).exec(db).await?;
    Ok(())
}

/// Ends every session of an account but `except` (the one asking, when it stays signed in).
pub async fn end_all(db: &impl ConnectionTrait, account_id: i32, except: Option<&str>) -> Result<u64, AppError> {
    let mut q = login_session::Entity::delete_many().filter(login_session::Column::AccountId.eq(account_id));
    if let Some(keep) = except {
        q = q.filter(login_session::Column::IdHash.ne(keep));
    }
    Ok(q.exec(db).await?.rows_affected)
}

/// Gives a session a new id (after a change of privilege) and returns the new token. The old
/// id stops working at once.
pub async fn rotate(
    db: &impl ConnectionTrait,
    id_hash: &str,
    acting_org: Option<Option<i32>>,
) -> Result<Option<Token>, AppError> {
    let Some(row) = login_session::Entity::find_by_id(id_hash.to_string()).one(db).await? else { return Ok(None) };
    let token = Token::generate();
    end(db, id_hash).await?;
    login_session::Entity::insert(login_session::ActiveModel {
        id_hash: Set(token.hash()),
        acting_org_id: Set(acting_org.unwrap_or(row.acting_org_id)),
        account_id: Set(row.account_id),
        created_at: Set(row.created_at),
        last_seen_at: Set(row.last_seen_at),
        expires_at: Set(row.expires_at),
        client: Set(row.client),
        user_agent: Set(row.user_agent),
    })
    .exec_without_returning(db)
    .await?;
    Ok(Some(token))
}

pub async fn list(
    db: &impl ConnectionTrait,
    account_id: i32,
    current: &str,
    now: i64,
) -> Result<Vec<SessionInfo>, AppError> {
    let rows = login_session::Entity::find()
        .filter(login_session::Column::AccountId.eq(account_id))
        .filter(login_session::Column::ExpiresAt.gt(now))
        .order_by_desc(login_session::Column::LastSeenAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionInfo {
            current: r.id_hash == current,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            client: r.client,
            user_agent: r.user_agent,
        })
        .collect())
}

/// Deletes sessions past their end (the server runs this on a schedule).
pub async fn prune(db: &impl ConnectionTrait, now: i64) -> Result<u64, AppError> {
    let r = login_session::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(login_session::Column::ExpiresAt.lte(now))
                .add(login_session::Column::CreatedAt.lte(now - ABSOLUTE_SECS)),
        )
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}
