//! Apps: a developer organization describes each app once (RFC 7591 metadata, every field
//! parsed by `AppForm::parse`); every change that alters the metadata is a new version, kept
//! with the fields it changed, so a payer sees what changed since it approved a version.
use crate::error::AppError;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{client_app, client_app_version, organization};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::types::accounts::FormErrors;
use crate::types::app_metadata::{AppForm, AppMetadata, AppPage, AppSummary, AppVersionInfo, NewAppPage};
pub mod attestations;
pub mod lifecycle;
mod mails;
pub mod public;
pub mod review;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionSession, TransactionTrait,
};

/// Apps one organization may register.
pub const MAX_APPS: u64 = 100;
/// Versions an app's page lists.
const VERSIONS_LISTED: u64 = 50;

pub enum SaveOutcome {
    Saved {
        app_id: i32,
        version: i32,
    },
    /// The form changed nothing: no new version.
    Unchanged {
        app_id: i32,
    },
    Invalid(FormErrors),
}

pub(super) async fn org_of(db: &impl ConnectionTrait, id: i32) -> Result<organization::Model, AppError> {
    organization::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no organization {id}")))
}

/// The app, if it belongs to `org_id` (another organization's app is "not found", so ids do not
/// tell outsiders which apps exist).
pub(super) async fn app_of(db: &impl ConnectionTrait, org_id: i32, app_id: i32) -> Result<client_app::Model, AppError> {
    client_app::Entity::find_by_id(app_id)
        .one(db)
        .await?
        .filter(|a| a.organization_id == org_id)
        .ok_or_else(|| AppError::NotFound(format!("there is no app {app_id} here")))
}

pub(super) async fn current(db: &impl ConnectionTrait, app: &client_app::Model) -> Result<AppMetadata, AppError> {
    metadata_at(db, app.id, app.current_version).await
}

/// The app's metadata as it was in one version (what an attestation was reviewed against).
pub(crate) async fn metadata_at(db: &impl ConnectionTrait, app_id: i32, version: i32) -> Result<AppMetadata, AppError> {
    let row = client_app_version::Entity::find()
        .filter(client_app_version::Column::AppId.eq(app_id))
        .filter(client_app_version::Column::Version.eq(version))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(format!("app {app_id} has no version {version}")))?;
    serde_json::from_str(&row.metadata).map_err(|e| AppError::Internal(format!("app {app_id} metadata: {e}")))
}

