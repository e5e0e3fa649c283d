//! Raw SQL shared by both backends, for the statements sea-orm's builder cannot express
//! (`FOR UPDATE SKIP LOCKED`, `UPDATE … RETURNING` over a subquery).
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

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
