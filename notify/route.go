package notify

import (
	"maps"
	"net/http"
	"slices"
	"time"
)

// Routed is a channel with the recipients it serves.
type Routed struct {
	Channel
	Recipients []string // "office", "office:370200", "province", "district:*", "school:*", …; empty = every message
}

// Build validates cfg and makes its channels, in the file's order. The HTTP channels share one client whose
// timeout bounds every request.
func Build(cfg Config) ([]Routed, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: httpTimeout}
	out := make([]Routed, 0, len(cfg.Channels))
	for _, c := range cfg.Channels {
		r := Routed{Recipients: c.Recipients}
		switch c.Type {
		case "webhook":
			r.Channel = &webhook{label: label("webhook:" + c.Name), client: client, url: c.URL, secret: c.Secret}
		case "wecom":
			r.Channel = newWeCom(c.Name, c.URL, client)
		case "dingtalk":
			r.Channel = newDingTalk(c.Name, c.URL, c.Secret, client, time.Now)
		case "email":
			e, err := newEmail(c.Name, *c.SMTP)
			if err != nil {
				return nil, err
			}
			r.Channel, r.Recipients = e, slices.Sorted(maps.Keys(c.SMTP.To))
		}
		out = append(out, r)
	}
	return out, nil
}

// Route returns the channels that deliver m.
func Route(chs []Routed, m Message) []Channel {
	var out []Channel
	for _, r := range chs {
		if len(r.Recipients) == 0 || slices.ContainsFunc(r.Recipients, func(p string) bool { return matches(p, m) }) {
			out = append(out, r.Channel)
		}
	}
	return out
}

// matches reports whether a recipient pattern covers m.
func matches(pattern string, m Message) bool {
	switch m.Recipient {
	case "office":
		return pattern == "office" || pattern == "office:"+m.City
	case "province":
		return pattern == "province"
	case "district":
		return pattern == "district:*" || pattern == "district:"+m.District
	case "school":
		return pattern == "school:*" || pattern == "school:"+m.School || pattern == "school:district:"+m.District
	}
	return false
}
