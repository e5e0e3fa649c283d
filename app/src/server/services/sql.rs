//! Raw SQL shared by both backends, for the statements sea-orm's builder cannot express
//! (`FOR UPDATE SKIP LOCKED`, `UPDATE … RETURNING` over a subquery).
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, Value};

/// Raw SQL in this crate numbers its parameters `$1`.. (PostgreSQL's form); SQLite takes `?`
/// in order of appearance, so the values are reordered to match.
pub(crate) fn statement(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        return Statement::from_sql_and_values(backend, sql, values);
    }
    let mut out = String::with_capacity(sql.len());
    let mut ordered = Vec::with_capacity(values.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut n = 0usize;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n * 10 + d as usize;
                chars.next();
            }
            // Only this crate's own SQL comes here, numbered from $1.
            if let Some(v) = n.checked_sub(1).and_then(|i| values.get(i)) {
                ordered.push(v.clone());
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    Statement::from_sql_and_values(backend, out, ordered)
}

/// Leases up to `limit` rows of `table` that are due (`due_column <= now`, plus `extra`
/// conditions) and not leased by anyone alive, until `now + lease_secs`; returns their ids.
/// Several instances on one PostgreSQL never get the same row (`FOR UPDATE SKIP LOCKED`).
pub(crate) async fn lease_due(
    db: &DatabaseConnection,
    table: &str,
    due_column: &str,
    extra: &str,
    now: i64,
    lease_secs: i64,
    limit: u64,
) -> Result<Vec<i64>, DbErr> {
    let lock = if db.get_database_backend() == DbBackend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE {table} SET lease_until = $1 WHERE id IN (\
         SELECT id FROM {table} WHERE {due_column} <= $2{extra} \
         AND (lease_until IS NULL OR lease_until < $2) ORDER BY {due_column}, id LIMIT $3{lock}) RETURNING id"
    );
    let values: Vec<Value> = vec![(now + lease_secs).into(), now.into(), (limit as i64).into()];
    let rows = db.query_all_raw(statement(db, &sql, values)).await?;
    // The id column is a 32-bit integer in some tables and 64-bit in others.
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "id").ok().or_else(|| r.try_get::<i32>("", "id").ok().map(i64::from)))
        .collect())
}

/// Makes a fresh SQLite transaction a writer at once, waiting (busy timeout) for any other
/// writer to finish. Without it, a transaction that reads first fails with "database is locked"
/// the moment it tries to write while another connection or process (the poller, the mailer, a
/// `signpost import`) is writing. PostgreSQL needs nothing.
pub(crate) async fn begin_writing<C: ConnectionTrait>(txn: &C) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Sqlite {
        txn.execute_unprepared("UPDATE meta SET value = value WHERE key = 'directory_version'").await?;
    }
    Ok(())
}
