// Package blob is wmory's object storage: one interface, with a local-disk store
// that signs its own URLs (package local) and an S3 store (package s3). Clients
// send and fetch bytes directly with signed URLs; the server only stats, reads
// the first bytes, writes derived images and deletes.
package blob

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"
)

var (
	// ErrNotFound: no object under the key.
	ErrNotFound = errors.New("blob: object not found")
	// ErrUnavailable: the store could not be reached.
	ErrUnavailable = errors.New("blob: storage unavailable")
)

// SignedRequest is what a client needs to send or fetch an object itself.
type SignedRequest struct {
	Method    string
	URL       string
	Headers   map[string]string // to send as they are
	ExpiresAt time.Time
}

// PutOptions describe the one object a signed upload URL accepts.
type PutOptions struct {
	Size        int64
	ContentType string
	TTL         time.Duration
	// SHA256 (hex), when set, is signed too: the store refuses other bytes.
	SHA256 string
}

// GetOptions describe how a signed download is served.
type GetOptions struct {
	ContentType string
	Disposition string // a full Content-Disposition value
	TTL         time.Duration
}

// Info is what a store knows of an object.
type Info struct {
	Size     int64
	ETag     string
	Modified time.Time // when the bytes were stored
}

// Object is one entry of a listing.
type Object struct {
	Key      string
	Size     int64
	Modified time.Time
}

// Part is one stored part of a multipart upload.
type Part struct {
	Number int
	Size   int64
	ETag   string
}

// Multipart is a multipart upload in progress, as a listing finds it.
type Multipart struct {
	Key, UploadID string
	Initiated     time.Time
}

// ErrNoUpload: no multipart upload in progress under that id (never begun,
// completed or aborted).
var ErrNoUpload = errors.New("blob: no such multipart upload")

// Store keeps objects under keys that the server chooses.
type Store interface {
	// PresignPut signs a URL that stores exactly one object of the given size
	// and type under key, and never replaces an existing object.
	PresignPut(ctx context.Context, key string, o PutOptions) (SignedRequest, error)
	// PresignGet signs a download URL. URLs signed within the same half-TTL
	// window are identical, so browsers can cache what they fetch.
	PresignGet(ctx context.Context, key string, o GetOptions) (string, error)
	Stat(ctx context.Context, key string) (Info, error)
	// ReadHead returns what Stat does and up to n bytes from the start of the
	// object, in one round trip: verifying an upload needs both.
	ReadHead(ctx context.Context, key string, n int) (Info, []byte, error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Put stores (or replaces) an object the server made itself.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Delete removes an object; a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every object whose key starts with prefix, in key
	// order, page by page; fn's error stops the listing and is returned.
	List(ctx context.Context, prefix string, fn func(Object) error) error
	Ping(ctx context.Context) error

	// Multipart uploads: a client sends a large object in parts, each to a
	// URL of its own, and may resume after a failure by sending only the
	// parts the store does not hold; the server then assembles them.
	// CreateMultipart begins one under key and returns its id.
	CreateMultipart(ctx context.Context, key, contentType string) (string, error)
	// PresignPart signs a URL that stores part number (from 1) of exactly
	// size bytes; sending it again replaces that part.
	PresignPart(ctx context.Context, key, uploadID string, number int, size int64, ttl time.Duration) (SignedRequest, error)
	// ListParts returns the parts stored so far, by number.
	ListParts(ctx context.Context, key, uploadID string) ([]Part, error)
	// CompleteMultipart assembles the parts, in order, into the object under
	// key, and removes them.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error
	// AbortMultipart removes a multipart upload and its parts; an upload
	// that is gone already is not an error.
	AbortMultipart(ctx context.Context, key, uploadID string) error
	// ListMultiparts calls fn for every multipart upload in progress whose
	// key starts with prefix.
	ListMultiparts(ctx context.Context, prefix string, fn func(Multipart) error) error
}

var validKey = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$`)

// ValidKey reports whether a key is one the server could have chosen: lower-case
// segments without dot-dot, at most 256 bytes.
func ValidKey(key string) bool {
	return len(key) <= 256 && validKey.MatchString(key) && !strings.Contains(key, "..")
}

// Window returns the signing time and expiry for a URL valid for ttl: times are
// rounded down to half-ttl steps, so every URL signed in one step is the same,
// and each is valid for between ttl/2 and ttl.
func Window(now time.Time, ttl time.Duration) (signedAt, expires time.Time) {
	step := ttl / 2
	if step < time.Second {
		step = time.Second
	}
	signedAt = now.UTC().Truncate(step)
	return signedAt, signedAt.Add(ttl)
}
