//! Transport behaviour shared by every route: gzip request bodies,
//! compressed answers on request, CORS preflight, cache headers.

use std::io::{Read, Write};

use crate::common::Server;

const ECHO: &str = "/v2/rpc/echo?http_key=defaulthttpkey&unwrap";

#[test]
fn gzip_bodies_in_compressed_answers_out_cors_and_cache_headers() {
    let server = Server::start(&["golden-module"], &["--logger.level", "error"]);

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"hello, gzip").unwrap();
    let body = gz.finish().unwrap();
    let r = server
        .request("POST", ECHO, &[("Content-Encoding", "gzip")], Some(&body))
        .unwrap();
    assert_eq!((r.status, r.text().as_str()), (200, "hello, gzip"));

    let big = "compressible ".repeat(200);
    let r = server
        .request(
            "POST",
            ECHO,
            &[("Accept-Encoding", "gzip"), ("Content-Type", "text/plain")],
            Some(big.as_bytes()),
        )
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Encoding"), Some("gzip"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, big);
    assert_eq!(
        r.header("Cache-Control"),
        Some("no-store, no-cache, must-revalidate")
    );
    assert_eq!(
        r.header("Vary").map(|v| v.contains("Accept-Encoding")),
        Some(true)
    );

    let r = server
        .request(
            "OPTIONS",
            "/v2/account",
            &[
                ("Origin", "https://game.example"),
                ("Access-Control-Request-Method", "PUT"),
                (
                    "Access-Control-Request-Headers",
                    "authorization,content-type",
                ),
            ],
            None,
        )
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("*"));
    assert!(r
        .header("Access-Control-Allow-Methods")
        .unwrap_or("")
        .contains("PUT"));
}

/// A plain RPC id skips the router; an escaped or odd one goes through
/// it. Both ways answer the same, headers included.
#[test]
fn rpcs_answer_the_same_by_the_direct_path_and_through_the_router() {
    let server = Server::start(&["golden-module"], &["--logger.level", "error"]);
    let call = |path: &str, method: &str| {
        let r = server
            .request(method, path, &[("Content-Type", "text/plain")], Some(b"hi"))
            .unwrap();
        let headers =
            ["Content-Type", "Cache-Control", "Vary"].map(|h| r.header(h).map(str::to_string));
        (r.status, r.text(), headers)
    };
    let direct = call(ECHO, "POST");
    assert_eq!((direct.0, direct.1.as_str()), (200, "hi"));
    assert_eq!(
        direct.2[1].as_deref(),
        Some("no-store, no-cache, must-revalidate")
    );
    // `%6F` is `o`: the router decodes the id to `echo`.
    let routed = call("/v2/rpc/ech%6F?http_key=defaulthttpkey&unwrap", "POST");
    assert_eq!(direct, routed);
    // Errors and refused methods too.
    for (direct, routed) in [
        (
            "/v2/rpc/nope?http_key=defaulthttpkey",
            "/v2/rpc/n%6Fpe?http_key=defaulthttpkey",
        ),
        (
            "/v2/rpc/echo?http_key=wrong",
            "/v2/rpc/ech%6F?http_key=wrong",
        ),
    ] {
        assert_eq!(call(direct, "POST"), call(routed, "POST"), "{direct}");
    }
    assert_eq!(
        call(ECHO, "PUT"),
        call("/v2/rpc/ech%6F?http_key=defaulthttpkey&unwrap", "PUT")
    );
}
