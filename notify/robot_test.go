package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// quotes is sample's details as the robots' JSON carries them, each line a quote (">" escaped by encoding/json).
func quotes(sep string) string {
	return `\n\n\u003e ` + strings.Join([]string{"区县 District: 370211", "年度 Year: 2025", "类型 Kind: escalation",
		"事项 Target: finding:2025:370211:3", "时间 Time: 2025-06-01 09:30 +08:00"}, sep+`\u003e `)
}

func TestWeComBody(t *testing.T) {
	srv, got := serve(t, http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
	ch := build(t, ChannelConfig{Name: "duban", Type: "wecom", URL: srv + "/cgi-bin/webhook/send?key=k1"})
	if err := ch.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	r := receive(t, got)
	want := `{"msgtype":"markdown","markdown":{"content":"### 整改事项逾期，挂牌督办\n\nRectification item overdue: escalated` +
		quotes(`\n`) + `"}}`
	if r.body != want || r.rawQuery != "key=k1" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("query %q body\n%s\nwant\n%s", r.rawQuery, r.body, want)
	}
}

func TestDingTalkSignedBody(t *testing.T) {
	srv, got := serve(t, http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
	at := time.UnixMilli(1717205400123)
	const secret = "SEC0123456789abcdef"
	ch := newDingTalk("duban", srv+"/robot/send?access_token=tok", secret, &http.Client{},
		func() time.Time { return at })
	if err := ch.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	r := receive(t, got)
	want := `{"msgtype":"markdown","markdown":{"title":"整改事项逾期，挂牌督办","text":"### 整改事项逾期，挂牌督办\n\n` +
		`Rectification item overdue: escalated` + quotes(`\n\n`) + `"}}`
	if r.body != want {
		t.Errorf("body\n%s\nwant\n%s", r.body, want)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("1717205400123\n" + secret))
	sign := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	q, err := url.ParseQuery(r.rawQuery)
	if err != nil || q.Get("access_token") != "tok" || q.Get("timestamp") != "1717205400123" || q.Get("sign") != sign {
		t.Errorf("query %q, want access_token=tok, timestamp=1717205400123, sign=%s", r.rawQuery, sign)
	}
	if !strings.Contains(r.rawQuery, "sign="+url.QueryEscape(sign)) {
		t.Errorf("sign is not URL-encoded in %q", r.rawQuery)
	}
}

func TestDingTalkUnsignedWithoutSecret(t *testing.T) {
	srv, got := serve(t, http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
	if err := build(t, ChannelConfig{Name: "d", Type: "dingtalk", URL: srv + "?access_token=tok"}).
		Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	if q := receive(t, got).rawQuery; q != "access_token=tok" {
		t.Errorf("query %q", q)
	}
}

func TestRobotErrcodes(t *testing.T) {
	for _, c := range []struct {
		typ    string
		status int
		reply  string
		want   string
	}{
		{"wecom", 200, `{"errcode":0,"errmsg":"ok"}`, "delivered"},
		{"wecom", 200, `{"errcode":45009,"errmsg":"api freq out of limit"}`, "retryable"},
		{"wecom", 200, `{"errcode":-1,"errmsg":"system busy"}`, "retryable"},
		{"wecom", 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`, "permanent"},
		{"wecom", 200, `<html>proxy</html>`, "retryable"},
		{"wecom", 502, `bad gateway`, "retryable"},
		{"dingtalk", 200, `{"errcode":0,"errmsg":"ok"}`, "delivered"},
		{"dingtalk", 200, `{"errcode":130101,"errmsg":"send too fast"}`, "retryable"},
		{"dingtalk", 200, `{"errcode":310000,"errmsg":"sign not match"}`, "permanent"},
		{"dingtalk", 200, `{"errmsg":"ok"}`, "retryable"},
		{"dingtalk", 403, `forbidden`, "permanent"},
	} {
		srv, _ := serve(t, c.status, c.reply)
		err := build(t, ChannelConfig{Name: "r", Type: c.typ, URL: srv}).Send(context.Background(), sample)
		if got := outcome(err); got != c.want {
			t.Errorf("%s answering %d %s: %s (%v), want %s", c.typ, c.status, c.reply, got, err, c.want)
		}
	}
}
