package files

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const (
	testBucket = "evidence"
	testSecret = "very-secret-key"
)

// fakeS3 is an in-process S3 server with one bucket. It accepts only the access key "right-key" (it does not
// verify signatures) and counts object uploads.
type fakeS3 struct {
	url  string
	puts atomic.Int32
}

func newFakeS3(t *testing.T) *fakeS3 {
	mem := s3mem.New()
	if err := mem.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	fake := gofakes3.New(mem).Server()
	f := &fakeS3{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Authorization"), "Credential=right-key/") {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPut {
			f.puts.Add(1)
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	// A host name, not an IP address, for which the SDK would pick path style by itself.
	f.url = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	return f
}

func (f *fakeS3) store(t *testing.T, accessKey string) *Store {
	s, err := New(Config{S3: &S3Config{Endpoint: f.url, Bucket: testBucket, Prefix: "junheng", AccessKey: accessKey,
		SecretKey: testSecret, PathStyle: true}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3UploadsOnceWithTypeAndHash(t *testing.T) {
	f := newFakeS3(t)
	s := f.store(t, "right-key")
	id, _, _, err := s.Put(t.Context(), bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Put(t.Context(), bytes.NewReader(pdf)); err != nil {
		t.Fatal(err)
	}
	if n := f.puts.Load(); n != 1 {
		t.Errorf("same content uploaded %d times", n)
	}
	b := s.b.(*s3Backend)
	head, err := b.client.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &b.bucket, Key: new("junheng/" + id)})
	if err != nil {
		t.Fatal(err)
	}
	if *head.ContentType != "application/pdf" || head.Metadata["sha256"] != id {
		t.Errorf("object recorded as %s with sha256 %q", *head.ContentType, head.Metadata["sha256"])
	}
}

func TestS3ErrorsNameEndpointAndBucketNotSecret(t *testing.T) {
	f := newFakeS3(t)
	unreachable := httptest.NewServer(http.NotFoundHandler())
	unreachable.Close()
	wrongKey := f.store(t, "wrong-key")
	cases := map[string]struct {
		url string
		err func() error
	}{
		"wrong credentials, check": {f.url, func() error { return wrongKey.Check(t.Context()) }},
		"wrong credentials, put": {f.url, func() error {
			_, _, _, err := wrongKey.Put(t.Context(), bytes.NewReader(pdf))
			return err
		}},
		"unreachable": {unreachable.URL, func() error {
			return (&fakeS3{url: unreachable.URL}).store(t, "right-key").Check(t.Context())
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := c.err()
			if err == nil {
				t.Fatal("no error")
			}
			if msg := err.Error(); !strings.Contains(msg, c.url) || !strings.Contains(msg, `"`+testBucket+`"`) ||
				strings.Contains(msg, testSecret) {
				t.Errorf("error %q should name %s and the bucket, not the secret", msg, c.url)
			}
		})
	}
}

func TestS3ConfigIsChecked(t *testing.T) {
	for _, c := range []S3Config{
		{Endpoint: "http://minio:9000", AccessKey: "k", SecretKey: "s"},
		{Endpoint: "minio:9000", Bucket: "b", AccessKey: "k", SecretKey: "s"},
		{Endpoint: "http://minio:9000", Bucket: "b"},
	} {
		if _, err := New(Config{S3: &c}); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}
