//! How the dev host's SQLite answers as Nakama's PostgreSQL does where
//! SQLite would take what PostgreSQL refuses: text holding a NUL, JSON
//! with a `\u0000` in a string for a JSONB column, and text longer than
//! its `VARCHAR(n)` column.

use serde_json::Value;

/// `rusqlite::params!` with the parameters taken as PostgreSQL takes them
/// ([`pg_values`]), so that a query fails on the dev host where it fails
/// on Nakama's database. Every query of the tables Nakama keeps in
/// PostgreSQL binds its parameters through this.
macro_rules! pg_params {
    ($($p:expr),* $(,)?) => {
        $crate::db::pg::pg_values(&[$(&$p as &dyn rusqlite::ToSql),*])
    };
}
pub(crate) use pg_params;

/// `values` bound as PostgreSQL reads and writes them (each one a [`Pg`]):
/// text with a NUL and JSONB with a `\u0000` are refused when it reads
/// the parameters, whichever comes first; a [`Varchar`] too long only
/// when it writes the row, after all were read. So when one of `values`
/// is refused on reading, the first one bound fails with it.
pub fn pg_values<'a>(
    values: &'a [&'a dyn rusqlite::ToSql],
) -> rusqlite::ParamsFromIter<impl Iterator<Item = Pg<'a>>> {
    let on_reading = refused_on_reading(values);
    rusqlite::params_from_iter(
        values
            .iter()
            .enumerate()
            .map(move |(i, v)| match on_reading {
                Some(refused) if i == 0 => Pg::Refused(refused),
                _ => Pg::Value(*v),
            }),
    )
}

/// The refusal PostgreSQL meets first when given `values` as a query's
/// parameters, in its order ([`pg_values`]): for a check the dev host
/// makes before its own queries, where Nakama's one query would fail.
pub fn refusal(values: &[&dyn rusqlite::ToSql]) -> Option<Refused> {
    refused_on_reading(values).or_else(|| values.iter().find_map(|v| refused(*v)))
}

/// The first NUL (in text or JSONB) among `values`.
fn refused_on_reading(values: &[&dyn rusqlite::ToSql]) -> Option<Refused> {
    values
        .iter()
        .find_map(|v| refused(*v).filter(|r| matches!(r, Refused::Nul | Refused::JsonbNul)))
}

fn refused(value: &dyn rusqlite::ToSql) -> Option<Refused> {
    match rusqlite::ToSql::to_sql(&Pg::Value(value)) {
        Err(rusqlite::Error::ToSqlConversionFailure(e)) => e.downcast_ref::<Refused>().copied(),
        _ => None,
    }
}

/// What PostgreSQL answers a query given text that holds a NUL: its text
/// type keeps none, whatever the column or the use (a lookup fails as a
/// write does). Nakama passes it on to modules as it is; clients get the
/// call's own "Error ..." message.
pub const NUL_REFUSED: &str =
    "ERROR: invalid byte sequence for encoding \"UTF8\": 0x00 (SQLSTATE 22021)";

/// What PostgreSQL answers JSON for a JSONB column with a `\u0000` in a
/// string ([`has_nul`]).
pub const JSONB_NUL_REFUSED: &str = "ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)";

/// A query parameter: a value, which refuses text holding a NUL as
/// PostgreSQL does ([`NUL_REFUSED`]; SQLite would store and match it), or
/// the refusal another parameter of the query met ([`pg_values`]).
pub enum Pg<'a> {
    Value(&'a dyn rusqlite::ToSql),
    Refused(Refused),
}

impl rusqlite::ToSql for Pg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        let value = match self {
            Pg::Value(value) => value,
            Pg::Refused(refused) => return Err((*refused).into()),
        };
        let out = value.to_sql()?;
        if text_of(&out).is_some_and(|t| t.contains(&0)) {
            return Err(Refused::Nul.into());
        }
        Ok(out)
    }
}

/// A parameter for a JSONB column, JSON text refused as PostgreSQL refuses
/// it when a string holds a `\u0000` ([`JSONB_NUL_REFUSED`]); SQLite keeps
/// any text.
pub struct Jsonb<'a>(pub &'a dyn rusqlite::ToSql);

