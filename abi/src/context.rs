//! The runtime context of one call, as it crosses the boundary (JSON).
//!
//! Field names are the keys of Nakama's runtime context (`RUNTIME_CTX_*`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

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

/// Execution modes a host puts in [`ContextData::execution_mode`].
pub mod mode {
    pub const RUN_ONCE: &str = "run_once";
    pub const RPC: &str = "rpc";
    pub const BEFORE: &str = "before";
    pub const AFTER: &str = "after";
}

#[cfg(test)]
mod tests {
    use super::*;

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