async fn insert_version(
    db: &impl ConnectionTrait,
    app_id: i32,
    version: i32,
    m: &AppMetadata,
    changed: &[&str],
    by: Option<i32>,
    now: i64,
) -> Result<(), AppError> {
    client_app_version::Entity::insert(client_app_version::ActiveModel {
        app_id: Set(app_id),
        version: Set(version),
        metadata: Set(serde_json::to_string(m).map_err(|e| AppError::Internal(e.to_string()))?),
        changed: Set(serde_json::to_string(changed).unwrap_or_else(|_| "[]".into())),
        created_at: Set(now),
        created_by: Set(by),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Registers a new app for the organization: version 1.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    form: &AppForm,
    now: i64,
) -> Result<SaveOutcome, AppError> {
    let org = org_of(db, org_id).await?;
    policy::manage_apps(actor, org_id, org.kind)?;
    let m = match form.parse() {
        Ok(m) => m,
        Err(e) => return Ok(SaveOutcome::Invalid(e)),
    };
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    // The organization's row, locked: two creations at once count against the limit in turn.
    organization::Entity::find_by_id(org_id).lock_exclusive().one(&txn).await?;
    let count = client_app::Entity::find().filter(client_app::Column::OrganizationId.eq(org_id)).count(&txn).await?;
    if count >= MAX_APPS {
        return Err(AppError::Conflict(format!("an organization registers at most {MAX_APPS} apps")));
    }
    let app = client_app::ActiveModel {
        organization_id: Set(org_id),
        client_name: Set(m.client_name.clone()),
        current_version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        created_by: Set(actor.account_id()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    insert_version(&txn, app.id, 1, &m, &[], actor.account_id(), now).await?;
    audit::record(
        &txn,
        actor,
        AuditAction::AppCreate,
        Target::new("app", app.id),
        None,
        Some(serde_json::json!({"organization": org_id, "client_name": m.client_name, "version": 1})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(SaveOutcome::Saved { app_id: app.id, version: 1 })
}

/// Saves the form as the app's next version, when it changes anything.
pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    org_id: i32,
    app_id: i32,
    form: &AppForm,
    base: &str,
    now: i64,
) -> Result<SaveOutcome, AppError> {
    let org = org_of(db, org_id).await?;
    policy::manage_apps(actor, org_id, org.kind)?;
    app_of(db, org_id, app_id).await?;
    let m = match form.parse() {
        Ok(m) => m,
        Err(e) => return Ok(SaveOutcome::Invalid(e)),
    };
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    // Locked: two saves at once number their versions one after the other.
    let app = client_app::Entity::find_by_id(app_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|a| a.organization_id == org_id)
        .ok_or_else(|| AppError::NotFound(format!("there is no app {app_id} here")))?;
    let before = current(&txn, &app).await?;
    let changed = m.changed_fields(&before);
    if changed.is_empty() {
        return Ok(SaveOutcome::Unchanged { app_id });
    }
    let version = app.current_version + 1;
    insert_version(&txn, app_id, version, &m, &changed, actor.account_id(), now).await?;
    review::flag_app_change(&txn, &app, &before, &m, version, base, now).await?;
    let mut am: client_app::ActiveModel = app.into();
    am.current_version = Set(version);
    am.client_name = Set(m.client_name.clone());
    am.updated_at = Set(now);
    am.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        AuditAction::AppUpdate,
        Target::new("app", app_id),
        Some(serde_json::json!({"version": version - 1})),
        Some(serde_json::json!({"version": version, "changed": changed})),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(SaveOutcome::Saved { app_id, version })
}

/// The organization's apps, newest change first (members and admins).
pub async fn of_org(db: &impl ConnectionTrait, actor: &Actor, org_id: i32) -> Result<Vec<AppSummary>, AppError> {
    policy::view_app(actor, org_id)?;
    Ok(client_app::Entity::find()
        .filter(client_app::Column::OrganizationId.eq(org_id))
        .order_by_desc(client_app::Column::UpdatedAt)
        .limit(MAX_APPS)
        .all(db)
        .await?
        .into_iter()
        .map(|a| AppSummary {
            id: a.id,
            client_name: a.client_name,
            version: a.current_version,
            updated_at: a.updated_at,
        })
        .collect())
}

/// The new-app form's page (members of a developer organization).
pub async fn new_page(db: &impl ConnectionTrait, actor: &Actor, org_id: i32) -> Result<NewAppPage, AppError> {
    let org = org_of(db, org_id).await?;
    policy::manage_apps(actor, org_id, org.kind)?;
    Ok(NewAppPage { organization_id: org_id, organization: org.name })
}

/// The app's page: metadata, the form, versions and the registration request.
pub async fn page(db: &impl ConnectionTrait, actor: &Actor, org_id: i32, app_id: i32) -> Result<AppPage, AppError> {
    let org = org_of(db, org_id).await?;
    policy::view_app(actor, org_id)?;
    let app = app_of(db, org_id, app_id).await?;
    let metadata = current(db, &app).await?;
    let versions = client_app_version::Entity::find()
        .select_only()
        .columns([
            client_app_version::Column::Version,
            client_app_version::Column::CreatedAt,
            client_app_version::Column::Changed,
        ])
        .filter(client_app_version::Column::AppId.eq(app_id))
        .order_by_desc(client_app_version::Column::Version)
        .limit(VERSIONS_LISTED)
        .into_tuple::<(i32, i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(version, created_at, changed)| AppVersionInfo {
            version,
            created_at,
            changed: serde_json::from_str(&changed).unwrap_or_default(),
        })
        .collect();
    let registration_request = serde_json::to_string_pretty(&metadata.registration_request()).unwrap_or_default();
    Ok(AppPage {
        id: app.id,
        organization_id: org_id,
        organization: org.name,
        version: app.current_version,
        form: AppForm::of(&metadata),
        metadata,
        versions,
        registration_request,
        can_edit: policy::manage_apps(actor, org_id, org.kind).is_ok(),
    })
}

/// What an app exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// The RFC 7591 registration request.
    Registration,
    /// The claims of an unsigned UDAP software statement.
    UdapClaims,
}

pub async fn export(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org_id: i32,
    app_id: i32,
    which: Export,
) -> Result<serde_json::Value, AppError> {
    policy::view_app(actor, org_id)?;
    let app = app_of(db, org_id, app_id).await?;
    let m = current(db, &app).await?;
    Ok(match which {
        Export::Registration => m.registration_request(),
        Export::UdapClaims => m.udap_claims(),
    })
}
