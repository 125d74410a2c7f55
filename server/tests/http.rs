//! Transport behaviour shared by every route: gzip request bodies,
//! compressed answers on request, CORS preflight, cache headers.

mod common;

use std::io::{Read, Write};

use common::Server;

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
