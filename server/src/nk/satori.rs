//! The Satori nk functions (`satori_*`): a client of the Satori server
//! named by the `satori.*` settings, sending what Nakama 3.40.0's client
//! sends (`internal/satori/satori.go`: routes, bodies, basic auth with the
//! API key or a session token signed with the signing key, the server key
//! for the console API's direct messages, the `X-Forwarded-For` of the IP
//! address the module gives or else of the call's client, the retries of
//! `satori.retry_count`) and answering in its words.
//!
//! Unlike Nakama's, it keeps no per-call caches (Nakama answers a call's
//! second `properties_get` from the first whatever the identity).

use std::time::Duration;

use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::{BoxFuture, CallError};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{blocking, decode, encode};
use crate::log::Logger;

/// `satori.*`: Nakama's names and defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SatoriConfig {
    pub url: String,
    pub api_key_name: String,
    pub api_key: String,
    pub signing_key: String,
    /// For Satori's console API (direct messages); not checked with the
    /// others, as in Nakama.
    pub server_key: String,
    pub http_timeout_ms: u64,
    /// Retries of a request that failed in transport or that Satori
    /// answered 408, 429, 502, 503 or 504 (0 to 3).
    pub retry_count: i64,
}

/// What Nakama answers every Satori function without usable settings.
pub const NOT_CONFIGURED: &str = "satori configuration is invalid";

fn not_configured() -> CallError {
    CallError::new(Code::FailedPrecondition, NOT_CONFIGURED)
}

impl SatoriConfig {
    /// Nakama's check of the settings: none at all is no Satori; some
    /// but not all is invalid (Nakama logs it as a warning and answers
    /// every call [`NOT_CONFIGURED`], as the dev host does).
    pub fn problems(&self) -> Option<String> {
        let mut problems = Vec::new();
        if !self.url.is_empty() {
            for (value, name) in [
                (&self.api_key_name, "api_key_name"),
                (&self.api_key, "api_key"),
                (&self.signing_key, "signing_key"),
            ] {
                if value.trim().is_empty() {
                    problems.push(format!("{name} not set"));
                }
            }
        } else if !(self.api_key_name.is_empty()
            && self.api_key.is_empty()
            && self.signing_key.is_empty())
        {
            problems.push("Satori configuration incomplete: url not set".to_string());
        }
        (!problems.is_empty())
            .then(|| format!("Satori configuration invalid: {}.", problems.join(", ")))
    }

    fn usable(&self) -> bool {
        !self.url.is_empty() && self.problems().is_none()
    }
}

/// The dev host's Satori client (made only from usable settings).
#[derive(Clone)]
pub struct Satori {
    config: SatoriConfig,
    agent: ureq::Agent,
    /// Where retries are logged.
    log: Logger,
}

impl Satori {
    /// A client for usable settings, else none.
    pub fn new(config: SatoriConfig, log: Logger) -> Option<Satori> {
        if !config.usable() {
            return None;
        }
        let timeout = Duration::from_millis(config.http_timeout_ms.max(1));
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Some(Satori { config, agent, log })
    }
}

/// One request to Satori.
struct Request {
    method: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
    /// The API key (basic auth) or an identity's session token.
    auth: Auth,
    /// `X-Forwarded-For`.
    forwarded_for: Forward,
}

/// What a request's `X-Forwarded-For` says.
enum Forward {
    /// The call's client address (if it has one).
    Client,
    /// The address the module gave.
    Given(String),
    /// Nothing: the module gave an address that is not one.
    Nothing,
}

enum Auth {
    ApiKey,
    Identity(String),
    /// `satori.server_key`, for the console API.
    ServerKey,
}

impl Request {
    fn new(method: &'static str, path: impl Into<String>, auth: Auth) -> Request {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            auth,
            forwarded_for: Forward::Client,
        }
    }

    fn body(mut self, body: impl Serialize) -> Request {
        self.body = Some(serde_json::to_value(body).unwrap_or(Value::Null));
        self
    }

    fn query(mut self, key: &'static str, values: &[String]) -> Request {
        self.query.extend(values.iter().map(|v| (key, v.clone())));
        self
    }

    /// The address the module gave: it replaces the client's, and is
    /// forwarded only if it parses as an IP address (as Nakama does).
    fn ip(mut self, ip: &str) -> Request {
        if !ip.is_empty() {
            self.forwarded_for = match ip.parse::<std::net::IpAddr>() {
                Ok(ip) => Forward::Given(ip.to_string()),
                Err(_) => Forward::Nothing,
            };
        }
        self
    }
}

