package s3_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/s3"
)

func TestConformance(t *testing.T) {
	gw := blobtest.StartVersityGW(t)
	// Credentials reach the store only through the SDK's default chain.
	t.Setenv("AWS_ACCESS_KEY_ID", gw.Access)
	t.Setenv("AWS_SECRET_ACCESS_KEY", gw.Secret)
	t.Setenv("AWS_REGION", "us-east-1")
	n := 0
	blobtest.Run(t, func(t *testing.T) blobtest.Clocked {
		n++
		bucket := fmt.Sprintf("wmory-test-%d-%d", time.Now().UnixNano()%1e9, n)
		s, err := s3.New(context.Background(), s3.Config{Bucket: bucket, Endpoint: gw.Endpoint, PathStyle: true})
		if err != nil {
			t.Fatal(err)
		}
		admin := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(gw.Endpoint), UsePathStyle: true,
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: gw.Access, SecretAccessKey: gw.Secret}, nil
			})})
		if _, err := admin.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		return s
	})
}
