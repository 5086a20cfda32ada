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
