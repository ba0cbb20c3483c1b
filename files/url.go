package files

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseS3URL reads an object store location written as one URL, so that a deployment configures it with one
// setting: s3://ACCESS_KEY:SECRET_KEY@host:port/bucket/prefix?region=…&path_style=true. The scheme s3 reaches the
// endpoint over HTTPS, s3+http over plain HTTP (a store on the local network); an empty host means AWS S3.
func ParseS3URL(raw string) (*S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("not a URL") // the parse error would repeat the secret
	}
	var scheme string
	switch u.Scheme {
	case "s3":
		scheme = "https"
	case "s3+http":
		scheme = "http"
	default:
		return nil, fmt.Errorf("scheme must be s3:// or s3+http://, not %q", u.Scheme)
	}
	bucket, prefix, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	cfg := &S3Config{Bucket: bucket, Prefix: prefix, Region: u.Query().Get("region"),
		PathStyle: u.Query().Get("path_style") == "true"}
	if u.Host != "" {
		cfg.Endpoint = scheme + "://" + u.Host
	}
	if u.User != nil {
		cfg.AccessKey = u.User.Username()
		cfg.SecretKey, _ = u.User.Password()
	}
	if cfg.Bucket == "" || cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, fmt.Errorf("the URL must name the access key, the secret key and the bucket")
	}
	return cfg, nil
}
