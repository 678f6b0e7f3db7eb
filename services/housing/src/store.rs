//! All SQL of the housing register.

use chrono::NaiveDate;
use deadpool_postgres::GenericClient;
use serde::Serialize;
use tokio_postgres::error::SqlState;

use crate::{Error, Result};

/// A building as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Building {
    /// BAG verblijfsobject id.
    pub bag_id: String,
    /// CBS municipality code.
    pub municipality: String,
    /// Housing provider (KvK number).
    pub provider_kvk: String,
    /// Street.
    pub street: String,
    /// House number.
    pub number: i32,
    /// Addition (a, bis, 2-hoog).
    pub addition: Option<String>,
    /// Postcode, 1234 AB.
    pub postcode: String,
    /// Place.
    pub place: String,
    /// dwelling | group_housing | employer_site | mobile_unit.
    pub building_type: String,
    /// Registered on.
    pub registered_on: NaiveDate,
    /// Total living area in hundredths of m², once reported.
    pub living_area: Option<i32>,
}

/// Registers a building; 409 when the BAG id is registered already.
pub async fn insert_building(c: &impl GenericClient, b: &Building) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into building (bag_id, municipality, provider_kvk, street, number, addition, postcode, place, building_type, registered_on)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &b.bag_id,
            &b.municipality,
            &b.provider_kvk,
            &b.street,
            &b.number,
            &b.addition,
            &b.postcode,
            &b.place,
            &b.building_type,
            &b.registered_on,
        ],
    )
    .await
    .map_err(|e| match e.as_db_error() {
        Some(db) if db.code() == &SqlState::UNIQUE_VIOLATION => Error::Conflict {
            slug: "building-exists",
            title: "Building already registered",
            detail: format!("Building {} is already registered.", b.bag_id),
        },
        _ => e.into(),
    })?;
    Ok(())
}

/// A building by BAG id; `lock` takes a row lock.
pub async fn building(c: &impl GenericClient, bag_id: &str, lock: bool) -> Result<Option<Building>> {
    let sql = format!(
        "select bag_id, municipality, provider_kvk, street, number, addition, postcode, place, building_type, registered_on, living_area
         from building where bag_id = $1{}",
        if lock { " for update" } else { "" }
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_opt(&stmt, &[&bag_id]).await?.map(|r| Building {
        bag_id: r.get(0),
        municipality: r.get(1),
        provider_kvk: r.get(2),
        street: r.get(3),
        number: r.get(4),
        addition: r.get(5),
        postcode: r.get(6),
        place: r.get(7),
        building_type: r.get(8),
        registered_on: r.get(9),
        living_area: r.get(10),
    }))
}

/// Replaces the building's rooms.
pub async fn replace_rooms(c: &impl GenericClient, bag_id: &str, bedrooms: &[i32], living_area: i32) -> Result<()> {
    let delete = c.prepare_cached("delete from bedroom where bag_id = $1").await?;
    c.execute(&delete, &[&bag_id]).await?;
    let insert = c.prepare_cached("insert into bedroom (bag_id, ordinal, area) values ($1, $2, $3)").await?;
    for (i, area) in bedrooms.iter().enumerate() {
        c.execute(&insert, &[&bag_id, &(i as i32), area]).await?;
    }
    let update = c.prepare_cached("update building set living_area = $2 where bag_id = $1").await?;
    c.execute(&update, &[&bag_id, &living_area]).await?;
    Ok(())
}

/// The building's bedroom areas, hundredths of m².
pub async fn bedrooms(c: &impl GenericClient, bag_id: &str) -> Result<Vec<i32>> {
    let stmt = c.prepare_cached("select area from bedroom where bag_id = $1 order by ordinal").await?;
    Ok(c.query(&stmt, &[&bag_id]).await?.iter().map(|r| r.get(0)).collect())
}
