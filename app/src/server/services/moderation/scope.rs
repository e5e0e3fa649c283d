//! Who moderates which brand: admins every brand; members of the payer organization whose
//! claim is in force on a brand (or its parent at the same domain), that brand.
use crate::error::AppError;
use crate::server::policy::{self, Actor};
use crate::server::services::publishing::claims::{maintained_brands, maintainer_org};
use sea_orm::ConnectionTrait;

/// `policy::moderate` for the brand (`None`: no brand, such as a proposed new one).
pub async fn may_moderate(db: &impl ConnectionTrait, actor: &Actor, brand: Option<i32>) -> Result<(), AppError> {
    policy::moderate(actor, maintainer_org(db, brand).await?)
}

/// The brands the actor moderates: `None` for every brand (admins), else those its
/// organizations maintain; refused when that is none.
pub async fn moderated_brands(db: &impl ConnectionTrait, actor: &Actor) -> Result<Option<Vec<i32>>, AppError> {
    if policy::moderate(actor, None).is_ok() {
        return Ok(None);
    }
    let orgs: Vec<i32> = actor.viewer.as_ref().map(|v| v.orgs.iter().map(|o| o.id).collect()).unwrap_or_default();
    let brands = maintained_brands(db, &orgs).await?;
    match brands.first() {
        Some(&b) => {
            // The same policy answers for one of them as for the list.
            policy::moderate(actor, maintainer_org(db, Some(b)).await?)?;
            Ok(Some(brands))
        }
        None => policy::moderate(actor, None).map(|()| None),
    }
}
