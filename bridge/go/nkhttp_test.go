package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/runtime"
)

func TestHTTPRequestAnswersWhateverTheStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Add("X-Seen", r.Method+" "+r.Header.Get("X-Test")+" "+string(body))
		w.WriteHeader(418)
		_, _ = w.Write([]byte("teapot"))
	}))
	defer srv.Close()
	got, err := httpRequest(context.Background(), httpRequestArgs{
		URL: srv.URL + "/x", Method: "pOsT", Headers: map[string]string{"x-test": "v"}, Body: []byte("hi"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != 418 || string(got.Body) != "teapot" || got.Headers["X-Seen"][0] != "POST v hi" {
		t.Fatalf("%+v", got)
	}
}

func TestHTTPRequestRefusalsAndFailuresHaveTheirCodes(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Second)
	}))
	defer slow.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "http://" + closed.Addr().String() + "/"
	_ = closed.Close()
	for _, c := range []struct {
		args   httpRequestArgs
		code   int
		prefix string
	}{
		{httpRequestArgs{Method: "get"}, 3, "URL string cannot be empty."},
		{httpRequestArgs{URL: "http://x", Method: "trace"}, 3, "Invalid method must be one of: 'get', 'post', 'put', 'patch', 'delete', 'head'."},
		{httpRequestArgs{URL: "/relative", Method: "get"}, 3, "HTTP request is invalid: "},
		{httpRequestArgs{URL: "http://x", Method: "get", Headers: map[string]string{"bad name": "v"}}, 3, "HTTP request is invalid: header name"},
		{httpRequestArgs{URL: "http://x", Method: "get", Headers: map[string]string{"X-A": "a\nb"}}, 3, "HTTP request is invalid: header x-a value"},
		{httpRequestArgs{URL: slow.URL, Method: "get", TimeoutMs: 200}, 4, "HTTP request error: "},
		{httpRequestArgs{URL: closedURL, Method: "get"}, 14, "HTTP request error: "},
	} {
		_, err := httpRequest(context.Background(), c.args)
		var re *runtime.Error
		if !errors.As(err, &re) || re.Code != c.code || !strings.HasPrefix(re.Message, c.prefix) {
			t.Errorf("%+v: %v", c.args, err)
		}
	}
}
