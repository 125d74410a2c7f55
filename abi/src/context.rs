//! The runtime context of one call, as it crosses the boundary (JSON).
//!
//! Field names are the keys of Nakama's runtime context (`RUNTIME_CTX_*`).

use std::collections::HashMap;

use abi_stable::std_types::{RNone, ROption, RSome, RStr};
use serde::{Deserialize, Serialize};

use crate::ffi::FfiContext;

/// Everything Nakama's runtime context holds for a call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContextData {
    /// `runtime.env` as a map.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub env: HashMap<String, String>,
    /// `rpc`, `before`, `after`, `run_once`, ...
    pub execution_mode: String,
    pub node: String,
    pub version: String,
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub headers: HashMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub query_params: HashMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vars: Option<HashMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_session_exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_port: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

/// What [`crate::ffi::HostVTable::context_maps`] answers: the call's
/// headers and query params, for a host that leaves them out of the
/// [`FfiContext`] (ABI 1.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestMaps {
    pub headers: HashMap<String, Vec<String>>,
    pub query_params: HashMap<String, Vec<String>>,
}

impl RequestMaps {
    /// Decodes a host's answer; empty (the host sent them in the context)
    /// or malformed is no maps, as a malformed context map is.
    pub fn decode(json: &str) -> RequestMaps {
        decode_map(json)
    }
}

/// The JSON text of a context's maps, kept by the host while a call runs
/// (the [`FfiContext`] borrows it).
#[derive(Debug, Default)]
pub struct ContextMaps {
    env: String,
    headers: String,
    query_params: String,
    vars: Option<String>,
}

impl ContextMaps {
    /// Maps already encoded as JSON objects (empty string: no entries;
    /// `vars` `None`: no session). Not checked: a module decodes a bad
    /// map as empty.
    pub fn from_json(
        env: String,
        headers: String,
        query_params: String,
        vars: Option<String>,
    ) -> ContextMaps {
        ContextMaps {
            env,
            headers,
            query_params,
            vars,
        }
    }

    /// The env map's JSON (empty for no env).
    pub fn env_json(&self) -> &str {
        &self.env
    }

    /// Replaces the env JSON: a host gives every call the env it encoded
    /// once at init instead of encoding it per call.
    pub fn set_env_json(&mut self, json: &str) {
        json.clone_into(&mut self.env);
    }
}

fn map_json<T: Serialize>(map: &HashMap<String, T>) -> String {
    if map.is_empty() {
        String::new()
    } else {
        serde_json::to_string(map).unwrap_or_default()
    }
}

fn ropt(v: &Option<String>) -> ROption<RStr<'_>> {
    match v {
        Some(s) => RSome(RStr::from_str(s)),
        None => RNone,
    }
}

fn opt(v: ROption<RStr<'_>>) -> Option<String> {
    v.into_option().map(|s| s.as_str().to_string())
}

fn decode_map<T: serde::de::DeserializeOwned + Default>(json: &str) -> T {
    if json.is_empty() {
        T::default()
    } else {
        serde_json::from_str(json).unwrap_or_default()
    }
}

impl ContextData {
    /// Encodes the maps (only those that are not empty).
    pub fn encode_maps(&self) -> ContextMaps {
        ContextMaps {
            env: map_json(&self.env),
            headers: map_json(&self.headers),
            query_params: map_json(&self.query_params),
            vars: self.vars.as_ref().map(map_json),
        }
    }

    /// The FFI view of this context, borrowing `self` and `maps` (from
    /// [`ContextData::encode_maps`]).
    pub fn as_ffi<'a>(&'a self, maps: &'a ContextMaps) -> FfiContext<'a> {
        FfiContext {
            execution_mode: RStr::from_str(&self.execution_mode),
            node: RStr::from_str(&self.node),
            version: RStr::from_str(&self.version),
            user_id: ropt(&self.user_id),
            username: ropt(&self.username),
            user_session_exp: self.user_session_exp.into(),
            session_id: ropt(&self.session_id),
            lang: ropt(&self.lang),
            client_ip: ropt(&self.client_ip),
            client_port: ropt(&self.client_port),
            trace_id: ropt(&self.trace_id),
            env_json: RStr::from_str(&maps.env),
            headers_json: RStr::from_str(&maps.headers),
            query_params_json: RStr::from_str(&maps.query_params),
            vars_json: ropt(&maps.vars),
            extra_json: RStr::from_str(""),
        }
    }

