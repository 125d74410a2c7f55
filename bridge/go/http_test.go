package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/heroiclabs/nakama-common/runtime"
)

// encodeAnswer is what a Rust handler answers: the head's length, the
// head, the body.
func encodeAnswer(head string, body string) string {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(head)))
	return string(n[:]) + head + body
}

// A request reaches the handler as the ABI's HttpRequest (path variables
// from the router, every query parameter, whether it has the http key, the
// body as it came); the answer's status, headers and body reach the
// client, with no content type the module did not set.
func TestHTTPHandlersCrossBothWays(t *testing.T) {
	var got string
	var gotCtx context.Context
	call := func(h *handler, ctx context.Context, input string) (string, int) {
		got, gotCtx = input, ctx
		return encodeAnswer(`{"status":201,"headers":[["X-A","1"],["X-A","2"]]}`, "\x00\xffok"), 0
	}
	methods, pattern := splitHTTPID("POST,PUT /g/{id}/x")
	if strings.Join(methods, ",") != "POST,PUT" || pattern != "/g/{id}/x" {
		t.Fatalf("split %v %q", methods, pattern)
	}
	if m, p := splitHTTPID(" /any"); m != nil || p != "/any" {
		t.Fatalf("split %v %q", m, p)
	}
	router := mux.NewRouter()
	router.HandleFunc(pattern, httpHandler(&handler{kind: kindHTTP}, call, "key")).Methods(methods...)

	req := httptest.NewRequest("POST", "/g/42/x?a=1&a=2&http_key=key", strings.NewReader("b\x00dy"))
	req.Header.Set("X-Custom", "v")
	w := httptest.NewRecorder()
	router.ServeHTTP(w, req)

	if w.Code != 201 || w.Body.String() != "\x00\xffok" || strings.Join(w.Header().Values("X-A"), ",") != "1,2" {
		t.Errorf("answer %d %q %v", w.Code, w.Body.String(), w.Header())
	}
	if ct := w.Header().Values("Content-Type"); len(ct) != 0 {
		t.Errorf("a content type the module did not set: %v", ct)
	}
	n := binary.LittleEndian.Uint32([]byte(got[:4]))
	var head httpHead
	if err := json.Unmarshal([]byte(got[4:4+n]), &head); err != nil {
		t.Fatal(err)
	}
	if head.Method != "POST" || head.Path != "/g/42/x" || head.Vars["id"] != "42" ||
		strings.Join(head.Query["a"], ",") != "1,2" || head.Headers["X-Custom"][0] != "v" || !head.HTTPKeyValid {
		t.Errorf("head %+v", head)
	}
	if body := got[4+n:]; body != "b\x00dy" {
		t.Errorf("body %q", body)
	}
	// The context has the headers and the query without http_key.
	query, _ := gotCtx.Value(runtime.RUNTIME_CTX_QUERY_PARAMS).(map[string][]string)
	if _, ok := query["http_key"]; ok || len(query["a"]) != 2 {
		t.Errorf("context query %v", query)
	}
}

// Errors answer their code's status with {"code","message"}, as the dev
// host does; so do a bad answer and a panic in the bridge; a body over
// the limit is the API's 400.
func TestHTTPHandlerErrors(t *testing.T) {
	serve := func(call httpCaller, body io.Reader) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/e", body)
		req.Body = http.MaxBytesReader(w, req.Body, 4)
		httpHandler(&handler{}, call, "key")(w, req)
		return w
	}
	answer := func(out string, code int) httpCaller {
		return func(*handler, context.Context, string) (string, int) { return out, code }
	}
	cases := []struct {
		call   httpCaller
		body   string
		status int
		text   string
	}{
		{answer("no <entry>", 7), "", 403, `{"code":7,"message":"no <entry>"}`},
		{answer("", codeNotFound), "", 404, `{"code":5,"message":"no Rust module handles this call"}`},
		{answer("\x01", 0), "", 500, `{"code":13,"message":"an HTTP handler answered an undecodable response: shorter than its length prefix"}`},
		{answer(encodeAnswer(`{"status":0}`, ""), 0), "", 500, `{"code":13,"message":"an HTTP handler answered status 0"}`},
		{func(*handler, context.Context, string) (string, int) { panic("boom") }, "", 500,
			`{"code":13,"message":"the Rust bridge panicked in an HTTP handler: boom"}`},
		{answer("unused", 0), "12345", 400, `{"code":3, "message":"http: request body too large"}`},
	}
	for i, c := range cases {
		w := serve(c.call, strings.NewReader(c.body))
		if w.Code != c.status || w.Body.String() != c.text || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("case %d: %d %s %v", i, w.Code, w.Body.String(), w.Header())
		}
	}
}

func TestTheHTTPKeyIsRecognisedAsTheRPCRouteTakesIt(t *testing.T) {
	for _, c := range []struct {
		query, auth string
		want        bool
	}{
		{"http_key=key", "", true},
		{"http_key=nope", "Basic a2V5Og==", false},
		{"http_key=", "Basic a2V5Og==", true},
		{"", "Basic a2V5", true},
		{"", "Bearer key", false},
		{"", "", false},
	} {
		req := httptest.NewRequest("GET", "/x?"+c.query, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		if got := carriesHTTPKey(req, "key"); got != c.want {
			t.Errorf("%q %q: %v", c.query, c.auth, got)
		}
	}
}

// The shutdown hook is called with Nakama's context; its error and a
// panic in the bridge are logged, never raised.
func TestTheShutdownHookLogsItsError(t *testing.T) {
	var input string
	hook := shutdownHook(&handler{kind: kindShutdown}, func(h *handler, ctx context.Context, l runtime.Logger, nk runtime.NakamaModule, in string) (string, int) {
		input = in
		return "no luck", 9
	})
	logger := newTestLogger()
	hook(context.Background(), logger, nil, nil)
	if input != "" || len(*logger.lines) != 1 || !strings.Contains((*logger.lines)[0], "Runtime shutdown function returned an error") ||
		!strings.Contains((*logger.lines)[0], "no luck") {
		t.Errorf("input %q, log %v", input, *logger.lines)
	}
	panicky := shutdownHook(&handler{}, func(*handler, context.Context, runtime.Logger, runtime.NakamaModule, string) (string, int) {
		panic("boom")
	})
	logger = newTestLogger()
	panicky(context.Background(), logger, nil, nil)
	if len(*logger.lines) != 1 || !strings.Contains((*logger.lines)[0], "panicked in the shutdown hook: boom") {
		t.Errorf("log %v", *logger.lines)
	}
}
