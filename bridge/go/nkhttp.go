package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heroiclabs/nakama-common/runtime"
)

// http_request (abi/src/nk/misc.rs, ABI 1.14): an HTTP request sent for a
// Rust module, as nk.httpRequest of Nakama's JavaScript runtime sends it
// (server/runtime_javascript_nakama.go), which Go's NakamaModule does not
// offer: Go modules use net/http themselves. The dev host sends the same
// (server/src/nk/http_request.rs).

type httpRequestArgs struct {
	URL       string            `json:"url"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers"`
	Body      []byte            `json:"body"` // base64 in JSON
	TimeoutMs int64             `json:"timeout_ms"`
	Insecure  bool              `json:"insecure"`
}

type httpRequestAnswer struct {
	Code    int                 `json:"code"`
	Headers map[string][]string `json:"headers"`
	Body    []byte              `json:"body"`
}

const (
	httpDefaultTimeout = 5 * time.Second
	// The most of a response body read, as the dev host reads.
	httpBodyLimit = 64 << 20
)

// Two clients, as Nakama keeps: one checking TLS certificates, one not.
var (
	httpClient         = &http.Client{}
	httpClientInsecure = func() *http.Client {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by the module
		return &http.Client{Transport: t}
	}()
)

func init() {
	nkFunctions["http_request"] = forward(func(st *callState, a httpRequestArgs) (any, error) {
		return httpRequest(st.ctx, a)
	})
}

func httpInvalid(format string, args ...any) error {
	return runtime.NewError(fmt.Sprintf(format, args...), 3)
}

// httpRequest refuses in Nakama's words first, then in ours what net/http
// would fail on, sends, and answers the response whatever its status.
func httpRequest(ctx context.Context, a httpRequestArgs) (*httpRequestAnswer, error) {
	if a.URL == "" {
		return nil, httpInvalid("URL string cannot be empty.")
	}
	method := strings.ToUpper(a.Method)
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead:
	default:
		return nil, httpInvalid("Invalid method must be one of: 'get', 'post', 'put', 'patch', 'delete', 'head'.")
	}
	u, err := url.Parse(a.URL)
	if err != nil {
		return nil, httpInvalid("HTTP request is invalid: %v", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, httpInvalid("HTTP request is invalid: the URL must be absolute, http or https: %s", a.URL)
	}
	for name, value := range a.Headers {
		if !validHeaderName(name) {
			return nil, httpInvalid("HTTP request is invalid: header name %q", name)
		}
		if !validHeaderValue(value) {
			return nil, httpInvalid("HTTP request is invalid: header %s value %q", strings.ToLower(name), value)
		}
	}
	timeout := httpDefaultTimeout
	if a.TimeoutMs > 0 {
		timeout = time.Duration(a.TimeoutMs) * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if len(a.Body) > 0 {
		body = bytes.NewReader(a.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL, body)
	if err != nil {
		return nil, httpInvalid("HTTP request is invalid: %v", err)
	}
	for name, value := range a.Headers {
		req.Header.Add(name, value)
	}
	client := httpClient
	if a.Insecure {
		client = httpClientInsecure
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, httpFailed("HTTP request error", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, httpBodyLimit+1))
	if err != nil {
		return nil, httpFailed("HTTP response body error", err)
	}
	if len(data) > httpBodyLimit {
		return nil, runtime.NewError(fmt.Sprintf("HTTP response body error: longer than %d bytes", httpBodyLimit), 14)
	}
	return &httpRequestAnswer{Code: resp.StatusCode, Headers: resp.Header, Body: data}, nil
}

// httpFailed: no answer in time is DEADLINE_EXCEEDED (with the dev host's
// prefix for a request), no answer at all UNAVAILABLE.
func httpFailed(what string, err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return runtime.NewError(fmt.Sprintf("HTTP request error: %v", err), 4)
	}
	return runtime.NewError(fmt.Sprintf("%s: %v", what, err), 14)
}

// validHeaderName: a token of RFC 9110 (what net/http sends).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue: no control characters but tab.
func validHeaderValue(value string) bool {
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