impl Satori {
    /// A session token for `id`, as Nakama signs it (HS256; `iid`, `exp`
    /// an hour on, `iat`, `api`).
    fn token(&self, id: &str) -> Result<String, CallError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let claims = json!({"iid": id, "exp": now + 3600, "iat": now, "api": self.config.api_key_name.trim()});
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(self.config.signing_key.trim().as_bytes()),
        )
        .map_err(|e| {
            CallError::new(
                Code::Internal,
                format!("Failed to generate token for Satori: {e}"),
            )
        })
    }

    /// Sends `r`, forwarding `client_ip` (the call's client address)
    /// unless the request names another, and answers Satori's body (200)
    /// or Nakama's words for anything else.
    fn send(&self, r: Request, client_ip: Option<&str>) -> Result<Vec<u8>, CallError> {
        // A key that is a UUID goes as basic auth, anything else as a
        // bearer token, as Nakama sends them.
        let key = |key: &str| {
            let key = key.trim();
            if uuid::Uuid::parse_str(key).is_ok() {
                use base64::Engine;
                let basic = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
                format!("Basic {basic}")
            } else {
                format!("Bearer {key}")
            }
        };
        let auth = match &r.auth {
            Auth::ApiKey => key(&self.config.api_key),
            Auth::ServerKey => key(&self.config.server_key),
            Auth::Identity(id) => format!("Bearer {}", self.token(id)?),
        };
        let mut url = format!("{}{}", self.config.url.trim_end_matches('/'), r.path);
        if !r.query.is_empty() {
            // Go's url.Values.Encode: keys sorted, values in order.
            let mut query = r.query.clone();
            query.sort_by_key(|(k, _)| *k);
            let mut q = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &query {
                q.append_pair(k, v);
            }
            url = format!("{url}?{}", q.finish());
        }
        let mut request = axum::http::Request::builder()
            .method(r.method)
            .uri(url.as_str())
            .header("Authorization", auth);
        let forwarded = match &r.forwarded_for {
            Forward::Given(ip) => Some(ip.as_str()),
            Forward::Nothing => None,
            Forward::Client => client_ip,
        };
        if let Some(ip) = forwarded {
            request = request.header("X-Forwarded-For", ip);
        }
        let body = match &r.body {
            Some(body) => {
                request = request.header("Content-Type", "application/json");
                body.to_string().into_bytes()
            }
            None => Vec::new(),
        };
        let request = request
            .body(body)
            .map_err(|e| CallError::new(Code::Internal, format!("satori request: {e}")))?;
        self.send_with_retries(request)
    }

    /// Nakama's retries (`satori.retry_count`): a transport error, or a
    /// 408, 429, 502, 503 or 504, is tried again after a backoff (200,
    /// 400, 800 ms, then 1 s, plus up to 100 ms; a 429 or 503's
    /// `Retry-After` seconds instead) until the retries are used up: then "retries
    /// exhausted: " and the last refusal (a transport error: its own).
    fn send_with_retries(
        &self,
        request: axum::http::Request<Vec<u8>>,
    ) -> Result<Vec<u8>, CallError> {
        let retries = self.config.retry_count.clamp(0, 3) as u32;
        let mut last = String::new();
        for attempt in 0..=retries {
            let mut response = match self.agent.run(request.clone()) {
                Ok(response) => response,
                Err(e) if attempt < retries => {
                    self.log.warn(
                        "retrying satori request",
                        &[
                            ("error", e.to_string().into()),
                            ("retry_count", attempt.into()),
                        ],
                    );
                    std::thread::sleep(backoff(attempt));
                    last = e.to_string();
                    continue;
                }
                Err(e) => return Err(CallError::new(Code::Internal, e.to_string())),
            };
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let body = response
                .body_mut()
                .read_to_vec()
                .map_err(|e| CallError::new(Code::Internal, e.to_string()))?;
            if status == 200 {
                return Ok(body);
            }
            let message = if body.is_empty() {
                format!("{status} status code")
            } else {
                format!("{status} status code: {}", String::from_utf8_lossy(&body))
            };
            if retries == 0 || !matches!(status, 408 | 429 | 502 | 503 | 504) {
                return Err(CallError::new(status_code(status), message));
            }
            let mut fields = vec![
                ("retry_count", attempt.into()),
                ("status_code", status.into()),
            ];
            if !body.is_empty() {
                fields.push(("response_body", String::from_utf8_lossy(&body).into()));
            }
            self.log.warn("retrying satori request", &fields);
            let delay = match retry_after {
                Some(secs) if matches!(status, 429 | 503) => Duration::from_secs(secs),
                _ => backoff(attempt),
            };
            std::thread::sleep(delay);
            last = message;
        }
        Err(CallError::new(
            Code::Unavailable,
            format!("retries exhausted: {last}"),
        ))
    }
}

