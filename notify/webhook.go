package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"time"
)

const (
	httpTimeout = 10 * time.Second
	maxReply    = 64 << 10 // robots answer a few dozen bytes; a proxy's error page is cut here
)

// webhook POSTs the message as JSON, signed with HMAC-SHA256 of the body when a secret is set.
type webhook struct {
	label
	client *http.Client
	url    string
	secret string
}

func (w *webhook) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return w.wrap(Permanent(err))
	}
	header := http.Header{}
	if w.secret != "" {
		mac := hmac.New(sha256.New, []byte(w.secret))
		mac.Write(body)
		header.Set("X-Junheng-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	_, err = post(ctx, w.client, w.url, m.Key, body, header)
	return w.wrap(err)
}

// post sends a JSON body and returns the reply to a 2xx answer. Errors name only the host: the rest of the URL
// may hold the robot's token.
func post(ctx context.Context, client *http.Client, target, key string, body []byte,
	header http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, Permanent(errors.New("invalid URL")) // validated in LoadConfig; the parse error would quote it
	}
	maps.Copy(req.Header, header)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL
		}
		return nil, fmt.Errorf("POST %s: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := fmt.Errorf("POST %s: HTTP %s", req.URL.Host, resp.Status)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 &&
			resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
			return nil, Permanent(err)
		}
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("POST %s: reading the reply: %w", req.URL.Host, err)
	}
	return reply, nil
}
