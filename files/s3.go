package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3Config locates a bucket in an S3-compatible object store.
type S3Config struct {
	Endpoint  string // the store's URL, e.g. http://minio:9000; empty for AWS S3 itself
	Region    string // us-east-1 when empty, which MinIO and most self-hosted stores expect
	Bucket    string
	Prefix    string // folder for the objects inside the bucket, e.g. "evidence"; empty for the top
	AccessKey string
	SecretKey string
	PathStyle bool // bucket in the path, not the host name: MinIO and most self-hosted stores need it
}

// s3Timeout bounds one object-store operation, a download included: as long as the HTTP server lets a
// response take, so a stalled store cannot hold a request forever.
const s3Timeout = 2 * time.Minute

// s3Backend keeps each file as an object named by its ID under the prefix.
type s3Backend struct {
	client         *s3.Client
	bucket, prefix string
	where          string // endpoint and bucket for error messages; never the credentials
}

func newS3(c S3Config) (*s3Backend, error) {
	if c.Bucket == "" || c.AccessKey == "" || c.SecretKey == "" {
		return nil, errors.New("files: S3 needs a bucket, an access key and a secret key")
	}
	o := s3.Options{
		Region:       c.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, ""),
		UsePathStyle: c.PathStyle,
		// The SDK's default CRC checksums on every request are refused by many S3-compatible stores; content
		// is already addressed by its SHA-256, and requests are signed over their payload.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	where := fmt.Sprintf("S3 bucket %q at AWS (%s)", c.Bucket, o.Region)
	if c.Endpoint != "" {
		if u, err := url.Parse(c.Endpoint); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("files: S3 endpoint %q is not an http(s) URL", c.Endpoint)
		}
		o.BaseEndpoint = aws.String(c.Endpoint)
		where = fmt.Sprintf("S3 bucket %q at %s", c.Bucket, c.Endpoint)
	}
	return &s3Backend{client: s3.New(o), bucket: c.Bucket, prefix: c.Prefix, where: where}, nil
}

func (b *s3Backend) put(ctx context.Context, id, contentType string, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s3Timeout)
	defer cancel()
	key := b.key(id)
	_, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.bucket, Key: &key})
	if err == nil {
		return nil
	}
	var notFound *types.NotFound
	if !errors.As(err, &notFound) {
		return b.fail(err)
	}
	_, err = b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.bucket, Key: &key, Body: bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))), ContentType: &contentType,
		Metadata: map[string]string{"sha256": id}})
	return b.fail(err)
}

func (b *s3Backend) open(ctx context.Context, id string) (io.ReadCloser, error) {
	ctx, cancel := context.WithTimeout(ctx, s3Timeout)
	key := b.key(id)
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.bucket, Key: &key})
	if err != nil {
		cancel()
		var noKey *types.NoSuchKey
		if errors.As(err, &noKey) {
			return nil, &fs.PathError{Op: "open", Path: key, Err: fs.ErrNotExist}
		}
		return nil, b.fail(err)
	}
	return cancelOnClose{out.Body, cancel}, nil
}

func (b *s3Backend) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s3Timeout)
	defer cancel()
	// Readiness is asked again soon enough; retrying would only push the answer past the probe's deadline.
	_, err := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &b.bucket},
		func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	return b.fail(err)
}

func (b *s3Backend) key(id string) string { return path.Join(b.prefix, id) }

func (b *s3Backend) fail(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("files: %s: %w", b.where, err)
}

// cancelOnClose keeps an operation's context alive while its body is read.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	defer c.cancel()
	return c.ReadCloser.Close()
}
