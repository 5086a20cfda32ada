// Package s3 is a blob store on Amazon S3 or any S3-compatible server, through
// aws-sdk-go-v2. Credentials come only from the SDK's default chain
// (environment, shared config, IAM role); wmory never stores them.
package s3

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/wmory/wmory/internal/blob"
)

// Config names the bucket. Endpoint is for S3-compatible servers (the SDK also
// reads AWS_ENDPOINT_URL_S3 itself); those usually want PathStyle.
type Config struct {
	Bucket    string
	Region    string
	Endpoint  string
	PathStyle bool
	// PublicEndpoint is the store as browsers and phones reach it, when that
	// differs from Endpoint (a reverse proxy, a container network): signed
	// URLs name it, while wmory's own requests go to Endpoint.
	PublicEndpoint string
}

// Store is a bucket.
type Store struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
	now     func() time.Time
}

// New builds the client from the SDK's default configuration chain.
func New(ctx context.Context, c Config) (*Store, error) {
	var opts []func(*config.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	clientAt := func(endpoint string) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = c.PathStyle
			if endpoint != "" {
				o.BaseEndpoint = aws.String(endpoint)
			}
			// Checksums only when the API requires them: a default checksum would be
			// signed into presigned PUTs that phones cannot compute.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		})
	}
	client := clientAt(c.Endpoint)
	s := &Store{client: client, bucket: c.Bucket, now: time.Now}
	s.presign = s3.NewPresignClient(client)
	if c.PublicEndpoint != "" {
		s.presign = s3.NewPresignClient(clientAt(c.PublicEndpoint))
	}
	return s, nil
}

// windowSigner signs as of a given time, so that download URLs are identical
// within a window and browsers can cache what they fetch.
type windowSigner struct {
	inner *v4.Signer
	at    time.Time
}

func (w windowSigner) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string,
	_ time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return w.inner.PresignHTTP(ctx, creds, r, payloadHash, service, region, w.at, optFns...)
}

func (s *Store) PresignPut(ctx context.Context, key string, o blob.PutOptions) (blob.SignedRequest, error) {
	now := s.now().UTC()
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		ContentLength: aws.Int64(o.Size),
		ContentType:   aws.String(o.ContentType),
		// Stores that honour conditional writes refuse a second PUT under the key.
		IfNoneMatch: aws.String("*"),
	}
	if o.SHA256 != "" {
		raw, err := hex.DecodeString(o.SHA256)
		if err != nil || len(raw) != 32 {
			return blob.SignedRequest{}, fmt.Errorf("blob: bad sha256 %q", o.SHA256)
		}
		// Signed as a header: the store verifies the body against it.
		in.ChecksumSHA256 = aws.String(base64.StdEncoding.EncodeToString(raw))
	}
	req, err := s.presign.PresignPutObject(ctx, in, s3.WithPresignExpires(o.TTL), func(po *s3.PresignOptions) {
		po.Presigner = windowSigner{inner: v4.NewSigner(), at: now}
	})
	if err != nil {
		return blob.SignedRequest{}, mapError(err)
	}
	return blob.SignedRequest{Method: req.Method, URL: req.URL, Headers: clientHeaders(req.SignedHeader), ExpiresAt: now.Add(o.TTL).Truncate(time.Second)}, nil
}

func (s *Store) PresignGet(ctx context.Context, key string, o blob.GetOptions) (string, error) {
	at, _ := blob.Window(s.now(), o.TTL)
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}
	if o.ContentType != "" {
		in.ResponseContentType = aws.String(o.ContentType)
	}
	if o.Disposition != "" {
		in.ResponseContentDisposition = aws.String(o.Disposition)
	}
	req, err := s.presign.PresignGetObject(ctx, in, s3.WithPresignExpires(o.TTL), func(po *s3.PresignOptions) {
		po.Presigner = windowSigner{inner: v4.NewSigner(), at: at}
	})
	if err != nil {
		return "", mapError(err)
	}
	return req.URL, nil
}

func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return blob.Info{}, mapError(err)
	}
	return blob.Info{Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag), Modified: aws.ToTime(out.LastModified)}, nil
}

// ReadHead asks for the first n bytes only: the answer's Content-Range tells
// the whole size, so no HEAD is needed.
func (s *Store) ReadHead(ctx context.Context, key string, n int) (blob.Info, []byte, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key),
		Range: aws.String(fmt.Sprintf("bytes=0-%d", n-1))})
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusRequestedRangeNotSatisfiable {
		// An empty object has no first byte to range over.
		info, err := s.Stat(ctx, key)
		return info, nil, err
	}
	if err != nil {
		return blob.Info{}, nil, mapError(err)
	}
	defer out.Body.Close()
	info := blob.Info{Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag), Modified: aws.ToTime(out.LastModified)}
	// "bytes 0-15/1234"; a store that ignored the range sent it all, and
	// its Content-Length is the size.
	if cr := aws.ToString(out.ContentRange); cr != "" {
		total, err := strconv.ParseInt(cr[strings.LastIndexByte(cr, '/')+1:], 10, 64)
		if err != nil {
			return blob.Info{}, nil, fmt.Errorf("blob: unreadable Content-Range %q", cr)
		}
		info.Size = total
	}
	head, err := io.ReadAll(io.LimitReader(out.Body, int64(n)))
	if err != nil {
		return blob.Info{}, nil, mapError(err)
	}
	return info, head, nil
}

func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, mapError(err)
	}
	return out.Body, nil
}

func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	// A file (a video's rendition) goes as it is: the SDK reads it twice,
	// to sign and to send, by seeking. Anything else is small and buffered.
	body, ok := r.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(io.LimitReader(r, size+1))
		if err != nil {
			return err
		}
		if int64(len(b)) != size {
			return fmt.Errorf("blob: got %d bytes, expected %d", len(b), size)
		}
		body = bytes.NewReader(b)
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key),
		Body: body, ContentLength: aws.Int64(size), ContentType: aws.String(contentType)})
	return mapError(err)
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if errors.Is(mapError(err), blob.ErrNotFound) {
		return nil
	}
	return mapError(err)
}

func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Object) error) error {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return mapError(err)
		}
		for _, o := range page.Contents {
			obj := blob.Object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)}
			if err := fn(obj); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) Ping(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)})
	return mapError(err)
}

// CreateBucket makes the bucket unless it exists, for self-hosted stores
// that start empty (compose's first start). On AWS the infrastructure makes it.
func (s *Store) CreateBucket(ctx context.Context) error {
	err := s.Ping(ctx)
	if !errors.Is(err, blob.ErrNotFound) {
		return err
	}
	_, err = s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s.bucket)})
	var owned *types.BucketAlreadyOwnedByYou
	if errors.As(err, &owned) {
		return nil // made meanwhile by another process
	}
	return mapError(err)
}

// mapError turns SDK errors into the blob package's: 404 is ErrNotFound, and
// anything that never got an HTTP answer is ErrUnavailable.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		if re.HTTPStatusCode() == http.StatusNotFound {
			return fmt.Errorf("%w: %v", blob.ErrNotFound, err)
		}
		// 0: the request never got an answer (connection refused, reset, timeout).
		if re.HTTPStatusCode() >= 500 || re.HTTPStatusCode() == 0 {
			return fmt.Errorf("%w: %v", blob.ErrUnavailable, err)
		}
		return err
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return err
	}
	return fmt.Errorf("%w: %v", blob.ErrUnavailable, err)
}

var _ blob.Store = (*Store)(nil)

// SetClock replaces the store's clock (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }
