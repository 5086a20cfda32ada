package s3

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/wmory/wmory/internal/blob"
)

func (s *Store) CreateMultipart(ctx context.Context, key, contentType string) (string, error) {
	out, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(s.bucket), Key: aws.String(key),
		ContentType: aws.String(contentType)})
	if err != nil {
		return "", mapError(err)
	}
	return aws.ToString(out.UploadId), nil
}

func (s *Store) PresignPart(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (blob.SignedRequest, error) {
	now := s.now().UTC()
	// Content-Length is signed: the store refuses a part of any other length.
	req, err := s.presign.PresignUploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(s.bucket), Key: aws.String(key),
		UploadId: aws.String(uploadID), PartNumber: aws.Int32(int32(number)), ContentLength: aws.Int64(size)},
		s3.WithPresignExpires(ttl), func(po *s3.PresignOptions) { po.Presigner = windowSigner{inner: v4.NewSigner(), at: now} })
	if err != nil {
		return blob.SignedRequest{}, mapError(err)
	}
	return blob.SignedRequest{Method: req.Method, URL: req.URL, Headers: clientHeaders(req.SignedHeader), ExpiresAt: now.Add(ttl).Truncate(time.Second)}, nil
}

// clientHeaders are the signed headers a client sends as they are: its HTTP
// stack sets Host and Content-Length itself.
func clientHeaders(signed http.Header) map[string]string {
	headers := map[string]string{}
	for k, v := range signed {
		if k == "Host" || k == "Content-Length" || len(v) == 0 {
			continue
		}
		headers[http.CanonicalHeaderKey(k)] = v[0]
	}
	return headers
}

func (s *Store) ListParts(ctx context.Context, key, uploadID string) ([]blob.Part, error) {
	pages := s3.NewListPartsPaginator(s.client, &s3.ListPartsInput{Bucket: aws.String(s.bucket), Key: aws.String(key), UploadId: aws.String(uploadID)})
	var parts []blob.Part
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, multipartError(err)
		}
		for _, p := range page.Parts {
			parts = append(parts, blob.Part{Number: int(aws.ToInt32(p.PartNumber)), Size: aws.ToInt64(p.Size), ETag: aws.ToString(p.ETag)})
		}
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Number < parts[j].Number })
	return parts, nil
}

func (s *Store) CompleteMultipart(ctx context.Context, key, uploadID string, parts []blob.Part) error {
	done := make([]types.CompletedPart, len(parts))
	for i, p := range parts {
		done[i] = types.CompletedPart{PartNumber: aws.Int32(int32(p.Number)), ETag: aws.String(p.ETag)}
	}
	_, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(s.bucket), Key: aws.String(key),
		UploadId: aws.String(uploadID), MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	return multipartError(err)
}

func (s *Store) AbortMultipart(ctx context.Context, key, uploadID string) error {
	_, err := s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(s.bucket), Key: aws.String(key), UploadId: aws.String(uploadID)})
	if err = multipartError(err); errors.Is(err, blob.ErrNoUpload) {
		return nil
	}
	return err
}

func (s *Store) ListMultiparts(ctx context.Context, prefix string, fn func(blob.Multipart) error) error {
	pages := s3.NewListMultipartUploadsPaginator(s.client, &s3.ListMultipartUploadsInput{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return mapError(err)
		}
		for _, u := range page.Uploads {
			if err := fn(blob.Multipart{Key: aws.ToString(u.Key), UploadID: aws.ToString(u.UploadId), Initiated: aws.ToTime(u.Initiated)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// multipartError is mapError with NoSuchUpload told apart: the upload was
// completed or aborted, or never was.
func multipartError(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "NoSuchUpload" {
		return errors.Join(blob.ErrNoUpload, err)
	}
	return mapError(err)
}
