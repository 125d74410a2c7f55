package main

// Custom HTTP handlers (ABI 1.8): each Rust handler is registered with
// Nakama's RegisterHttp under its path pattern and methods, so Nakama's
// router (gorilla/mux, behind the API's body limit, decompression,
// compression and CORS) sends the requests that match to it. The request
// crosses as the ABI's encoded HttpRequest (nakama_runtime_abi::http: a
// little-endian u32 head length, the head as JSON, the body), the
// answer as an encoded HttpResponse.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
	"github.com/heroiclabs/nakama-common/runtime"
)

// httpHead is nakama_runtime_abi::http::HttpRequest without its body.
type httpHead struct {
	Method       string              `json:"method"`
	Path         string              `json:"path"`
	Query        map[string][]string `json:"query"`
	Headers      map[string][]string `json:"headers"`
	Vars         map[string]string   `json:"vars"`
	HTTPKeyValid bool                `json:"http_key_valid"`
}

// httpAnswer is nakama_runtime_abi::http::HttpResponse without its body.
type httpAnswer struct {
	Status  int         `json:"status"`
	Headers [][2]string `json:"headers"`
}

// httpCaller calls a Rust HTTP handler: bridge.call with InitModule's
// logger and NakamaModule (a Go handler gets neither), or a stand-in in
// tests.
type httpCaller func(h *handler, ctx context.Context, input string) (string, int)

func (b *bridge) httpCall(h *handler, ctx context.Context, input string) (string, int) {
	return b.call(h, ctx, b.init.logger, b.init.nk, input)
}

// splitHTTPID is the methods (none: any) and path pattern of an HTTP
// handler's registration id (nakama_runtime_abi::http::registration_id).
func splitHTTPID(id string) ([]string, string) {
	methods, pattern, ok := strings.Cut(id, " ")
	if !ok {
		return nil, id
	}
	if methods == "" {
		return nil, pattern
	}
	return strings.Split(methods, ","), pattern
}

// httpHandler is what RegisterHttp takes for Rust handler h. httpKey is
// runtime.http_key: the request says whether it carries it, as the RPC
// route accepts it (Nakama checks nothing on these routes).
func httpHandler(h *handler, call httpCaller, httpKey string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			// net/http would recover a panic by dropping the connection;
			// the client gets a 500 instead, as for a module's panic.
			if p := recover(); p != nil {
				writeHTTPError(w, 13, fmt.Sprintf("the Rust bridge panicked in an HTTP handler: %v", p))
			}
		}()
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				// The dev host's words and bytes: the gateway's answer.
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				_, _ = io.WriteString(w, `{"code":3, "message":"http: request body too large"}`)
				return
			}
			writeHTTPError(w, 13, err.Error())
			return
		}
		out, code := call(h, httpContext(r), encodeHTTPRequest(r, httpKey, body))
		if code == codeNotFound {
			writeHTTPError(w, 5, "no Rust module handles this call")
			return
		}
		if code != 0 {
			writeHTTPError(w, code, out)
			return
		}
		answer, respBody, err := decodeHTTPAnswer(out)
		if err != nil {
			writeHTTPError(w, 13, "an HTTP handler answered an undecodable response: "+err.Error())
			return
		}
		if answer.Status < 100 || answer.Status > 999 {
			writeHTTPError(w, 13, fmt.Sprintf("an HTTP handler answered status %d", answer.Status))
			return
		}
		header := w.Header()
		// No Content-Type unless the module sets one (net/http would guess
		// one from the body; the dev host does not).
		header["Content-Type"] = nil
		for _, kv := range answer.Headers {
			header.Add(kv[0], kv[1])
		}
		w.WriteHeader(answer.Status)
		_, _ = w.Write(respBody)
	}
}

