use app::error::AppError;
use app::server::services::brands::directory_version;
use axum::Json;
use axum::extract::State;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

/// Liveness that proves the database answers.
pub async fn health(State(db): State<DatabaseConnection>) -> Result<Json<Value>, AppError> {
    let version = directory_version(&db).await?;
    Ok(Json(json!({"status": "ok", "directory_version": version})))
}
