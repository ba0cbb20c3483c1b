package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
)

// session is what the fake SMTP server received in one connection.
type session struct {
	tls        bool
	auth, from string
	rcpt       []string
	data       []byte
}

// fakeSMTP accepts one connection on 127.0.0.1 and speaks enough SMTP for net/smtp: EHLO, STARTTLS (when cert is
// given), AUTH PLAIN, MAIL, RCPT (answered with rcptReply), DATA and QUIT.
func fakeSMTP(t *testing.T, rcptReply string, cert *tls.Certificate) (int, <-chan session) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan session, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		var s session
		defer func() { got <- s }()
		tp := textproto.NewConn(conn)
		tp.PrintfLine("220 fake ESMTP")
		for {
			line, err := tp.ReadLine()
			if err != nil {
				return
			}
			verb, arg, _ := strings.Cut(line, " ")
			switch strings.ToUpper(verb) {
			case "EHLO":
				if cert != nil && !s.tls {
					tp.PrintfLine("250-fake\r\n250-STARTTLS\r\n250 AUTH PLAIN")
				} else {
					tp.PrintfLine("250-fake\r\n250 AUTH PLAIN")
				}
			case "STARTTLS":
				tp.PrintfLine("220 go ahead")
				tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{*cert}})
				if tc.Handshake() != nil {
					return
				}
				s.tls, tp = true, textproto.NewConn(tc)
			case "AUTH":
				s.auth = arg
				tp.PrintfLine("235 ok")
			case "MAIL":
				s.from = arg
				tp.PrintfLine("250 ok")
			case "RCPT":
				s.rcpt = append(s.rcpt, arg)
				tp.PrintfLine("%s", rcptReply)
			case "DATA":
				tp.PrintfLine("354 go ahead")
				if s.data, err = tp.ReadDotBytes(); err != nil {
					return
				}
				tp.PrintfLine("250 queued")
			case "QUIT":
				tp.PrintfLine("221 bye")
				return
			default:
				tp.PrintfLine("502 unknown command")
			}
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, got
}

func emailConfig(port int, startTLS bool) ChannelConfig {
	return ChannelConfig{Name: "mail", Type: "email", SMTP: &SMTPConfig{
		Host: "127.0.0.1", Port: port, Username: "duban", Password: "pa55", StartTLS: startTLS,
		From: "督导办 <duban@example.gov.cn>",
		To: map[string][]string{
			"office":          {"office@example.gov.cn"},
			"district:*":      {"monitor@example.gov.cn"},
			"district:370211": {"李老师 <jyj@huangdao.example.cn>"},
			"district:370212": {"other@example.cn"},
		},
	}}
}

func TestEmailMessage(t *testing.T) {
	port, got := fakeSMTP(t, "250 ok", nil)
	if err := build(t, emailConfig(port, false)).Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	s := receive(t, got)
	if s.from != "FROM:<duban@example.gov.cn>" ||
		fmt.Sprint(s.rcpt) != "[TO:<monitor@example.gov.cn> TO:<jyj@huangdao.example.cn>]" {
		t.Errorf("envelope %s %v", s.from, s.rcpt)
	}
	if plain, _ := base64.StdEncoding.DecodeString(
		strings.TrimPrefix(s.auth, "PLAIN ")); string(plain) != "\x00duban\x00pa55" {
		t.Errorf("AUTH %q", s.auth)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(s.data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "整改事项逾期，挂牌督办 / Rectification item overdue: escalated" {
		t.Errorf("subject %q (%v) from %q", subject, err, msg.Header.Get("Subject"))
	}
	if !strings.HasPrefix(msg.Header.Get("Subject"), "=?utf-8?q?") {
		t.Errorf("subject not Q-encoded: %q", msg.Header.Get("Subject"))
	}
	sum := sha256.Sum256([]byte(sample.Key))
	from, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("From"))
	for name, want := range map[string]string{
		"Message-ID":   fmt.Sprintf("<%x@example.gov.cn>", sum[:16]),
		"Date":         "Sun, 01 Jun 2025 09:30:00 +0800",
		"Content-Type": "text/plain; charset=UTF-8",
		"To":           "<monitor@example.gov.cn>, =?utf-8?q?=E6=9D=8E=E8=80=81=E5=B8=88?= <jyj@huangdao.example.cn>",
	} {
		if got := msg.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if from != "督导办 <duban@example.gov.cn>" {
		t.Errorf("From %q", from)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	want := "整改事项逾期，挂牌督办\nRectification item overdue: escalated\n\n区县 District: 370211\n年度 Year: 2025\n" +
		"类型 Kind: escalation\n事项 Target: finding:2025:370211:3\n时间 Time: 2025-06-01 09:30 +08:00\n"
	if got := strings.ReplaceAll(string(body), "\r\n", "\n"); err != nil || got != want {
		t.Errorf("body (%v)\n%s\nwant\n%s", err, got, want)
	}
}

func TestEmailStartTLS(t *testing.T) {
	// httptest's certificate is valid for 127.0.0.1; the channel must verify it against the roots it trusts.
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	cert := &tlsSrv.TLS.Certificates[0]
	trusted := x509.NewCertPool()
	trusted.AddCert(tlsSrv.Certificate())

	port, got := fakeSMTP(t, "250 ok", cert)
	ch := build(t, emailConfig(port, true))
	ch.(*email).roots = trusted
	if err := ch.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	if s := receive(t, got); !s.tls || s.auth == "" || s.data == nil {
		t.Errorf("session %+v, want AUTH and DATA over TLS", s)
	}

	port, got = fakeSMTP(t, "250 ok", cert)
	err := build(t, emailConfig(port, true)).Send(context.Background(), sample) // system roots: unknown authority
	if err == nil || strings.Contains(err.Error(), "pa55") {
		t.Fatalf("untrusted certificate: %v", err)
	}
	if s := receive(t, got); s.tls || s.auth != "" || s.from != "" {
		t.Errorf("sent %+v to an unverified server", s)
	}
}

func TestEmailErrorClassification(t *testing.T) {
	for reply, want := range map[string]string{
		"550 5.1.1 no such user": "permanent",
		"451 4.3.0 try later":    "retryable",
	} {
		port, got := fakeSMTP(t, reply, nil)
		err := build(t, emailConfig(port, false)).Send(context.Background(), sample)
		if outcome(err) != want {
			t.Errorf("RCPT answered %q: %v, want %s", reply, err, want)
		}
		receive(t, got)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if err := build(t, emailConfig(port, false)).Send(context.Background(), sample); outcome(err) != "retryable" {
		t.Errorf("connection refused: %v, want retryable", err)
	}

	cfg := emailConfig(port, false)
	delete(cfg.SMTP.To, "district:*")
	other := sample
	other.District = "370213"
	if err := build(t, cfg).Send(context.Background(), other); outcome(err) != "permanent" {
		t.Errorf("no address for 370213: %v, want permanent", err)
	}
}
