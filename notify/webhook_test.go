package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var sample = Message{
	Key: "finding:2025:370211:3/escalation", Recipient: "district", District: "370211", Year: 2025,
	Target: "finding:2025:370211:3", Kind: "escalation",
	TitleZh: "整改事项逾期，挂牌督办", TitleEn: "Rectification item overdue: escalated",
	At: time.Date(2025, 6, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600)),
}

type request struct {
	method, rawQuery, body string
	header                 http.Header
}

// serve starts a server that answers every request with status and reply and passes on what it received.
func serve(t *testing.T, status int, reply string) (string, <-chan request) {
	t.Helper()
	got := make(chan request, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- request{r.Method, r.URL.RawQuery, string(body), r.Header}
		w.WriteHeader(status)
		io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("the server received nothing")
		panic("unreachable")
	}
}

// build makes the one channel that cfg describes.
func build(t *testing.T, cfg ChannelConfig) Channel {
	t.Helper()
	chs, err := Build(Config{Channels: []ChannelConfig{cfg}})
	if err != nil {
		t.Fatal(err)
	}
	return chs[0].Channel
}

func TestWebhookBodyAndHeaders(t *testing.T) {
	url, got := serve(t, http.StatusNoContent, "")
	ch := build(t, ChannelConfig{Name: "ops", Type: "webhook", URL: url + "/hook", Secret: "s3cret"})
	if ch.Name() != "webhook:ops" {
		t.Errorf("name %q", ch.Name())
	}
	if err := ch.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	r := receive(t, got)
	want := `{"key":"finding:2025:370211:3/escalation","recipient":"district","district":"370211","year":2025,` +
		`"target":"finding:2025:370211:3","kind":"escalation","title_zh":"整改事项逾期，挂牌督办",` +
		`"title_en":"Rectification item overdue: escalated","at":"2025-06-01T09:30:00+08:00"}`
	if r.method != http.MethodPost || r.body != want {
		t.Errorf("%s body\n%s\nwant\n%s", r.method, r.body, want)
	}
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write([]byte(want))
	for name, want := range map[string]string{
		"Content-Type":        "application/json",
		"Idempotency-Key":     sample.Key,
		"X-Junheng-Signature": "sha256=" + hex.EncodeToString(mac.Sum(nil)),
	} {
		if got := r.header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

func TestWebhookUnsignedWithoutSecret(t *testing.T) {
	url, got := serve(t, http.StatusOK, "")
	if err := build(t, ChannelConfig{Name: "ops", Type: "webhook", URL: url}).
		Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	if sig := receive(t, got).header.Get("X-Junheng-Signature"); sig != "" {
		t.Errorf("signature %q without a secret", sig)
	}
}

func TestHTTPStatusClassification(t *testing.T) {
	for status, want := range map[int]string{
		200: "delivered", 202: "delivered",
		400: "permanent", 401: "permanent", 404: "permanent", 410: "permanent",
		408: "retryable", 429: "retryable", 500: "retryable", 502: "retryable", 503: "retryable",
	} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			url, _ := serve(t, status, "nope")
			err := build(t, ChannelConfig{Name: "ops", Type: "webhook", URL: url}).Send(context.Background(), sample)
			if got := outcome(err); got != want {
				t.Errorf("HTTP %d: %s (%v), want %s", status, got, err, want)
			}
		})
	}
}

func outcome(err error) string {
	switch {
	case err == nil:
		return "delivered"
	case IsPermanent(err):
		return "permanent"
	}
	return "retryable"
}

func TestHTTPRespectsContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // answers only after the client has given up
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := build(t, ChannelConfig{Name: "ops", Type: "webhook", URL: srv.URL}).Send(ctx, sample)
	if !errors.Is(err, context.DeadlineExceeded) || IsPermanent(err) {
		t.Errorf("got %v, want a retryable deadline error", err)
	}
}

func TestErrorsHideURLAndSecret(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/robot/send?access_token=TOKEN-abc"
	srv.Close() // connection refused from now on
	for _, cfg := range []ChannelConfig{
		{Name: "a", Type: "dingtalk", URL: url, Secret: "SEC-xyz"},
		{Name: "b", Type: "webhook", URL: url, Secret: "SEC-xyz"},
	} {
		err := build(t, cfg).Send(context.Background(), sample)
		if err == nil || IsPermanent(err) {
			t.Fatalf("%s: got %v, want a retryable error", cfg.Type, err)
		}
		if msg := err.Error(); strings.Contains(msg, "TOKEN") || strings.Contains(msg, "SEC-") ||
			strings.Contains(msg, "/robot") {
			t.Errorf("%s: the error shows the URL or secret: %s", cfg.Type, msg)
		}
	}
}
