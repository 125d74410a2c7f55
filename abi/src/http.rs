//! Custom HTTP handlers on the wire (ABI 1.8).
//!
//! A module registers a handler for a path pattern on the client API's
//! port, as Nakama's `RegisterHttp(pathPattern, handler, methods...)`:
//! [`crate::ffi::kind::HTTP`], its id [`registration_id`] (the methods and
//! the pattern). The pattern is a gorilla/mux path template: literal text
//! and `{name}` or `{name:regex}` path variables (`/guild/{id}/webhook`).
//! Nakama applies no authentication to these routes.
//!
//! A call's input is an [`HttpRequest`], its output an [`HttpResponse`],
//! each [`encode`]d as a little-endian `u32` length, that many bytes of
//! the head's JSON, then the body bytes as they are (a body is often not
//! text, and JSON would have to escape it). A module error answers the
//! status of its code (`{"code","message"}` as the gateway's errors).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A request to a custom HTTP handler.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The URL's path, decoded (`/guild/webhook`).
    pub path: String,
    /// Every query parameter, `http_key` included: name -> values.
    pub query: BTreeMap<String, Vec<String>>,
    /// The headers, names as Go writes them (`Content-Type`), without
    /// `Host`: name -> values.
    pub headers: BTreeMap<String, Vec<String>>,
    /// The pattern's path variables: `{id}` -> its text in the path.
    pub vars: BTreeMap<String, String>,
    /// Whether the request carries the server's `runtime.http_key`, as the
    /// RPC route accepts it (query `http_key`, or `Authorization: Basic`
    /// with the key as user name). Only informative: the host refuses
    /// nothing.
    pub http_key_valid: bool,
    /// The body (after gzip/deflate decoding), at most
    /// `socket.max_request_size_bytes`.
    #[serde(skip)]
    pub body: Vec<u8>,
}

/// A custom HTTP handler's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpResponse {
    pub status: u16,
    /// Header lines, in order (a name may come more than once).
    pub headers: Vec<(String, String)>,
    #[serde(skip)]
    pub body: Vec<u8>,
}

impl Default for HttpResponse {
    fn default() -> Self {
        HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

/// The registration id of a handler: its methods (upper-cased,
/// comma-separated, empty for any) and its pattern, split by one space.
pub fn registration_id(pattern: &str, methods: &[&str]) -> String {
    let methods: Vec<String> = methods.iter().map(|m| m.to_uppercase()).collect();
    format!("{} {pattern}", methods.join(","))
}

/// The methods (empty: any) and pattern of a registration id.
pub fn parse_registration_id(id: &str) -> (Vec<String>, &str) {
    let (methods, pattern) = id.split_once(' ').unwrap_or(("", id));
    let methods = methods
        .split(',')
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect();
    (methods, pattern)
}

/// A head (JSON) and a body as one buffer: `u32` LE length, head, body.
pub fn encode<H: Serialize>(head: &H, body: &[u8]) -> Vec<u8> {
    let json = serde_json::to_vec(head).unwrap_or_else(|_| b"{}".to_vec());
    let mut out = Vec::with_capacity(4 + json.len() + body.len());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(body);
    out
}

/// The head and the body of an [`encode`]d buffer.
pub fn decode<H: DeserializeOwned>(bytes: &[u8]) -> Result<(H, &[u8]), String> {
    let len = bytes
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or("shorter than its length prefix")?;
    let json = bytes
        .get(4..4 + len)
        .ok_or("shorter than its head's length")?;
    let head = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    Ok((head, &bytes[4 + len..]))
}

impl HttpRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.first())
            .map(String::as_str)
    }

    /// The first value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.get(name)?.first().map(String::as_str)
    }

    /// Path variable `name` of the pattern (`{name}`).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The request as a call's input.
    pub fn encode(&self) -> Vec<u8> {
        encode(self, &self.body)
    }

    /// A call's input as a request.
    pub fn decode(bytes: &[u8]) -> Result<HttpRequest, String> {
        let (mut req, body): (HttpRequest, _) = decode(bytes)?;
        req.body = body.to_vec();
        Ok(req)
    }
}

impl HttpResponse {
    /// An empty answer with `status`.
    pub fn new(status: u16) -> HttpResponse {
        HttpResponse {
            status,
            ..Default::default()
        }
    }

    /// `value` as JSON, with its content type.
    pub fn json<T: Serialize>(status: u16, value: &T) -> HttpResponse {
        HttpResponse::new(status)
            .with_header("Content-Type", "application/json")
            .with_body(serde_json::to_vec(value).unwrap_or_default())
    }

    /// Adds a header line.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The response as a call's output.
    pub fn encode(&self) -> Vec<u8> {
        encode(self, &self.body)
    }

    /// A call's output as a response.
    pub fn decode(bytes: &[u8]) -> Result<HttpResponse, String> {
        let (mut resp, body): (HttpResponse, _) = decode(bytes)?;
        resp.body = body.to_vec();
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_responses_cross_with_raw_bodies() {
        let req = HttpRequest {
            method: "POST".into(),
            path: "/a/b".into(),
            vars: [("id".to_string(), "b".to_string())].into(),
            body: vec![0, 159, 146, 150, b'{'],
            ..Default::default()
        };
        assert_eq!(HttpRequest::decode(&req.encode()).unwrap(), req);
        let resp = HttpResponse {
            status: 201,
            headers: vec![("X-A".into(), "1".into()), ("X-A".into(), "2".into())],
            body: b"\xff".to_vec(),
        };
        assert_eq!(HttpResponse::decode(&resp.encode()).unwrap(), resp);
        assert!(HttpResponse::decode(&[9, 0, 0, 0, b'{']).is_err());
        assert!(HttpResponse::decode(&[1]).is_err());
    }

    #[test]
    fn registration_ids_carry_methods_and_pattern() {
        let id = registration_id("/x/{a b}", &["get", "Post"]);
        assert_eq!(id, "GET,POST /x/{a b}");
        assert_eq!(
            parse_registration_id(&id),
            (vec!["GET".to_string(), "POST".to_string()], "/x/{a b}")
        );
        assert_eq!(parse_registration_id(" /y"), (vec![], "/y"));
    }
}