impl rusqlite::ToSql for Jsonb<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        let out = self.0.to_sql()?;
        let refused = text_of(&out).is_some_and(|t| {
            t.windows(6).any(|w| w == b"\\u0000")
                && serde_json::from_slice::<Value>(t).is_ok_and(|v| has_nul(&v))
        });
        if refused {
            return Err(Refused::JsonbNul.into());
        }
        Ok(out)
    }
}

/// A parameter for a `VARCHAR(n)` column of Nakama's schema: text longer
/// than `n` characters is refused as PostgreSQL refuses it
/// ([`too_long`]), but for trailing spaces, which it cuts off. SQLite
/// keeps any length.
pub struct Varchar<'a>(pub usize, pub &'a dyn rusqlite::ToSql);

impl rusqlite::ToSql for Varchar<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        let out = self.1.to_sql()?;
        let Some(text) = text_of(&out).and_then(|t| std::str::from_utf8(t).ok()) else {
            return Ok(out);
        };
        let Some((cut, _)) = text.char_indices().nth(self.0) else {
            return Ok(out);
        };
        // Found on reading, before the length ([`pg_values`]).
        if text.contains('\0') {
            return Err(Refused::Nul.into());
        }
        if !text[cut..].bytes().all(|b| b == b' ') {
            return Err(Refused::TooLong(self.0).into());
        }
        let kept = text[..cut].to_string();
        Ok(rusqlite::types::ToSqlOutput::Owned(kept.into()))
    }
}

/// A BIGINT the query computes, `None` where PostgreSQL's arithmetic
/// leaves the type ([`Refused::OutOfRange`]; SQLite's would go on in
/// floating point). Computed in the expressions of the row, so refused
/// after the parameters were read and after the columns before it in the
/// table (bind it after them).
pub struct Bigint(pub Option<i64>);

impl rusqlite::ToSql for Bigint {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self.0 {
            Some(n) => Ok(n.into()),
            None => Err(Refused::OutOfRange.into()),
        }
    }
}

/// What PostgreSQL answers text longer than its `VARCHAR(width)` column.
pub fn too_long(width: usize) -> String {
    format!("ERROR: value too long for type character varying({width}) (SQLSTATE 22001)")
}

/// What PostgreSQL answers a row of `table` whose `column` names a user
/// that is none: the column references `users` in Nakama's schema (the
/// dev host checks it before writing).
pub fn no_such_user(table: &str, column: &str) -> String {
    format!("ERROR: insert or update on table \"{table}\" violates foreign key constraint \"{table}_{column}_fkey\" (SQLSTATE 23503)")
}

fn text_of<'a>(out: &'a rusqlite::types::ToSqlOutput<'_>) -> Option<&'a [u8]> {
    use rusqlite::types::{ToSqlOutput, Value as Sql, ValueRef};
    match out {
        ToSqlOutput::Borrowed(ValueRef::Text(t)) => Some(t),
        ToSqlOutput::Owned(Sql::Text(t)) => Some(t.as_bytes()),
        _ => None,
    }
}

/// Why a [`Pg`], [`Jsonb`], [`Varchar`] or [`Bigint`] parameter was
/// refused.
#[derive(Debug, Clone, Copy)]
pub enum Refused {
    Nul,
    JsonbNul,
    TooLong(usize),
    OutOfRange,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Nul => f.write_str(NUL_REFUSED),
            Refused::JsonbNul => f.write_str(JSONB_NUL_REFUSED),
            Refused::TooLong(width) => f.write_str(&too_long(*width)),
            Refused::OutOfRange => f.write_str("ERROR: bigint out of range (SQLSTATE 22003)"),
        }
    }
}

impl std::error::Error for Refused {}

impl From<Refused> for rusqlite::Error {
    fn from(r: Refused) -> Self {
        rusqlite::Error::ToSqlConversionFailure(Box::new(r))
    }
}

/// Whether a string of `v` holds a NUL, which PostgreSQL's JSONB refuses
/// ("unsupported Unicode escape sequence").
pub fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(has_nul),
        Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}