    /// Decodes an FFI context completely.
    pub fn from_ffi(c: &FfiContext<'_>) -> ContextData {
        ContextData {
            env: decode_map(c.env_json.as_str()),
            execution_mode: c.execution_mode.as_str().to_string(),
            node: c.node.as_str().to_string(),
            version: c.version.as_str().to_string(),
            headers: decode_map(c.headers_json.as_str()),
            query_params: decode_map(c.query_params_json.as_str()),
            user_id: opt(c.user_id),
            username: opt(c.username),
            vars: c.vars_json.into_option().map(|v| decode_map(v.as_str())),
            user_session_exp: c.user_session_exp.into_option(),
            session_id: opt(c.session_id),
            lang: opt(c.lang),
            client_ip: opt(c.client_ip),
            client_port: opt(c.client_port),
            trace_id: opt(c.trace_id),
        }
    }
}

/// Decodes one of [`FfiContext`]'s map fields (empty text = empty map).
pub fn decode_context_map<T: serde::de::DeserializeOwned + Default>(json: &str) -> T {
    decode_map(json)
}

/// Execution modes a host puts in [`ContextData::execution_mode`].
pub mod mode {
    pub const RUN_ONCE: &str = "run_once";
    pub const RPC: &str = "rpc";
    pub const BEFORE: &str = "before";
    pub const AFTER: &str = "after";
    /// A match handler's calls (ABI 1.4).
    pub const MATCH: &str = "match";
    /// The matchmaker's matched hook (ABI 1.5).
    pub const MATCHMAKER: &str = "matchmaker";
    /// Event handlers (ABI 1.7).
    pub const EVENT: &str = "event";
    /// The leaderboard scheduler's callbacks (ABI 1.7).
    pub const TOURNAMENT_END: &str = "tournament_end";
    pub const TOURNAMENT_RESET: &str = "tournament_reset";
    pub const LEADERBOARD_RESET: &str = "leaderboard_reset";
    /// The stores' notification callbacks (ABI 1.13).
    pub const PURCHASE_NOTIFICATION_APPLE: &str = "purchase_notification_apple";
    pub const SUBSCRIPTION_NOTIFICATION_APPLE: &str = "subscription_notification_apple";
    pub const PURCHASE_NOTIFICATION_GOOGLE: &str = "purchase_notification_google";
    pub const SUBSCRIPTION_NOTIFICATION_GOOGLE: &str = "subscription_notification_google";
    /// Custom HTTP handlers (ABI 1.8). Not one of Nakama's modes: a Go
    /// handler gets the bare request, no runtime context at all.
    pub const HTTP: &str = "http";
    /// The shutdown hook (ABI 1.8).
    pub const SHUTDOWN: &str = "shutdown";
    /// A storage index filter (ABI 1.9), as Nakama names it.
    pub const STORAGE_INDEX_FILTER: &str = "storage_index_filter";
    /// The matchmaker's override and processor (ABI 1.9).
    pub const MATCHMAKER_OVERRIDE: &str = "matchmaker_override";
    pub const MATCHMAKER_PROCESSOR: &str = "matchmaker_processor";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffi_view_round_trips() {
        let mut ctx = ContextData {
            execution_mode: "rpc".into(),
            node: "n".into(),
            user_id: Some("u".into()),
            user_session_exp: Some(42),
            vars: Some(HashMap::from([("k".to_string(), "v".to_string())])),
            ..Default::default()
        };
        ctx.headers
            .insert("Accept".into(), vec!["a".into(), "b".into()]);
        let maps = ctx.encode_maps();
        let ffi = ctx.as_ffi(&maps);
        assert_eq!(ffi.env_json.as_str(), "", "empty maps are not encoded");
        assert_eq!(ContextData::from_ffi(&ffi), ctx);
    }

    #[test]
    fn empty_fields_are_left_out_and_round_trip() {
        let ctx = ContextData {
            execution_mode: "rpc".into(),
            node: "nakama".into(),
            user_id: Some("u".into()),
            ..Default::default()
        };
        let json = serde_json::to_string(&ctx).unwrap();
        assert!(!json.contains("headers"), "{json}");
        let back: ContextData = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ctx);
        let from_empty: ContextData = serde_json::from_str("{}").unwrap();
        assert_eq!(from_empty, ContextData::default());
    }
}
