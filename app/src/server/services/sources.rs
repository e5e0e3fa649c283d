//! The sources of the directory as an operator manages them: listed with their ids, and removed
//! with everything only they provided, in one transaction.
use super::sql::begin_writing;
use crate::server::entities::{brand, bundle_feed, endpoint, source, subscription};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

/// Every source, oldest first.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<source::Model>, DbErr> {
    source::Entity::find().order_by_asc(source::Column::Id).all(db).await
}

/// What removing a source took away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    pub brands: u64,
    pub endpoints: u64,
}

/// Removes a source: its brands, portals and endpoints (with their health history, by the
/// schema's cascades), the subscriptions to them, and its feed, so it is not fetched again.
/// `None` when there is no such source.
pub async fn remove(db: &DatabaseConnection, id: i32) -> Result<Option<Removed>, DbErr> {
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let Some(src) = source::Entity::find_by_id(id).one(&txn).await? else {
        txn.rollback().await?;
        return Ok(None);
    };
    if src.location == super::moderation::apply::COMMUNITY {
        txn.rollback().await?;
        return Err(DbErr::Custom(
            "the community source holds what people proposed and moderators approved; it is not removed".into(),
        ));
    }
    let brand_ids: Vec<i32> = brand::Entity::find()
        .select_only()
        .column(brand::Column::Id)
        .filter(brand::Column::SourceId.eq(id))
        .into_tuple::<i32>()
        .all(&txn)
        .await?;
    let endpoint_ids: Vec<i32> = endpoint::Entity::find()
        .select_only()
        .column(endpoint::Column::Id)
        .filter(endpoint::Column::SourceId.eq(id))
        .into_tuple::<i32>()
        .all(&txn)
        .await?;
    for (kind, targets) in [("brand", &brand_ids), ("endpoint", &endpoint_ids)] {
        for chunk in targets.chunks(500) {
            subscription::Entity::delete_many()
                .filter(
                    Condition::all()
                        .add(subscription::Column::TargetKind.eq(kind))
                        .add(subscription::Column::TargetId.is_in(chunk.to_vec())),
                )
                .exec(&txn)
                .await?;
        }
    }
    bundle_feed::Entity::delete_many().filter(bundle_feed::Column::Url.eq(src.location.as_str())).exec(&txn).await?;
    source::Entity::delete_by_id(id).exec(&txn).await?;
    super::brands::bump_directory_version(&txn).await?;
    txn.commit().await?;
    Ok(Some(Removed { brands: brand_ids.len() as u64, endpoints: endpoint_ids.len() as u64 }))
}
