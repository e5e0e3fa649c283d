//! Loading the records a list names by id, one query per kind, for pages that show many rows.
use crate::error::AppError;
use crate::server::entities::{account, brand, client_app, organization};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;

/// Organizations' names by id.
pub async fn org_names(db: &impl ConnectionTrait, ids: Vec<i32>) -> Result<HashMap<i32, String>, AppError> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// Brands' names by id.
pub async fn brand_names(db: &impl ConnectionTrait, ids: Vec<i32>) -> Result<HashMap<i32, String>, AppError> {
    Ok(brand::Entity::find()
        .filter(brand::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect())
}

/// Accounts' addresses by id.
pub async fn account_emails(db: &impl ConnectionTrait, ids: Vec<i32>) -> Result<HashMap<i32, String>, AppError> {
    Ok(account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.email))
        .collect())
}

/// Apps by id.
pub async fn apps(db: &impl ConnectionTrait, ids: Vec<i32>) -> Result<HashMap<i32, client_app::Model>, AppError> {
    Ok(client_app::Entity::find()
        .filter(client_app::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}
