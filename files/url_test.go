package files

import (
	"strings"
	"testing"
)

func TestParseS3URL(t *testing.T) {
	cfg, err := ParseS3URL("s3+http://minio:s3cret@minio:9000/evidence/junheng/files?path_style=true&region=cn-north-1")
	if err != nil {
		t.Fatal(err)
	}
	want := S3Config{Endpoint: "http://minio:9000", Region: "cn-north-1", Bucket: "evidence", Prefix: "junheng/files",
		AccessKey: "minio", SecretKey: "s3cret", PathStyle: true}
	if *cfg != want {
		t.Errorf("got %+v", *cfg)
	}
	if aws, err := ParseS3URL("s3://AK:SK@/bucket"); err != nil || aws.Endpoint != "" || aws.Bucket != "bucket" {
		t.Errorf("AWS: %+v %v", aws, err)
	}
	for _, bad := range []string{"http://a:b@h/bucket", "s3://h/bucket", "s3://a:b@h/", "s3://a:zz TOP@h:x/b"} {
		if _, err := ParseS3URL(bad); err == nil || strings.Contains(err.Error(), "TOP") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
