// Package clientaddr says who is calling: the client's address and whether it came over HTTPS, believing the
// X-Forwarded-For and X-Forwarded-Proto headers only from the reverse proxies the deployment names.
package clientaddr

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Of is the address of the client that sent r. It is the TCP peer, unless that peer is a trusted proxy: then the
// nearest address in X-Forwarded-For that is not a trusted proxy (a client can put anything it likes further
// left). An unparsable peer (a test's request) is the zero address.
func Of(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := peerOf(r)
	if !within(peer, trusted) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer // a forged or garbled list: the last proxy is all that is known
		}
		if addr = addr.Unmap(); !within(addr, trusted) {
			return addr
		}
		peer = addr
	}
	return peer
}

// HTTPS reports whether the client's request came over HTTPS: TLS to us, or, from a trusted proxy, its
// X-Forwarded-Proto.
func HTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if r.TLS != nil {
		return true
	}
	return within(peerOf(r), trusted) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func peerOf(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return addr.Unmap()
}

func within(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if a.IsValid() && p.Contains(a) {
			return true
		}
	}
	return false
}
