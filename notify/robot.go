package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// robot posts markdown to a WeCom or DingTalk group robot. Both answer HTTP 200 with {"errcode":0,"errmsg":"ok"}
// and report refusals through errcode.
type robot struct {
	label
	client    *http.Client
	target    func() string // the webhook URL; DingTalk's signed mode adds a fresh signature to each request
	body      func(Message) any
	retryable []int // errcodes that a later attempt may pass: rate limits and "system busy" (-1)
}

func newWeCom(name, webhookURL string, client *http.Client) *robot {
	return &robot{
		label:  label("wecom:" + name),
		client: client,
		target: func() string { return webhookURL },
		body: func(m Message) any {
			type markdown struct {
				Content string `json:"content"`
			}
			return struct {
				MsgType  string   `json:"msgtype"`
				Markdown markdown `json:"markdown"`
			}{"markdown", markdown{markdownText(m, "\n")}}
		},
		retryable: []int{-1, 45009},
	}
}

// newDingTalk builds a DingTalk robot; with a secret, each request carries timestamp (ms from now) and sign.
func newDingTalk(name, webhookURL, secret string, client *http.Client, now func() time.Time) *robot {
	target := func() string { return webhookURL }
	if secret != "" {
		target = func() string {
			u, _ := url.Parse(webhookURL) // validated in LoadConfig
			ts := strconv.FormatInt(now().UnixMilli(), 10)
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write([]byte(ts + "\n" + secret))
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
			u.RawQuery = q.Encode() // URL-encodes the base64's + / =
			return u.String()
		}
	}
	return &robot{
		label:  label("dingtalk:" + name),
		client: client,
		target: target,
		body: func(m Message) any {
			type markdown struct {
				Title string `json:"title"`
				Text  string `json:"text"`
			}
			return struct {
				MsgType  string   `json:"msgtype"`
				Markdown markdown `json:"markdown"`
			}{"markdown", markdown{m.TitleZh, markdownText(m, "\n\n")}}
		},
		retryable: []int{-1, 130101},
	}
}

func (r *robot) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(r.body(m))
	if err != nil {
		return r.wrap(Permanent(err))
	}
	reply, err := post(ctx, r.client, r.target(), m.Key, body, nil)
	if err != nil {
		return r.wrap(err)
	}
	var answer struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.Unmarshal(reply, &answer) != nil || answer.ErrCode == nil {
		return r.wrap(errors.New("the reply is not a robot's {errcode, errmsg}"))
	}
	if code := *answer.ErrCode; code != 0 {
		err := fmt.Errorf("errcode %d: %.200s", code, answer.ErrMsg)
		if !slices.Contains(r.retryable, code) {
			err = Permanent(err)
		}
		return r.wrap(err)
	}
	return nil
}
