package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/store"
	"junheng/usecase"
)

const (
	headerIdempotencyKey = "Idempotency-Key"
	requestHashKey       = "request_hash"   // the start of the request's hash, for its Update's ID
	secretAnswerKey      = "answers_secret" // set by routes whose answer holds a secret
)

// answersSecret marks a route whose answer holds a secret (a new token): idempotent keeps a refusal in its place.
func answersSecret(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(secretAnswerKey, true)
		return next(c)
	}
}

// secretShownOnce is what a retry of a request that was answered with a secret gets: the secret is never stored,
// so the request is not repeated and its answer cannot be shown again.
func secretShownOnce(requestID string) []byte {
	p := problem(http.StatusConflict, "secret_shown_once",
		"该请求已执行, 其结果含有密钥(如新令牌), 只在首次应答中显示一次, 不会再次显示; 如未收到, 请吊销后重新签发",
		"this request was carried out and its answer held a secret (such as a new token), shown once only in the "+
			"first answer; if it was lost, revoke it and issue a new one")
	p.RequestID = requestID
	body, _ := json.Marshal(p) // a Problem always encodes
	return body
}

// idempotent makes a POST or PUT carrying an Idempotency-Key answer a retry with the first response, without
// acting twice. The key belongs to the token; reusing it for a different request is refused. A first request
// that failed with a 5xx is forgotten, so its retry runs again (and its Update, whose ID derives from the key,
// still runs at most once in Temporal). An answer holding a secret is never stored (the table would keep a live
// token in plain text): a retry gets a 409 saying it was shown once.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get(headerIdempotencyKey)
		if key == "" || (c.Request().Method != http.MethodPost && c.Request().Method != http.MethodPut) {
			return next(c)
		}
		if len(key) > 200 {
			return usecase.InvalidInput(FieldError{Field: headerIdempotencyKey, MessageZh: "幂等键不能超过 200 个字符",
				MessageEn: "at most 200 characters"})
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request().Method+" "+c.Request().URL.RequestURI()+"\n"), body...))
		c.Set(requestHashKey, hex.EncodeToString(sum[:8]))
		who := strconv.FormatInt(principal(c).TokenID, 10)
		ctx := c.Request().Context()
		claimed, prior, err := s.store.ClaimIdempotencyKey(ctx, &store.IdempotentRequest{Principal: who, Key: key,
			RequestHash: hex.EncodeToString(sum[:]), CreatedAt: time.Now().UTC()})
		if err != nil {
			return err
		}
		if !claimed {
			switch {
			case prior.RequestHash != hex.EncodeToString(sum[:]):
				return problem(http.StatusUnprocessableEntity, "idempotency_key_reused", "该幂等键已用于另一个请求",
					"this Idempotency-Key was used for a different request")
			case prior.Status != 0:
				c.Response().Header().Set("Idempotent-Replayed", "true")
				return c.Blob(prior.Status, prior.ContentType, prior.Body)
			}
			// Still in progress: wait for it, unless its process died with it: it was claimed before this process
			// started, or longer ago than any live request lasts. A retaken action still runs once in Temporal,
			// whose Update ID derives from the key.
			staleBefore := time.Now().Add(-usecase.ActionTimeout - 30*time.Second)
			if s.started.After(staleBefore) {
				staleBefore = s.started
			}
			retaken, err := s.store.RetakeIdempotencyKey(ctx, who, key, staleBefore.UTC())
			if err != nil {
				return err
			}
			if !retaken {
				return problem(http.StatusConflict, "in_progress", "相同幂等键的请求正在处理, 请稍后重试",
					"a request with this Idempotency-Key is still being answered; retry shortly")
			}
		}
		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		if err := next(c); err != nil {
			c.Error(err) // render the error now, so that it is what a retry gets back
		}
		status, answer := c.Response().Status, rec.body.Bytes()
		contentType := c.Response().Header().Get(echo.HeaderContentType)
		if secret, _ := c.Get(secretAnswerKey).(bool); secret && status < 400 {
			status, contentType = http.StatusConflict, "application/problem+json"
			answer = secretShownOnce(c.Response().Header().Get(echo.HeaderXRequestID))
		}
		ctx = context.WithoutCancel(ctx) // the answer is recorded even if the client has gone
		if status >= 500 {
			err = s.store.ReleaseIdempotencyKey(ctx, who, key)
		} else {
			err = s.store.CompleteIdempotencyKey(ctx, who, key, status, contentType, answer)
		}
		if err != nil {
			s.log.Error("idempotency record not saved", "key", key, "error", err)
		}
		return nil
	}
}

// recorder keeps a copy of the response body.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