// encodeHTTPRequest is the call's input: the head's length, the head, the
// body.
func encodeHTTPRequest(r *http.Request, httpKey string, body []byte) string {
	head := httpHead{
		Method:       r.Method,
		Path:         r.URL.Path,
		Query:        r.URL.Query(),
		Headers:      r.Header,
		Vars:         mux.Vars(r),
		HTTPKeyValid: carriesHTTPKey(r, httpKey),
	}
	// Empty maps, not null: the Rust side decodes maps.
	if head.Headers == nil {
		head.Headers = map[string][]string{}
	}
	if head.Vars == nil {
		head.Vars = map[string]string{}
	}
	encoded, _ := json.Marshal(head) // maps of strings: cannot fail
	var b strings.Builder
	b.Grow(4 + len(encoded) + len(body))
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(encoded)))
	b.Write(n[:])
	b.Write(encoded)
	b.Write(body)
	return b.String()
}

// decodeHTTPAnswer splits a handler's output into its head and body.
func decodeHTTPAnswer(out string) (httpAnswer, []byte, error) {
	var answer httpAnswer
	if len(out) < 4 {
		return answer, nil, errors.New("shorter than its length prefix")
	}
	n := int(binary.LittleEndian.Uint32([]byte(out[:4])))
	if n > len(out)-4 {
		return answer, nil, errors.New("shorter than its head's length")
	}
	if err := json.Unmarshal([]byte(out[4:4+n]), &answer); err != nil {
		return answer, nil, err
	}
	return answer, []byte(out[4+n:]), nil
}

// carriesHTTPKey: the query's http_key (when not empty) is the key, or
// else Basic auth's user name is, as Nakama's RPC route takes it.
func carriesHTTPKey(r *http.Request, httpKey string) bool {
	if k := r.URL.Query().Get("http_key"); k != "" {
		return k == httpKey
	}
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		return false
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(auth))
	if err != nil {
		return false
	}
	user, _, _ := strings.Cut(string(decoded), ":")
	return user == httpKey
}

// httpContext is the request's context with the runtime context a Rust
// handler reads (Nakama gives Go handlers none): headers, the query
// without http_key, the client's address. Mode, node, version and env
// are the bridge's.
func httpContext(r *http.Request) context.Context {
	query := r.URL.Query()
	delete(query, "http_key")
	ctx := context.WithValue(r.Context(), runtime.RUNTIME_CTX_HEADERS, map[string][]string(r.Header))
	ctx = context.WithValue(ctx, runtime.RUNTIME_CTX_QUERY_PARAMS, map[string][]string(query))
	if host, port, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ctx = context.WithValue(ctx, runtime.RUNTIME_CTX_CLIENT_IP, host)
		ctx = context.WithValue(ctx, runtime.RUNTIME_CTX_CLIENT_PORT, port)
	}
	return ctx
}

// writeHTTPError answers a call error as the dev host does: its code's
// status and {"code","message"} (the gateway's shape).
func writeHTTPError(w http.ResponseWriter, code int, message string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as serde_json writes it
	_ = enc.Encode(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{code, message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatusOf(code))
	_, _ = w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// httpStatusOf is grpc-gateway's status for a gRPC code.
func httpStatusOf(code int) int {
	statuses := [...]int{200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401}
	if code >= 0 && code < len(statuses) {
		return statuses[code]
	}
	return 500
}

// shutdownHook is what RegisterShutdown takes for Rust hook h: Nakama runs
// it on a termination signal when shutdown_grace_sec > 0, with a context
// (mode shutdown) that ends with the grace period. A Go shutdown function
// returns nothing: the module's error is logged, in the dev host's words,
// and a panic in the bridge is logged instead of stopping the shutdown.
func shutdownHook(h *handler, call matchCaller) func(context.Context, runtime.Logger, *sql.DB, runtime.NakamaModule) {
	return func(ctx context.Context, logger runtime.Logger, _ *sql.DB, nk runtime.NakamaModule) {
		defer func() {
			if p := recover(); p != nil {
				logger.Error("the Rust bridge panicked in the shutdown hook: %v", p)
			}
		}()
		if out, code := call(h, ctx, logger, nk, ""); code != 0 {
			logger.WithFields(map[string]interface{}{"code": code, "error": out}).
				Error("Runtime shutdown function returned an error")
		}
	}
}
