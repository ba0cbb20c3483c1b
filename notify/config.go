package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is the deployment's channel list.
type Config struct {
	Channels []ChannelConfig `json:"channels" yaml:"channels"`
}

// ChannelConfig is one channel.
type ChannelConfig struct {
	Name string `json:"name" yaml:"name"` // unique; the channel is called Type:Name in delivery records
	Type string `json:"type" yaml:"type"` // webhook | wecom | dingtalk | email
	// URL is the webhook or robot address (wecom, dingtalk: with its key or access_token).
	URL string `json:"url" yaml:"url"`
	// Secret signs requests: dingtalk's 加签 secret (SEC…), or the webhook's X-Junheng-Signature key.
	Secret string `json:"secret" yaml:"secret"`
	// Recipients are the messages the channel delivers: "office" (every city's office), "office:370200" (one
	// city's), "province", "district:*", "district:370211", "school:*", "school:3702110001" or
	// "school:district:370211" (the district's schools); empty = all.
	// Email routes by the keys of SMTP.To instead.
	Recipients []string    `json:"recipients" yaml:"recipients"`
	SMTP       *SMTPConfig `json:"smtp" yaml:"smtp"` // email only
}

// SMTPConfig is an email channel's server and addresses.
type SMTPConfig struct {
	Host     string `json:"host" yaml:"host"`
	Port     int    `json:"port" yaml:"port"`
	Username string `json:"username" yaml:"username"` // empty = no AUTH
	Password string `json:"password" yaml:"password"`
	From     string `json:"from" yaml:"from"`
	// To maps recipient patterns, as in ChannelConfig.Recipients, to addresses; a message goes to every
	// address whose pattern matches it.
	To map[string][]string `json:"to" yaml:"to"`
	// StartTLS upgrades the connection and verifies the server's certificate; only a loopback host may go
	// without it.
	StartTLS bool `json:"start_tls" yaml:"start_tls"`
}

// String describes the channel without its URL's path and query, secret or password, so that it can be logged.
func (c ChannelConfig) String() string {
	where := c.SMTP.String()
	if u, err := url.Parse(c.URL); err == nil && c.SMTP == nil {
		where = u.Host
	}
	return fmt.Sprintf("%s:%s %s recipients=%v secret=%t", c.Type, c.Name, where, c.Recipients, c.Secret != "")
}

// String describes the server without the password.
func (s *SMTPConfig) String() string {
	if s == nil {
		return ""
	}
	return fmt.Sprintf("smtp://%s from=%s start_tls=%t", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
		s.From, s.StartTLS)
}

// LoadConfig parses and validates a channel file; name's extension (.yaml, .yml or .json) picks the format.
// Unknown keys are errors, and every invalid field is reported by its path, e.g. "channels[2].url: …".
func LoadConfig(data []byte, name string) (Config, error) {
	var cfg Config
	var err error
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(&cfg)
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err = dec.Decode(&cfg); errors.Is(err, io.EOF) {
			err = nil // an empty file: no channels
		}
	default:
		return Config{}, fmt.Errorf("notification channels %s: the file name must end in .yaml, .yml or .json", name)
	}
	if err == nil {
		err = cfg.validate()
	}
	if err != nil {
		return Config{}, fmt.Errorf("notification channels %s: %w", name, err)
	}
	return cfg, nil
}

var (
	namePattern      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	recipientPattern = regexp.MustCompile(
		`^(office|office:[0-9]{6}|province|district:(\*|[0-9]{6})|school:(\*|[0-9]{10}|district:[0-9]{6}))$`)
)

func (c Config) validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, ch := range c.Channels {
		at := fmt.Sprintf("channels[%d].", i)
		if seen[ch.Name] {
			errs = append(errs, fmt.Errorf("%sname: %q is used twice", at, ch.Name))
		}
		seen[ch.Name] = true
		for _, p := range ch.problems() {
			errs = append(errs, errors.New(at+p))
		}
	}
	return errors.Join(errs...)
}

// problems lists invalid fields as "field: reason".
type problems []string

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, field+": "+fmt.Sprintf(format, args...))
}

func (c ChannelConfig) problems() problems {
	var out problems
	if !namePattern.MatchString(c.Name) {
		out.add("name", "%q must be letters, digits, - or _", c.Name)
	}
	for i, r := range c.Recipients {
		if !recipientPattern.MatchString(r) {
			out.add(fmt.Sprintf("recipients[%d]", i), "%q is not office, office:<city code>, province, "+
				"district:*, district:<code>, school:*, school:<10-digit code> or school:district:<code>", r)
		}
	}
	switch c.Type {
	case "webhook", "wecom", "dingtalk":
		// The URL holds the robot's token: never quote it.
		if u, err := url.Parse(c.URL); c.URL == "" {
			out.add("url", "required for %s", c.Type)
		} else if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			out.add("url", "must be an absolute http(s) URL")
		}
		if c.Secret != "" && c.Type == "wecom" {
			out.add("secret", "WeCom robots are not signed; leave it empty")
		}
		if c.SMTP != nil {
			out.add("smtp", "only for type email")
		}
	case "email":
		if c.URL != "" {
			out.add("url", "not used by email")
		}
		if c.Secret != "" {
			out.add("secret", "not used by email; the login goes in smtp.username and smtp.password")
		}
		if len(c.Recipients) > 0 {
			out.add("recipients", "email routes by the keys of smtp.to; leave it empty")
		}
		if c.SMTP == nil {
			out.add("smtp", "required for type email")
		} else {
			for _, p := range c.SMTP.problems() {
				out = append(out, "smtp."+p)
			}
		}
	default:
		out.add("type", "%q is not webhook, wecom, dingtalk or email", c.Type)
	}
	return out
}

func (s *SMTPConfig) problems() problems {
	var out problems
	if s.Host == "" {
		out.add("host", "required")
	}
	if s.Port < 1 || s.Port > 65535 {
		out.add("port", "%d is not a port (1-65535)", s.Port)
	}
	if ip := net.ParseIP(s.Host); !s.StartTLS && s.Host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		out.add("start_tls", "must be true: only a loopback host may be used without TLS")
	}
	if (s.Username == "") != (s.Password == "") {
		out.add("password", "give both username and password, or neither")
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		out.add("from", "%v", err)
	}
	if len(s.To) == 0 {
		out.add("to", "required: e.g. office: [duban@example.gov.cn]")
	}
	for _, key := range slices.Sorted(maps.Keys(s.To)) {
		list := s.To[key]
		if !recipientPattern.MatchString(key) {
			out.add("to", "key %q is not office, district:* or district:<6-digit code>", key)
		}
		if len(list) == 0 {
			out.add(fmt.Sprintf("to[%s]", key), "no address")
		}
		for i, a := range list {
			if _, err := mail.ParseAddress(a); err != nil {
				out.add(fmt.Sprintf("to[%s][%d]", key, i), "%v", err)
			}
		}
	}
	return out
}
