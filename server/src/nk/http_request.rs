//! `http_request` (ABI 1.14): an HTTP request the host sends for a module,
//! as `nk.httpRequest` of Nakama's JavaScript runtime does
//! (server/runtime_javascript_nakama.go): methods `get`, `post`, `put`,
//! `patch`, `delete`, `head` in any case, one value per header, a time
//! limit for the whole request (5 s when none is given), TLS checks
//! skipped on request, redirects followed, and the response answered
//! whatever its status. The bridge sends the same with Go's `net/http`
//! (bridge/go/nkhttp.go); `conformance::misc::check_http_request` holds
//! both to it.
//!
//! ureq (blocking) on tokio's blocking pool, as the Satori client: a
//! module's call waits without holding a worker thread.

use std::sync::LazyLock;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, Uri};
use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::{BoxFuture, CallError};

use super::{blocking, decode, encode};

/// Nakama's time limit when the module gives none.
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(5_000);

/// The most of a response body read (Go reads it all; a limit keeps a
/// runaway answer from taking the dev host's memory).
const BODY_LIMIT: u64 = 64 << 20;

/// The `http_request` call, or `None` for another function.
pub(super) fn call(
    function: &str,
    args: &[u8],
) -> Option<BoxFuture<'static, Result<Vec<u8>, CallError>>> {
    if function != nk::HttpRequest::NAME {
        return None;
    }
    let args = decode::<nk::HttpRequestArgs>(function, args);
    Some(Box::pin(async move {
        let request = prepare(args?)?;
        blocking("http_request", move || {
            send(request).and_then(|answer| encode(&answer))
        })
        .await
    }))
}

/// A request checked and built, with what ureq needs besides.
struct Prepared {
    request: axum::http::Request<Vec<u8>>,
    timeout: Duration,
    insecure: bool,
}

fn invalid(message: impl Into<String>) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

/// Nakama's refusals first (its words), then ours for what it would send
/// and fail on.
fn prepare(a: nk::HttpRequestArgs) -> Result<Prepared, CallError> {
    if a.url.is_empty() {
        return Err(invalid("URL string cannot be empty."));
    }
    let method =
        match a.method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            "HEAD" => Method::HEAD,
            _ => return Err(invalid(
                "Invalid method must be one of: 'get', 'post', 'put', 'patch', 'delete', 'head'.",
            )),
        };
    let uri: Uri = a
        .url
        .parse()
        .map_err(|e| invalid(format!("HTTP request is invalid: {e}: {}", a.url)))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(invalid(format!(
            "HTTP request is invalid: the URL must be absolute, http or https: {}",
            a.url
        )));
    }
    let mut request = axum::http::Request::builder().method(method).uri(uri);
    for (name, value) in &a.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid(format!("HTTP request is invalid: header name {name:?}")))?;
        let value = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
            invalid(format!(
                "HTTP request is invalid: header {name} value {value:?}"
            ))
        })?;
        request = request.header(name, value);
    }
    let request = request
        .body(a.body)
        .map_err(|e| invalid(format!("HTTP request is invalid: {e}")))?;
    Ok(Prepared {
        request,
        timeout: match a.timeout_ms {
            0 => DEFAULT_TIMEOUT,
            ms => Duration::from_millis(ms),
        },
        insecure: a.insecure,
    })
}

/// Two clients, as Nakama keeps: one checking TLS certificates, one not.
/// Statuses are answers here, not errors.
fn agent(insecure: bool) -> &'static ureq::Agent {
    static AGENTS: LazyLock<[ureq::Agent; 2]> = LazyLock::new(|| {
        let build = |insecure: bool| -> ureq::Agent {
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .tls_config(
                    ureq::tls::TlsConfig::builder()
                        .disable_verification(insecure)
                        .build(),
                )
                .build()
                .into()
        };
        [build(false), build(true)]
    });
    &AGENTS[usize::from(insecure)]
}

fn send(p: Prepared) -> Result<nk::HttpRequestAnswer, CallError> {
    let agent = agent(p.insecure);
    let request = agent
        .configure_request(p.request)
        .timeout_global(Some(p.timeout))
        .build();
    let failed = |e: ureq::Error| {
        let code = match e {
            ureq::Error::Timeout(_) => Code::DeadlineExceeded,
            _ => Code::Unavailable,
        };
        CallError::new(code, format!("HTTP request error: {e}"))
    };
    let mut response = agent.run(request).map_err(failed)?;
    let mut headers = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (name, value) in response.headers() {
        headers
            .entry(crate::http::canonical_header(name.as_str()))
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    let code = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(BODY_LIMIT)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::Timeout(_) => failed(e),
            e => CallError::new(Code::Unavailable, format!("HTTP response body error: {e}")),
        })?;
    Ok(nk::HttpRequestAnswer {
        code,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: &str, method: &str) -> nk::HttpRequestArgs {
        nk::HttpRequestArgs {
            url: url.into(),
            method: method.into(),
            ..Default::default()
        }
    }

    fn refusal(a: nk::HttpRequestArgs) -> String {
        match prepare(a) {
            Ok(_) => panic!("accepted"),
            Err(e) => {
                assert_eq!(e.code, Code::InvalidArgument);
                e.message
            }
        }
    }

    #[test]
    fn requests_are_refused_in_nakamas_words_first() {
        assert_eq!(refusal(args("", "trace")), "URL string cannot be empty.");
        assert_eq!(
            refusal(args("http://x", "trace")),
            "Invalid method must be one of: 'get', 'post', 'put', 'patch', 'delete', 'head'."
        );
        for url in ["not a url", "/relative", "ftp://host/file"] {
            assert!(
                refusal(args(url, "get")).starts_with("HTTP request is invalid: "),
                "{url}"
            );
        }
        let mut bad_header = args("http://x", "get");
        bad_header.headers.insert("bad name".into(), "v".into());
        assert!(refusal(bad_header).starts_with("HTTP request is invalid: header name"));
        let mut bad_value = args("http://x", "get");
        bad_value.headers.insert("X-A".into(), "line\nbreak".into());
        assert!(refusal(bad_value).starts_with("HTTP request is invalid: header x-a value"));
    }

    #[test]
    fn methods_are_read_in_any_case_and_the_timeout_defaults_to_nakamas() {
        let p = prepare(args("https://example.com/a?b=c", "pAtCh")).unwrap();
        assert_eq!(p.request.method(), Method::PATCH);
        assert_eq!(p.timeout, DEFAULT_TIMEOUT);
        let mut a = args("http://127.0.0.1:9/", "get");
        a.timeout_ms = 250;
        assert_eq!(prepare(a).unwrap().timeout, Duration::from_millis(250));
    }
}
