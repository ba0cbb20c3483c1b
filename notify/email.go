package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"
)

const smtpTimeout = 30 * time.Second

// email sends a plain-text UTF-8 mail through an SMTP server.
type email struct {
	label
	cfg   SMTPConfig
	from  *mail.Address
	to    map[string][]*mail.Address // keyed like Routed.Recipients
	roots *x509.CertPool             // nil = the system's; tests trust their own server
}

func newEmail(name string, cfg SMTPConfig) (*email, error) {
	e := &email{label: label("email:" + name), cfg: cfg, to: map[string][]*mail.Address{}}
	var err error
	if e.from, err = mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp.from: %w", err)
	}
	for key, list := range cfg.To {
		for _, s := range list {
			a, err := mail.ParseAddress(s)
			if err != nil {
				return nil, fmt.Errorf("smtp.to[%s]: %w", key, err)
			}
			e.to[key] = append(e.to[key], a)
		}
	}
	return e, nil
}

func (e *email) Send(ctx context.Context, m Message) error {
	var to []*mail.Address
	for _, key := range slices.Sorted(maps.Keys(e.to)) {
		if matches(key, m) {
			to = append(to, e.to[key]...)
		}
	}
	if len(to) == 0 {
		return e.wrap(Permanent(fmt.Errorf("smtp.to has no address for %s %s", m.Recipient, m.District)))
	}
	err := e.deliver(ctx, to, e.compose(m, to))
	var reply *textproto.Error
	if errors.As(err, &reply) && reply.Code >= 500 {
		err = Permanent(err) // the server refused the sender, a recipient, the login or the message
	}
	return e.wrap(err)
}

// compose writes the mail: Chinese before English, quoted-printable so that any relay carries it, and a
// Message-ID derived from the Key so that a retried delivery is recognisable as the same mail.
func (e *email) compose(m Message, to []*mail.Address) []byte {
	names := make([]string, len(to))
	for i, a := range to {
		names[i] = a.String()
	}
	id := sha256.Sum256([]byte(m.Key))
	domain := e.from.Address[strings.LastIndexByte(e.from.Address, '@')+1:]
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", e.from, strings.Join(names, ", "))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.TitleZh+" / "+m.TitleEn))
	fmt.Fprintf(&b, "Date: %s\r\nMessage-ID: <%x@%s>\r\n", m.At.Format(time.RFC1123Z), id[:16], domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(m.TitleZh + "\r\n" + m.TitleEn + "\r\n\r\n" + strings.Join(details(m), "\r\n") + "\r\n"))
	qp.Close()
	return b.Bytes()
}

func (e *email) deliver(ctx context.Context, to []*mail.Address, msg []byte) error {
	dialer := net.Dialer{Timeout: smtpTimeout}
	conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(e.cfg.Host, strconv.Itoa(e.cfg.Port)))
	if err != nil {
		return err
	}
	// net/smtp takes no context: a deadline bounds the conversation and cancelling ctx cuts it short.
	conn.SetDeadline(time.Now().Add(smtpTimeout))
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	c, err := smtp.NewClient(conn, e.cfg.Host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if e.cfg.StartTLS {
		if err := c.StartTLS(&tls.Config{ServerName: e.cfg.Host, RootCAs: e.roots,
			MinVersion: tls.VersionTLS12}); err != nil {
			return err
		}
	}
	if e.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", e.cfg.Username, e.cfg.Password, e.cfg.Host)); err != nil {
			return err
		}
	}
	if err := c.Mail(e.from.Address); err != nil {
		return err
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	c.Quit() // the server has accepted the mail: a failed QUIT must not cause a second copy
	return nil
}
