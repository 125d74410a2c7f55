//! How the dev host's SQLite answers as Nakama's PostgreSQL does where
//! SQLite would take what PostgreSQL refuses: text holding a NUL, and
//! JSON with a `\u0000` in a string for a JSONB column.

use serde_json::Value;

/// `rusqlite::params!` with each parameter taken as PostgreSQL takes it
/// ([`Pg`]), so that a query fails on the dev host where it fails on
/// Nakama's database. Every query of the tables Nakama keeps in
/// PostgreSQL binds its parameters through this.
macro_rules! pg_params {
    ($($p:expr),* $(,)?) => {
        &[$(&$crate::db::pg::Pg(&$p) as &dyn rusqlite::ToSql),*] as &[&dyn rusqlite::ToSql]
    };
}
pub(crate) use pg_params;

/// Parameters gathered at run time, each taken as [`pg_params!`] takes
/// them.
pub(super) fn pg_values<'a>(
    values: &'a [&'a dyn rusqlite::ToSql],
) -> rusqlite::ParamsFromIter<impl Iterator<Item = Pg<'a>>> {
    rusqlite::params_from_iter(values.iter().map(|v| Pg(*v)))
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

/// A query parameter that refuses text holding a NUL, as PostgreSQL does
/// ([`NUL_REFUSED`]); SQLite would store and match it.
pub struct Pg<'a>(pub &'a dyn rusqlite::ToSql);

impl rusqlite::ToSql for Pg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        let out = self.0.to_sql()?;
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

fn text_of<'a>(out: &'a rusqlite::types::ToSqlOutput<'_>) -> Option<&'a [u8]> {
    use rusqlite::types::{ToSqlOutput, Value as Sql, ValueRef};
    match out {
        ToSqlOutput::Borrowed(ValueRef::Text(t)) => Some(t),
        ToSqlOutput::Owned(Sql::Text(t)) => Some(t.as_bytes()),
        _ => None,
    }
}

/// Why a [`Pg`] or [`Jsonb`] parameter was refused.
#[derive(Debug)]
pub(super) enum Refused {
    Nul,
    JsonbNul,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refused::Nul => NUL_REFUSED,
            Refused::JsonbNul => JSONB_NUL_REFUSED,
        })
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