/// Nakama's wait before retry `attempt` + 1.
fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(200 << attempt.min(3)).min(Duration::from_secs(1));
    base + Duration::from_millis(rand::random::<u64>() % 100)
}

/// The gRPC code of an HTTP status Satori refuses with, as the bridge
/// gives them (bridge/go/nksatori.go).
fn status_code(status: u16) -> Code {
    match status {
        400 => Code::InvalidArgument,
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 => Code::NotFound,
        408 | 504 => Code::DeadlineExceeded,
        409 => Code::AlreadyExists,
        412 => Code::FailedPrecondition,
        429 => Code::ResourceExhausted,
        501 => Code::Unimplemented,
        502 | 503 => Code::Unavailable,
        _ => Code::Internal,
    }
}

fn refused(message: &str) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

/// Satori's JSON answer read as `T` (empty: `T`'s default).
fn read<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, CallError> {
    if body.is_empty() {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| CallError::new(Code::Internal, e.to_string()))
}

/// Runs satori function `name`: `None` if it is not one.
pub(super) fn dispatch(
    satori: Option<&Satori>,
    name: &str,
    args: &[u8],
    client_ip: Option<String>,
) -> Option<BoxFuture<'static, Result<Vec<u8>, CallError>>> {
    if !name.starts_with("satori_") || !nk::ALL.contains(&name) {
        return None;
    }
    let Some(satori) = satori.cloned() else {
        return Some(Box::pin(async { Err(not_configured()) }));
    };
    let (name, args) = (name.to_string(), args.to_vec());
    Some(Box::pin(async move {
        blocking("satori", move || {
            satori.call(&name, &args, client_ip.as_deref())
        })
        .await
    }))
}

