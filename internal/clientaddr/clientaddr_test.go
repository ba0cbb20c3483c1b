package clientaddr

import (
	"crypto/tls"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestOfBelievesOnlyTrustedProxies(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, c := range []struct {
		peer, forwarded, want string
	}{
		{"203.0.113.9:5000", "", "203.0.113.9"},
		{"203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},                  // not a proxy: its header is ignored
		{"10.0.0.2:5000", "198.51.100.1", "198.51.100.1"},                    // a proxy: the client it names
		{"10.0.0.2:5000", "6.6.6.6, 198.51.100.1, 10.0.0.3", "198.51.100.1"}, // the nearest untrusted hop
		{"10.0.0.2:5000", "", "10.0.0.2"},
		{"10.0.0.2:5000", "not-an-address", "10.0.0.2"},
		{"[::ffff:203.0.113.9]:5000", "", "203.0.113.9"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.forwarded != "" {
			r.Header.Set("X-Forwarded-For", c.forwarded)
		}
		if got := Of(r, proxies); got.String() != c.want {
			t.Errorf("peer %s, forwarded %q: %s, want %s", c.peer, c.forwarded, got, c.want)
		}
	}
}

func TestHTTPS(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.9:5000"
	r.Header.Set("X-Forwarded-Proto", "https")
	if HTTPS(r, proxies) {
		t.Error("an untrusted client's X-Forwarded-Proto was believed")
	}
	r.RemoteAddr = "10.0.0.2:5000"
	if !HTTPS(r, proxies) {
		t.Error("the proxy's X-Forwarded-Proto was not believed")
	}
	r.Header.Del("X-Forwarded-Proto")
	r.TLS = &tls.ConnectionState{}
	if !HTTPS(r, nil) {
		t.Error("TLS to us is HTTPS")
	}
}
