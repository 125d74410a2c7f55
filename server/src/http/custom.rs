//! Modules' custom HTTP handlers (`init.register_http`, Nakama's
//! `RegisterHttp`) on the client API's port.
//!
//! Nakama 3.40.0 (server/api.go) adds them to its gorilla/mux router after
//! `GET`/`POST /v2/rpc/{id}` and before the gateway's catch-all, behind
//! the same body limit, decompression, compression, CORS and
//! `Cache-Control` as every API route; `GET /` and `GET /ws` come first.
//! So a handler answers before the API routes of the same path, and a
//! request of a method it does not take goes on to them. Patterns are
//! gorilla/mux path templates (`{name}`, `{name:regex}`), matched against
//! the decoded path, tried in load order. Nothing is authenticated.

use std::collections::BTreeMap;
use std::sync::Arc;

use nakama_runtime_host::abi::http::{HttpRequest, HttpResponse};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::{CallContext, CallError, HttpRoute, Modules};
use regex::Regex;

use crate::log::Logger;

/// One handler's compiled pattern.
struct Route {
    route: HttpRoute,
    /// `None`: the pattern did not compile; as in gorilla/mux, it never
    /// matches.
    re: Option<Regex>,
    /// The path variables' names, in the order of the regex's groups.
    names: Vec<String>,
}

/// The custom handlers of one set of modules, and that set.
pub struct Routes {
    modules: Arc<Modules>,
    /// On the client API's port (`register_http`).
    routes: Vec<Route>,
    /// On the console's port (`register_console_http`, ABI 1.10).
    console: Vec<Route>,
}

/// A handler that matches a request, and the path's variables.
pub struct Found<'a> {
    route: &'a Route,
    pub vars: BTreeMap<String, String>,
}

impl Routes {
    /// Compiles the handlers of `modules`. Each is logged as Nakama does
    /// (`Registered custom HTTP handler`, `Registered custom console HTTP
    /// handler`); a pattern that does not start with `/` is an error
    /// (Nakama stops at startup), one whose variables do not compile is
    /// logged and never matches (gorilla/mux keeps the error in the route).
    pub fn new(modules: Arc<Modules>, log: &Logger) -> Result<Routes, String> {
        let routes = compile_all(modules.http_routes(), "HTTP", log)?;
        let console = compile_all(modules.console_http_routes(), "console HTTP", log)?;
        Ok(Routes {
            modules,
            routes,
            console,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Whether a module registered a handler on the console's port.
    pub fn has_console(&self) -> bool {
        !self.console.is_empty()
    }

    /// The first client API handler whose pattern matches `path` (decoded)
    /// and whose methods include `method`. Nakama's own routes that come
    /// first in its router are left to them.
    pub fn find(&self, method: &str, path: &str) -> Option<Found<'_>> {
        let nakama_first = match method {
            "GET" => path == "/" || path == "/ws" || path.starts_with("/v2/rpc/"),
            "POST" => path.starts_with("/v2/rpc/"),
            _ => false,
        };
        if nakama_first {
            return None;
        }
        first_match(&self.routes, method, path)
    }

    /// [`Routes::find`] among the console's handlers.
    pub fn find_console(&self, method: &str, path: &str) -> Option<Found<'_>> {
        first_match(&self.console, method, path)
    }

    /// Calls `found`'s handler with `req` (its `vars` filled in here) and
    /// the context `call` (mode `http`); an error or a panic answers its
    /// code's status with `{"code","message"}`, as the gateway's errors.
    pub async fn call(
        &self,
        found: Found<'_>,
        call: CallContext<'_>,
        mut req: HttpRequest,
    ) -> HttpResponse {
        req.vars = found.vars;
        match self
            .modules
            .call_http(found.route.route.index, call, &req)
            .await
        {
            Ok(resp) if (100..=999).contains(&resp.status) => resp,
            Ok(resp) => error_response(&CallError::new(
                Code::Internal,
                format!("an HTTP handler answered status {}", resp.status),
            )),
            Err(e) => error_response(&e),
        }
    }
}

fn compile_all(routes: Vec<HttpRoute>, what: &str, log: &Logger) -> Result<Vec<Route>, String> {
    let mut out = Vec::new();
    for route in routes {
        if !route.pattern.starts_with('/') {
            return Err(format!(
                "Failed to register custom {what} handler, path pattern must start with '/': {:?} (module {})",
                route.pattern, route.module
            ));
        }
        let (re, names) = match compile(&route.pattern) {
            Ok((re, names)) => (Some(re), names),
            Err(e) => {
                log.error(
                    &format!("Custom {what} handler pattern does not compile; it matches nothing"),
                    &[
                        ("path_pattern", route.pattern.clone().into()),
                        ("error", e.into()),
                    ],
                );
                (None, Vec::new())
            }
        };
        log.info(
            &format!("Registered custom {what} handler"),
            &[("path_pattern", route.pattern.clone().into())],
        );
        out.push(Route { route, re, names });
    }
    Ok(out)
}

/// The first of `routes` that takes `method` and whose pattern matches
/// `path`, with the path's variables.
fn first_match<'a>(routes: &'a [Route], method: &str, path: &str) -> Option<Found<'a>> {
    routes.iter().find_map(|r| {
        if !r.route.methods.is_empty() && !r.route.methods.iter().any(|m| m == method) {
            return None;
        }
        let caps = r.re.as_ref()?.captures(path)?;
        let vars = r
            .names
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let v = caps.name(&format!("v{i}"))?;
                Some((name.clone(), v.as_str().to_string()))
            })
            .collect();
        Some(Found { route: r, vars })
    })
}