impl Satori {
    /// One Satori function, blocking.
    fn call(&self, name: &str, args: &[u8], ip: Option<&str>) -> Result<Vec<u8>, CallError> {
        use Auth::{ApiKey, Identity, ServerKey};
        match name {
            nk::SatoriAuthenticate::NAME => {
                let a = decode::<nk::SatoriAuthenticateArgs>(name, args)?;
                let mut body = Map::new();
                body.insert("id".into(), a.id.clone().into());
                if let Some(d) = a.default_properties {
                    body.insert("default".into(), json!(d));
                }
                if let Some(c) = a.custom_properties {
                    body.insert("custom".into(), json!(c));
                }
                if a.no_session {
                    body.insert("no_session".into(), true.into());
                }
                let r = Request::new("POST", "/v1/authenticate", ApiKey)
                    .body(body)
                    .ip(&a.ip_address);
                #[derive(serde::Deserialize, Default)]
                #[serde(default)]
                struct Answer {
                    properties: nk::SatoriProperties,
                }
                encode(&read::<Answer>(&self.send(r, ip)?)?.properties)
            }
            nk::SatoriIdentityDelete::NAME => {
                let a = decode::<nk::SatoriIdArgs>(name, args)?;
                self.send(Request::new("DELETE", "/v1/identity", Identity(a.id)), ip)?;
                encode(&())
            }
            nk::SatoriPropertiesGet::NAME => {
                let a = decode::<nk::SatoriIdArgs>(name, args)?;
                let body = self.send(Request::new("GET", "/v1/properties", Identity(a.id)), ip)?;
                encode(&read::<nk::SatoriProperties>(&body)?)
            }
            nk::SatoriPropertiesUpdate::NAME => {
                let a = decode::<nk::SatoriPropertiesUpdateArgs>(name, args)?;
                let mut body = Map::new();
                let p = a.properties;
                if let Some(d) = p.default {
                    body.insert("default".into(), json!(d));
                }
                if let Some(c) = p.custom {
                    body.insert("custom".into(), json!(c));
                }
                if let Some(r) = p.recompute {
                    body.insert("recompute".into(), r.into());
                }
                let r = Request::new("PUT", "/v1/properties", Identity(a.id)).body(body);
                self.send(r, ip)?;
                encode(&())
            }
            nk::SatoriEventsPublish::NAME | nk::SatoriServerEventsPublish::NAME => {
                let a = decode::<nk::SatoriEventsPublishArgs>(name, args)?;
                let (path, auth) = if name == nk::SatoriEventsPublish::NAME {
                    ("/v1/event", Identity(a.id))
                } else {
                    ("/v1/server-event", ApiKey)
                };
                let events: Vec<Value> = a.events.into_iter().map(event_json).collect();
                let r = Request::new("POST", path, auth)
                    .body(json!({ "events": events }))
                    .ip(&a.ip_address);
                self.send(r, ip)?;
                encode(&())
            }
            nk::SatoriExperimentsList::NAME
            | nk::SatoriFlagsList::NAME
            | nk::SatoriFlagsOverridesList::NAME => {
                let a = decode::<nk::SatoriListArgs>(name, args)?;
                let path = match name {
                    nk::SatoriExperimentsList::NAME => "/v1/experiment",
                    nk::SatoriFlagsList::NAME => "/v1/flag",
                    _ => "/v1/flag/override",
                };
                // The flag lists use the API key when no identity is named.
                let auth = if a.id.is_empty() && name != nk::SatoriExperimentsList::NAME {
                    ApiKey
                } else {
                    Identity(a.id)
                };
                let r = Request::new("GET", path, auth)
                    .query("names", &a.names)
                    .query("labels", &a.labels);
                let body = self.send(r, ip)?;
                match name {
                    nk::SatoriExperimentsList::NAME => {
                        encode(&read::<nk::SatoriExperimentList>(&body)?)
                    }
                    nk::SatoriFlagsList::NAME => encode(&read::<nk::SatoriFlagList>(&body)?),
                    _ => encode(&read::<nk::SatoriFlagOverridesList>(&body)?),
                }
            }
            nk::SatoriLiveEventsList::NAME => {
                let a = decode::<nk::SatoriLiveEventsListArgs>(name, args)?;
                let refusal = if a.past_run_count < 0 {
                    Some("pastRunCount cannot be negative")
                } else if a.future_run_count < 0 {
                    Some("futureRunCount cannot be negative")
                } else if a.start_time_sec < 0 {
                    Some("startTimeSec cannot be negative")
                } else if a.end_time_sec < 0 {
                    Some("endTimeSec cannot be negative")
                } else if a.start_time_sec > a.end_time_sec {
                    Some("startTimeSec cannot be after endTimeSec")
                } else if (a.start_time_sec > 0) != (a.end_time_sec > 0) {
                    Some("start_time_sec and end_time_sec must be greater than 0")
                } else {
                    None
                };
                if let Some(message) = refusal {
                    return Err(refused(message));
                }
                let mut r = Request::new("GET", "/v1/live-event", Identity(a.id))
                    .query("names", &a.names)
                    .query("labels", &a.labels);
                for (key, value) in [
                    ("past_run_count", i64::from(a.past_run_count)),
                    ("future_run_count", i64::from(a.future_run_count)),
                    ("start_time_sec", a.start_time_sec),
                    ("end_time_sec", a.end_time_sec),
                ] {
                    if value > 0 {
                        r = r.query(key, &[value.to_string()]);
                    }
                }
                encode(&read::<nk::SatoriLiveEventList>(&self.send(r, ip)?)?)
            }
            nk::SatoriLiveEventJoin::NAME => {
                let a = decode::<nk::SatoriLiveEventJoinArgs>(name, args)?;
                if a.live_event_id.is_empty() {
                    return Err(refused("liveEventId cannot be empty"));
                }
                let path = format!("/v1/live-event/{}/participation", segment(&a.live_event_id));
                self.send(Request::new("POST", path, Identity(a.id)), ip)?;
                encode(&())
            }
            nk::SatoriMessagesList::NAME => {
                let a = decode::<nk::SatoriMessagesListArgs>(name, args)?;
                if a.limit < 1 {
                    return Err(refused("limit must be greater than zero"));
                }
                let mut r = Request::new("GET", "/v1/message", Identity(a.id))
                    .query("limit", &[a.limit.to_string()])
                    .query("forward", &[a.forward.to_string()])
                    .query("message_ids", &a.message_ids);
                if !a.cursor.is_empty() {
                    r = r.query("cursor", &[a.cursor]);
                }
                encode(&read::<nk::SatoriMessageList>(&self.send(r, ip)?)?)
            }
            nk::SatoriMessageUpdate::NAME => {
                let a = decode::<nk::SatoriMessageUpdateArgs>(name, args)?;
                let mut body = Map::new();
                if a.read_time != 0 {
                    body.insert("read_time".into(), a.read_time.into());
                }
                if a.consume_time != 0 {
                    body.insert("consume_time".into(), a.consume_time.into());
                }
                let path = format!("/v1/message/{}", segment(&a.message_id));
                self.send(Request::new("PUT", path, Identity(a.id)).body(body), ip)?;
                encode(&())
            }
            nk::SatoriMessageDelete::NAME => {
                let a = decode::<nk::SatoriMessageDeleteArgs>(name, args)?;
                if a.message_id.is_empty() {
                    return Err(refused("message id cannot be an empty string"));
                }
                let path = format!("/v1/message/{}", segment(&a.message_id));
                self.send(Request::new("DELETE", path, Identity(a.id)), ip)?;
                encode(&())
            }
            nk::SatoriConsoleDirectMessageSend::NAME => {
                let a = decode::<nk::SatoriDirectMessageArgs>(name, args)?;
                if self.config.server_key.trim().is_empty() {
                    return Err(not_configured());
                }
                let r = Request::new("POST", "/v1/console/message-direct", ServerKey)
                    .body(direct_message_json(a));
                let body = self.send(r, ip)?;
                // Nakama decodes the answer whatever it is: an empty one
                // fails.
                let results: nk::SatoriMessageSendResults = serde_json::from_slice(&body)
                    .map_err(|e| CallError::new(Code::Internal, e.to_string()))?;
                encode(&results)
            }
            other => Err(CallError::new(
                Code::Unimplemented,
                format!("nk function `{other}` is not implemented by the dev host"),
            )),
        }
    }
}

