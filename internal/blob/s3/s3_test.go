package s3_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/s3"
)

func TestConformance(t *testing.T) {
	gw := blobtest.StartVersityGW(t)
	// Credentials reach the store only through the SDK's default chain.
	gw.UseCredentials(t)
	n := 0
	blobtest.Run(t, func(t *testing.T) blobtest.Clocked {
		n++
		bucket := fmt.Sprintf("wmory-test-%d", n)
		gw.CreateBucket(t, bucket)
		s, err := s3.New(context.Background(), s3.Config{Bucket: bucket, Endpoint: gw.Endpoint, PathStyle: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		return s
	})
}