/// A call error as an HTTP answer.
pub fn error_response(e: &CallError) -> HttpResponse {
    let body = serde_json::json!({"code": e.code.as_u32(), "message": e.message});
    HttpResponse::json(e.code.http_status(), &body)
}

/// A gorilla/mux path template as an anchored regex (`{name}` is one path
/// segment, `{name:re}` what `re` matches; group `vN` is the Nth
/// variable), and the variables' names.
fn compile(pattern: &str) -> Result<(Regex, Vec<String>), String> {
    let mut re = String::from("^");
    let mut names = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        re.push_str(&regex::escape(&rest[..open]));
        // The matching close brace, counting nested ones (`{id:[0-9]{2}}`).
        let mut level = 0;
        let mut close = None;
        for (i, c) in rest[open..].char_indices() {
            match c {
                '{' => level += 1,
                '}' => {
                    level -= 1;
                    if level == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close.ok_or_else(|| format!("unbalanced braces in {pattern:?}"))?;
        let inner = &rest[open + 1..close];
        let (name, var_re) = inner.split_once(':').unwrap_or((inner, "[^/]+"));
        if name.is_empty() || var_re.is_empty() {
            return Err(format!("missing name or pattern in {pattern:?}"));
        }
        if Regex::new(var_re)
            .map_err(|e| e.to_string())?
            .captures_len()
            > 1
        {
            return Err(format!(
                "route {pattern} contains capture groups in its regexp; use (?:pattern)"
            ));
        }
        re.push_str(&format!("(?P<v{}>{var_re})", names.len()));
        names.push(name.to_string());
        rest = &rest[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("unbalanced braces in {pattern:?}"));
    }
    re.push_str(&regex::escape(rest));
    re.push('$');
    Ok((Regex::new(&re).map_err(|e| e.to_string())?, names))
}

/// A URL's path as gorilla/mux matches it: percent-decoded.
/// Where Nakama's router (gorilla/mux, which cleans paths) redirects a
/// request for `path` (as sent) and `query`: `None` when its decoded path
/// is already clean. Cleaning is Go's `path.Clean` (no `//`, `.` or `..`
/// segments), keeping a trailing slash; the location is the cleaned path
/// escaped as Go's `url.URL` writes one, then the query as sent.
pub fn clean_redirect(path: &str, query: Option<&str>) -> Option<String> {
    // A clean path without escapes needs no more look.
    if !(path.contains("//") || path.contains("/.") || path.contains('%')) {
        return None;
    }
    let decoded = decoded_path(path);
    let mut segments: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut clean = format!("/{}", segments.join("/"));
    if decoded.ends_with('/') && clean != "/" {
        clean.push('/');
    }
    if clean == decoded {
        return None;
    }
    // Go's path escaping keeps these besides letters, digits and `-_.~`.
    const GO_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b',')
        .remove(b'/')
        .remove(b':')
        .remove(b';')
        .remove(b'=')
        .remove(b'@');
    let mut location = percent_encoding::utf8_percent_encode(&clean, GO_PATH).to_string();
    if let Some(q) = query {
        location.push('?');
        location.push_str(q);
    }
    Some(location)
}

pub fn decoded_path(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

/// The request a handler gets: `path` decoded, the query's every
/// parameter, headers with Go's names (without `Host`, which Go keeps
/// apart), and whether it carries `http_key` as the RPC route takes it.
pub fn request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    http_key: &str,
    body: Vec<u8>,
) -> HttpRequest {
    let mut req = HttpRequest {
        method: method.to_string(),
        path: path.to_string(),
        body,
        ..Default::default()
    };
    for (k, v) in query {
        req.query.entry(k.clone()).or_default().push(v.clone());
    }
    for (k, v) in headers {
        let name = super::canonical_header(k);
        if name != "Host" {
            req.headers.entry(name).or_default().push(v.clone());
        }
    }
    req.http_key_valid = match req.query_param("http_key").filter(|k| !k.is_empty()) {
        Some(k) => k == http_key,
        None => req
            .header("Authorization")
            .and_then(|a| a.strip_prefix("Basic "))
            .and_then(|b| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .ok()
            })
            .and_then(|d| String::from_utf8(d).ok())
            .is_some_and(|d| d.split(':').next() == Some(http_key)),
    };
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unclean_paths_redirect_where_gorilla_mux_sends_them() {
        let to = |p: &str, q: Option<&str>| clean_redirect(p, q);
        assert_eq!(to("/v2/account", None), None);
        assert_eq!(to("/a/", None), None);
        assert_eq!(to("/.well-known/x", None), None);
        assert_eq!(to("//healthcheck", None).as_deref(), Some("/healthcheck"));
        assert_eq!(
            to("/v2//account/", Some("a=1")).as_deref(),
            Some("/v2/account/?a=1")
        );
        assert_eq!(to("/v2/rpc/./x", Some("")).as_deref(), Some("/v2/rpc/x?"));
        assert_eq!(to("/v2/rpc/..", None).as_deref(), Some("/v2"));
        assert_eq!(to("/../x/.", None).as_deref(), Some("/x"));
        assert_eq!(to("/f/a%2F%2Fb", None).as_deref(), Some("/f/a/b"));
        assert_eq!(to("/f/a%20b/", None), None);
        assert_eq!(to("/f//a b?", None).as_deref(), Some("/f/a%20b%3F"));
    }

    fn vars(pattern: &str, path: &str) -> Option<Vec<(String, String)>> {
        let (re, names) = compile(pattern).unwrap();
        let caps = re.captures(path)?;
        Some(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), caps[format!("v{i}").as_str()].to_string()))
                .collect(),
        )
    }

    #[test]
    fn patterns_match_as_gorilla_mux_templates() {
        assert_eq!(vars("/a/b", "/a/b"), Some(vec![]));
        assert_eq!(vars("/a/b", "/a/b/"), None, "no strict slash");
        assert_eq!(vars("/a.b", "/aXb"), None, "literal text is literal");
        assert_eq!(
            vars("/g/{id}/x", "/g/42/x"),
            Some(vec![("id".into(), "42".into())])
        );
        assert_eq!(vars("/g/{id}", "/g/4/2"), None, "one segment");
        assert_eq!(
            vars("/g/{id:[0-9]{2}}/{rest:.*}", "/g/42/a/b"),
            Some(vec![
                ("id".into(), "42".into()),
                ("rest".into(), "a/b".into())
            ])
        );
        assert_eq!(vars("/g/{id:[0-9]+}", "/g/x"), None);
        assert!(compile("/g/{id").is_err());
        assert!(compile("/g/{id:(a|b)}").is_err(), "capture groups refused");
        assert!(compile("/g/{id:(?:a|b)}").is_ok());
    }

    #[test]
    fn requests_say_whether_they_carry_the_http_key() {
        let q = |k: &str| vec![("http_key".to_string(), k.to_string())];
        let auth = |v: &str| vec![("authorization".to_string(), v.to_string())];
        assert!(request("GET", "/", &q("k"), &[], "k", vec![]).http_key_valid);
        assert!(!request("GET", "/", &q("x"), &auth("Basic aw=="), "k", vec![]).http_key_valid);
        // base64("k:") and base64("k")
        assert!(request("GET", "/", &[], &auth("Basic azo="), "k", vec![]).http_key_valid);
        assert!(request("GET", "/", &q(""), &auth("Basic aw=="), "k", vec![]).http_key_valid);
        assert!(!request("GET", "/", &[], &auth("Bearer k"), "k", vec![]).http_key_valid);
        let r = request(
            "GET",
            "/",
            &[],
            &[
                ("x-a".into(), "1".into()),
                ("X-A".into(), "2".into()),
                ("host".into(), "h".into()),
            ],
            "k",
            vec![],
        );
        assert_eq!(r.headers.get("X-A").unwrap(), &["1", "2"]);
        assert!(!r.headers.contains_key("Host"));
    }
}