/// A path segment, escaped as Go's `url.JoinPath` does.
fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A direct message as Nakama sends it (Satori's console
/// `SendDirectMessageRequest`, Go's encoding/json): the non-empty fields,
/// integrations and channels as numbers, the channels keyed by their
/// integration's number.
fn direct_message_json(m: nk::SatoriDirectMessageArgs) -> Value {
    let mut out = Map::new();
    if !m.template_id.is_empty() {
        out.insert("template_id".into(), m.template_id.into());
    }
    if !m.recipient_ids.is_empty() {
        out.insert("identity_ids".into(), json!(m.recipient_ids));
    }
    if !m.integrations.is_empty() {
        out.insert("integrations".into(), json!(m.integrations));
    }
    if m.persist {
        out.insert("persist".into(), true.into());
    }
    if !m.channels.is_empty() {
        let channels: Map<String, Value> = m
            .channels
            .into_iter()
            .map(|(integration, c)| {
                let mut channels = Map::new();
                if !c.channels.is_empty() {
                    channels.insert("channels".into(), json!(c.channels));
                }
                (i32::from(integration).to_string(), Value::Object(channels))
            })
            .collect();
        out.insert("channels".into(), Value::Object(channels));
    }
    if let Some(t) = m.template_override {
        out.insert("template_override".into(), template_json(t));
    }
    Value::Object(out)
}

fn template_json(t: nk::SatoriTemplateOverride) -> Value {
    let mut out = Map::new();
    for (key, value) in [
        ("title", t.title),
        ("value", t.value),
        ("image_url", t.image_url),
        ("json_metadata", t.json_metadata),
    ] {
        if !value.is_empty() {
            out.insert(key.into(), value.into());
        }
    }
    if !t.variants.is_empty() {
        let variants = t
            .variants
            .into_iter()
            .map(|(language, v)| (language, template_json(v)))
            .collect();
        out.insert("variants".into(), Value::Object(variants));
    }
    Value::Object(out)
}

/// An event as Nakama sends it: the non-empty fields, an id (a new UUID
/// when it has none) and the time in RFC 3339 (now when 0).
fn event_json(e: nk::SatoriEvent) -> Value {
    let mut out = Map::new();
    let id = if e.id.is_empty() {
        uuid::Uuid::new_v4().to_string()
    } else {
        e.id
    };
    for (key, value) in [
        ("name", e.name),
        ("id", id),
        ("value", e.value),
        ("identity_id", e.identity_id),
        ("session_id", e.session_id),
    ] {
        if !value.is_empty() {
            out.insert(key.into(), value.into());
        }
    }
    if !e.metadata.is_empty() {
        out.insert("metadata".into(), json!(e.metadata));
    }
    for (key, value) in [
        ("session_issued_at", e.session_issued_at),
        ("session_expires_at", e.session_expires_at),
    ] {
        if value != 0 {
            out.insert(key.into(), value.into());
        }
    }
    let at = if e.timestamp == 0 {
        time::OffsetDateTime::now_utc()
    } else {
        time::OffsetDateTime::from_unix_timestamp(e.timestamp)
            .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
    };
    let stamp = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    out.insert("timestamp".into(), stamp.into());
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_log() -> Logger {
        Logger::new("error", "json")
    }

    fn config(url: &str, name: &str, key: &str, signing: &str) -> SatoriConfig {
        SatoriConfig {
            url: url.into(),
            api_key_name: name.into(),
            api_key: key.into(),
            signing_key: signing.into(),
            server_key: String::new(),
            http_timeout_ms: 1000,
            retry_count: 0,
        }
    }

    #[test]
    fn settings_are_checked_as_nakama_checks_them() {
        assert_eq!(config("", "", "", "").problems(), None);
        assert!(
            Satori::new(config("", "", "", ""), test_log()).is_none(),
            "no settings: no Satori"
        );
        assert_eq!(
            config("http://satori", "", "k", "").problems().as_deref(),
            Some("Satori configuration invalid: api_key_name not set, signing_key not set.")
        );
        assert_eq!(
            config("", "n", "", "").problems().as_deref(),
            Some("Satori configuration invalid: Satori configuration incomplete: url not set.")
        );
        assert!(Satori::new(config("http://satori", "n", "", "s"), test_log()).is_none());
        assert!(Satori::new(config("http://satori", "n", "k", "s"), test_log()).is_some());
    }

    #[test]
    fn events_go_as_nakama_sends_them() {
        let e = event_json(nk::SatoriEvent {
            name: "level_up".into(),
            timestamp: 1_700_000_000,
            ..Default::default()
        });
        assert_eq!(e["name"], "level_up");
        assert_eq!(e["timestamp"], "2023-11-14T22:13:20Z");
        assert_eq!(e["id"].as_str().map(str::len), Some(36), "a new UUID: {e}");
        assert!(
            e.get("value").is_none() && e.get("metadata").is_none(),
            "{e}"
        );
    }

    #[test]
    fn direct_messages_go_as_nakama_sends_them() {
        let mut m = nk::SatoriDirectMessageArgs {
            template_id: "welcome".into(),
            integrations: vec![nk::SatoriIntegration::Apns],
            channels: [(nk::SatoriIntegration::Fcm, Default::default())].into(),
            template_override: Some(nk::SatoriTemplateOverride {
                title: "Hi".into(),
                variants: [("fr".to_string(), Default::default())].into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            direct_message_json(m.clone()),
            json!({"template_id": "welcome", "integrations": [2], "channels": {"1": {}},
                "template_override": {"title": "Hi", "variants": {"fr": {}}}}),
            "empty fields are left out, as Go's omitempty does"
        );
        m = Default::default();
        assert_eq!(direct_message_json(m), json!({}));
    }

    #[test]
    fn direct_messages_need_the_server_key() {
        // Nothing listens on port 9: the call must not get that far.
        let satori = Satori::new(config("http://127.0.0.1:9", "n", "k", "s"), test_log()).unwrap();
        let args = serde_json::to_vec(&nk::SatoriDirectMessageArgs::default()).unwrap();
        let e = satori
            .call(nk::SatoriConsoleDirectMessageSend::NAME, &args, None)
            .unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (Code::FailedPrecondition, NOT_CONFIGURED)
        );
    }

    #[test]
    fn retries_back_off_as_nakamas_do() {
        for (attempt, base) in [(0, 200), (1, 400), (2, 800), (3, 1000)] {
            let wait = backoff(attempt).as_millis();
            assert!((base..base + 100).contains(&wait), "{attempt}: {wait} ms");
        }
    }

    #[test]
    fn satoris_statuses_map_to_the_bridges_codes() {
        assert_eq!(status_code(404), Code::NotFound);
        assert_eq!(status_code(503), Code::Unavailable);
        assert_eq!(status_code(418), Code::Internal);
    }
}
