//! What the typed-client generators share: how a JSON Schema that
//! schemars writes maps onto a class, a set of string constants, or
//! neither; and the naming helpers they share.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

/// How a `$defs` entry is generated.
pub(super) enum Kind {
    Class,
    Names,
    Other,
}

pub(super) fn classify(s: &Value) -> Kind {
    if is_plain_object(s) || shape_properties(s).is_some() {
        Kind::Class
    } else if is_string_value(s) && !string_values(s).is_empty() {
        Kind::Names
    } else {
        Kind::Other
    }
}

pub(super) fn has_properties(o: &Map<String, Value>) -> bool {
    o.get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
}

/// An object schema with named properties and nothing that makes it more.
pub(super) fn is_plain_object(s: &Value) -> bool {
    let Some(o) = s.as_object() else {
        return false;
    };
    let object = match o.get("type") {
        Some(Value::String(t)) => t == "object",
        None => true,
        _ => false,
    };
    object
        && has_properties(o)
        && !["$ref", "oneOf", "anyOf", "allOf", "enum", "const"]
            .iter()
            .any(|k| o.contains_key(*k))
}

/// The merged properties of a serde enum whose every shape (`oneOf` or
/// `anyOf`, no null) is a plain object: each optional; one that differs
/// between shapes is any JSON, but a tag (a string constant in each
/// shape) is a `string`.
pub(super) fn shape_properties(s: &Value) -> Option<Map<String, Value>> {
    let parts = s.get("oneOf").or_else(|| s.get("anyOf"))?.as_array()?;
    if parts.len() < 2 || !parts.iter().all(is_plain_object) {
        return None;
    }
    let mut seen: Map<String, Value> = Map::new();
    let mut differs = BTreeSet::new();
    for p in parts {
        for (name, schema) in p["properties"].as_object()? {
            match seen.get(name) {
                None => {
                    seen.insert(name.clone(), schema.clone());
                }
                Some(first) if without_docs(first) == without_docs(schema) => {}
                Some(_) => {
                    differs.insert(name.clone());
                }
            }
        }
    }
    for name in differs {
        let all_strings = parts.iter().all(|p| {
            p["properties"]
                .get(&name)
                .is_none_or(|s| s.get("const").is_some_and(Value::is_string) || is_string_value(s))
        });
        let merged = if all_strings {
            json!({ "type": "string", "description": "Which shape this is." })
        } else {
            json!({ "description": "Differs between the shapes: any JSON." })
        };
        seen.insert(name, merged);
    }
    Some(seen)
}

pub(super) fn without_docs(s: &Value) -> Value {
    let mut s = s.clone();
    if let Value::Object(o) = &mut s {
        o.remove("description");
    }
    s
}

/// A string constant, a string enum, or a choice of those.
pub(super) fn is_string_value(s: &Value) -> bool {
    if s.get("const").is_some_and(Value::is_string) {
        return true;
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return !e.is_empty() && e.iter().all(Value::is_string);
    }
    match s
        .get("oneOf")
        .or_else(|| s.get("anyOf"))
        .and_then(Value::as_array)
    {
        Some(parts) => !parts.is_empty() && parts.iter().all(is_string_value),
        None => false,
    }
}

/// The values of a string enum, each with its docs.
pub(super) fn string_values(s: &Value) -> Vec<(String, String)> {
    let docs = |s: &Value| {
        s.get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    if let Some(c) = s.get("const").and_then(Value::as_str) {
        return vec![(c.to_string(), docs(s))];
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .filter_map(Value::as_str)
            .map(|v| (v.to_string(), String::new()))
            .collect();
    }
    s.get("oneOf")
        .or_else(|| s.get("anyOf"))
        .and_then(Value::as_array)
        .map(|parts| parts.iter().flat_map(string_values).collect())
        .unwrap_or_default()
}

pub(super) fn is_null(s: &&Value) -> bool {
    s.get("type").and_then(Value::as_str) == Some("null")
        || s.get("const").is_some_and(Value::is_null)
}

pub(super) fn unique(name: String, used: &mut BTreeSet<String>) -> String {
    let mut n = name.clone();
    let mut i = 2;
    while !used.insert(n.clone()) {
        n = format!("{name}{i}");
        i += 1;
    }
    n
}

/// `max_players` -> `MaxPlayers`, `matchId` -> `MatchId`.
pub(super) fn pascal(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

pub(super) fn push_paragraph(docs: &mut String, paragraph: &str) {
    if !docs.is_empty() {
        docs.push_str("\n\n");
    }
    docs.push_str(paragraph);
}

/// The `$defs` name a property refers to, alone or as the one choice
/// besides null (`Option<Role>`).
pub(super) fn nullable_ref(s: &Value) -> Option<&str> {
    let r = s.get("$ref").and_then(Value::as_str).or_else(|| {
        let parts = s.get("anyOf").or_else(|| s.get("oneOf"))?.as_array()?;
        match parts.iter().filter(|p| !is_null(p)).collect::<Vec<_>>()[..] {
            [one] => one.get("$ref")?.as_str(),
            _ => None,
        }
    })?;
    super::ref_name(r)
}
