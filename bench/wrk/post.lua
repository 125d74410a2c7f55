-- POST the body in env BODY with Content-Type text/plain.
wrk.method = "POST"
wrk.body = os.getenv("BODY") or "hello"
wrk.headers["Content-Type"] = "text/plain"
