package notify

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// loadExample reads and builds the example channels file.
func loadExample(t *testing.T) (Config, []Routed) {
	t.Helper()
	data, err := os.ReadFile("testdata/channels.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(data, "channels.yaml")
	if err != nil {
		t.Fatal(err)
	}
	chs, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, chs
}

func TestLoadExample(t *testing.T) {
	_, chs := loadExample(t)
	var got []string
	for _, r := range chs {
		got = append(got, fmt.Sprintf("%s %v", r.Name(), r.Recipients))
	}
	want := []string{"webhook:ops []", "wecom:duban [office]", "dingtalk:laoshan [district:370212]",
		"email:mail [district:* district:370211 office]"}
	if !slices.Equal(got, want) {
		t.Errorf("channels %q, want %q", got, want)
	}
}

func TestLoadJSON(t *testing.T) {
	cfg, err := LoadConfig([]byte(`{"channels":[{"name":"ops","type":"webhook","url":"https://x.example/h",
		"recipients":["district:*"]}]}`), "notify.JSON")
	if err != nil || len(cfg.Channels) != 1 || cfg.Channels[0].Recipients[0] != "district:*" {
		t.Errorf("%+v, %v", cfg, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	const mail = "  - name: m\n    type: email\n    smtp:\n"
	for _, c := range []struct {
		yaml string
		want []string
	}{
		{"channels:\n  - name: a\n    type: webhook\n    urll: https://x\n", []string{"field urll not found"}},
		{"channels:\n  - name: a\n    type: sms\n",
			[]string{`channels[0].type: "sms" is not webhook, wecom, dingtalk or email`}},
		{"channels:\n  - name: a b\n    type: webhook\n    url: https://x\n",
			[]string{`channels[0].name: "a b" must be`}},
		{"channels:\n  - name: a\n    type: wecom\n", []string{"channels[0].url: required for wecom"}},
		{"channels:\n  - name: a\n    type: dingtalk\n    url: ftp://x/?access_token=TOKEN\n",
			[]string{"channels[0].url: must be an absolute http(s) URL"}},
		{"channels:\n  - name: a\n    type: wecom\n    url: https://x\n    secret: s\n",
			[]string{"channels[0].secret: WeCom robots are not signed"}},
		{"channels:\n  - name: a\n    type: webhook\n    url: https://x\n    recipients: [office, district:37, city]\n",
			[]string{`channels[0].recipients[1]: "district:37" is not`, `channels[0].recipients[2]: "city" is not`}},
		{"channels:\n  - name: a\n    type: webhook\n    url: https://x\n" +
			"    recipients: [office:370200, province, school:*, school:37021100, school:district:370211]\n",
			[]string{`channels[0].recipients[3]: "school:37021100" is not`}},
		{"channels:\n  - name: a\n    type: webhook\n    url: https://x\n" +
			"  - name: a\n    type: webhook\n    url: https://y\n",
			[]string{`channels[1].name: "a" is used twice`}},
		{"channels:\n  - name: m\n    type: email\n    recipients: [office]\n",
			[]string{"channels[0].smtp: required for type email",
				"channels[0].recipients: email routes by the keys of smtp.to"}},
		{"channels:\n" + mail +
			"      host: smtp.example.cn\n      port: 70000\n      username: u\n      from: nobody\n" +
			"      to: {office: [], \"district:x\": [a@b.cn], \"district:*\": [not-an-address]}\n", []string{
			"channels[0].smtp.port: 70000 is not a port",
			"channels[0].smtp.start_tls: must be true",
			"channels[0].smtp.password: give both username and password",
			"channels[0].smtp.from: mail: ",
			"channels[0].smtp.to[office]: no address",
			`channels[0].smtp.to: key "district:x" is not`,
			"channels[0].smtp.to[district:*][0]: mail: ",
		}},
		{"channels:\n" + mail + "      port: 25\n      from: a@b.cn\n",
			[]string{"channels[0].smtp.host: required", "channels[0].smtp.to: required"}},
	} {
		_, err := LoadConfig([]byte(c.yaml), "notify.yaml")
		if err == nil {
			t.Errorf("no error for\n%s", c.yaml)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not contain %q", err, w)
			}
		}
		if strings.Contains(err.Error(), "TOKEN") {
			t.Errorf("error shows the URL: %v", err)
		}
	}
	if _, err := LoadConfig([]byte("channels: []"), "notify.toml"); err == nil ||
		!strings.Contains(err.Error(), ".yaml, .yml or .json") {
		t.Errorf("toml: %v", err)
	}
}

func TestLoopbackSMTPNeedsNoTLS(t *testing.T) {
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		cfg := Config{Channels: []ChannelConfig{{Name: "m", Type: "email",
			SMTP: &SMTPConfig{Host: host, Port: 25, From: "a@b.cn", To: map[string][]string{"office": {"c@d.cn"}}}}}}
		if _, err := Build(cfg); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
}

type fakeChannel string

func (f fakeChannel) Name() string                        { return string(f) }
func (f fakeChannel) Send(context.Context, Message) error { return nil }

func TestRoute(t *testing.T) {
	chs := []Routed{
		{fakeChannel("all"), nil},
		{fakeChannel("office"), []string{"office"}},
		{fakeChannel("districts"), []string{"district:*"}},
		{fakeChannel("huangdao"), []string{"district:370211"}},
		{fakeChannel("office+laoshan"), []string{"office", "district:370212"}},
		{fakeChannel("qingdao"), []string{"office:370200"}},
		{fakeChannel("province"), []string{"province"}},
		{fakeChannel("schools"), []string{"school:*"}},
		{fakeChannel("yixiao"), []string{"school:3702110001"}},
		{fakeChannel("huangdao schools"), []string{"school:district:370211"}},
	}
	for _, c := range []struct {
		m    Message
		want []string
	}{
		{Message{Recipient: "office"}, []string{"all", "office", "office+laoshan"}},
		{Message{Recipient: "office", District: "370211", City: "370200"}, // about a district, for its office
			[]string{"all", "office", "office+laoshan", "qingdao"}},
		{Message{Recipient: "office", District: "370102", City: "370100"}, []string{"all", "office", "office+laoshan"}},
		{Message{Recipient: "province", District: "370211"}, []string{"all", "province"}},
		{Message{Recipient: "district", District: "370211"}, []string{"all", "districts", "huangdao"}},
		{Message{Recipient: "district", District: "370212"}, []string{"all", "districts", "office+laoshan"}},
		{Message{Recipient: "district", District: "370213"}, []string{"all", "districts"}},
		{Message{Recipient: "school", District: "370211", School: "3702110001"},
			[]string{"all", "schools", "yixiao", "huangdao schools"}},
		{Message{Recipient: "school", District: "370212", School: "3702120001"}, []string{"all", "schools"}},
	} {
		var got []string
		for _, ch := range Route(chs, c.m) {
			got = append(got, ch.Name())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%+v: %v, want %v", c.m, got, c.want)
		}
	}
}

func TestStringHidesSecrets(t *testing.T) {
	cfg, chs := loadExample(t)
	printed := fmt.Sprintf("%v %+v %v %s %v", cfg, cfg, cfg.Channels[3].SMTP, cfg.Channels[2], chs)
	for _, secret := range []string{"change-me", "REPLACE-ME"} {
		if strings.Contains(printed, secret) {
			t.Errorf("%q shows %q", printed, secret)
		}
	}
	if !strings.Contains(printed, "dingtalk:laoshan oapi.dingtalk.com recipients=[district:370212] secret=true") {
		t.Errorf("printed %s", printed)
	}
}
