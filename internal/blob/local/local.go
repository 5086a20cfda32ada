// Package local is a blob store on the local disk. It signs its own upload and
// download URLs with HMAC-SHA256 and serves them itself, enforcing what S3
// enforces: expiry, the signed key, length and type, and no overwrite.
package local

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wmory/wmory/internal/blob"
)

// RoutePrefix is where the store's handler is mounted on the server.
const RoutePrefix = "/blob/"

// Store keeps objects under root/objects, half-written uploads under root/tmp
// and multipart uploads in progress under root/multipart.
type Store struct {
	root   string
	secret []byte
	base   *url.URL
	now    func() time.Time
	// accepts and keeps, when set, decide whether a signed PUT may store its
	// bytes (asked before writing) and may leave them (asked after).
	accepts, keeps func(ctx context.Context, key string) (bool, error)
	// arrived, when set, is told of every object a signed PUT stored.
	arrived func(ctx context.Context, key string)
	// idle is how long an upload may go without a byte arriving.
	idle time.Duration
}

// DefaultIdleTimeout ends an upload that has sent nothing for this long: a
// large file may take hours over a slow link, but never a minute of silence.
const DefaultIdleTimeout = time.Minute

// SetIdleTimeout changes how long an upload may go without a byte arriving.
func (s *Store) SetIdleTimeout(d time.Duration) { s.idle = d }

// idleReader moves the connection's read deadline forward before each read,
// so that only silence, not a long transfer, ends the request.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (i idleReader) Read(p []byte) (int, error) {
	i.rc.SetReadDeadline(time.Now().Add(i.idle))
	return i.r.Read(p)
}

// SetAdmission makes signed PUTs ask accepts before writing and keeps after: a
// URL whose upload has ended (refused, expired, deleted) stores nothing, where
// S3 takes the bytes until the URL expires. keeps is asked afterwards because
// the upload may end (or complete) while the bytes arrive.
func (s *Store) SetAdmission(accepts, keeps func(ctx context.Context, key string) (bool, error)) {
	s.accepts, s.keeps = accepts, keeps
}

// SetArrival makes the store tell arrived of every object a signed PUT stored,
// before it answers the client: the upload completes as its bytes arrive.
func (s *Store) SetArrival(arrived func(ctx context.Context, key string)) { s.arrived = arrived }

// ask applies one of the admission rules; a failure to ask refuses.
func ask(ctx context.Context, rule func(context.Context, string) (bool, error), key string) bool {
	if rule == nil {
		return true
	}
	ok, err := rule(ctx, key)
	return err == nil && ok
}

// Open prepares root and loads the signing key from keyFile, making one on
// first start.
func Open(root, keyFile string, base *url.URL) (*Store, error) {
	for _, d := range []string{"objects", "tmp", "multipart"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			return nil, err
		}
	}
	clearStaleTemp(filepath.Join(root, "tmp"), time.Now().Add(-24*time.Hour))
	secret, err := os.ReadFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		secret = make([]byte, 32)
		rand.Read(secret)
		if err := writeNew(keyFile, secret); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("blob signing key: %w", err)
		}
		// Another process may have won the race to create it: use the file's.
		secret, err = os.ReadFile(keyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("blob signing key: %w", err)
	}
	if len(secret) < 32 {
		return nil, fmt.Errorf("blob signing key %s is shorter than 32 bytes", keyFile)
	}
	return &Store{root: root, secret: secret, base: base, now: time.Now, idle: DefaultIdleTimeout}, nil
}

// clearStaleTemp removes half-written uploads that a crash (or a failed
// removal) left behind; nothing writes to them after a day.
func clearStaleTemp(dir string, before time.Time) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(before) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SetClock replaces the store's clock (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) path(key string) (string, error) {
	if !blob.ValidKey(key) {
		return "", blob.ErrNotFound
	}
	return filepath.Join(s.root, "objects", filepath.FromSlash(key)), nil
}

func (s *Store) sign(parts ...string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Store) url(key string, q url.Values) string {
	u := *s.base
	u.Path = strings.TrimSuffix(u.Path, "/") + RoutePrefix + key
	u.RawQuery = q.Encode()
	return u.String()
}

func (s *Store) PresignPut(ctx context.Context, key string, o blob.PutOptions) (blob.SignedRequest, error) {
	if !blob.ValidKey(key) {
		return blob.SignedRequest{}, fmt.Errorf("blob: invalid key %q", key)
	}
	exp := s.now().UTC().Add(o.TTL).Truncate(time.Second)
	e := strconv.FormatInt(exp.Unix(), 10)
	n := strconv.FormatInt(o.Size, 10)
	q := url.Values{"exp": {e}, "len": {n}, "ct": {o.ContentType}, "sig": {s.sign("PUT", key, e, n, o.ContentType, o.SHA256)}}
	if o.SHA256 != "" {
		q.Set("sha256", o.SHA256)
	}
	return blob.SignedRequest{Method: http.MethodPut, URL: s.url(key, q), ExpiresAt: exp,
		Headers: map[string]string{"Content-Type": o.ContentType}}, nil
}

func (s *Store) PresignGet(ctx context.Context, key string, o blob.GetOptions) (string, error) {
	if !blob.ValidKey(key) {
		return "", fmt.Errorf("blob: invalid key %q", key)
	}
	_, exp := blob.Window(s.now(), o.TTL)
	e := strconv.FormatInt(exp.Unix(), 10)
	q := url.Values{"exp": {e}, "ct": {o.ContentType}, "cd": {o.Disposition}, "sig": {s.sign("GET", key, e, o.ContentType, o.Disposition)}}
	return s.url(key, q), nil
}

func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	p, err := s.path(key)
	if err != nil {
		return blob.Info{}, err
	}
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return blob.Info{}, blob.ErrNotFound
	}
	if err != nil {
		return blob.Info{}, err
	}
	return fileInfo(fi), nil
}

func fileInfo(fi fs.FileInfo) blob.Info {
	return blob.Info{Size: fi.Size(), ETag: fmt.Sprintf("%x-%x", fi.ModTime().UnixNano(), fi.Size()), Modified: fi.ModTime()}
}

func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, blob.ErrNotFound
	}
	return f, err
}

func (s *Store) ReadHead(ctx context.Context, key string, n int) (blob.Info, []byte, error) {
	f, err := s.Open(ctx, key)
	if err != nil {
		return blob.Info{}, nil, err
	}
	defer f.Close()
	fi, err := f.(*os.File).Stat()
	if err != nil {
		return blob.Info{}, nil, err
	}
	buf := make([]byte, n)
	m, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return blob.Info{}, nil, err
	}
	return fileInfo(fi), buf[:m], nil
}

// Put writes through a temporary file and renames it into place, so readers
// never see half an object.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	p, err := s.path(key)
	if err != nil {
		return fmt.Errorf("blob: invalid key %q", key)
	}
	tmp, n, err := s.writeTemp(r, size)
	if err != nil {
		return err
	}
	if n != size {
		os.Remove(tmp)
		return fmt.Errorf("blob: wrote %d bytes, expected %d", n, size)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, p)
}

// writeTemp copies at most limit+1 bytes into a synced temporary file.
func (s *Store) writeTemp(r io.Reader, limit int64) (string, int64, error) {
	f, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "up-*")
	if err != nil {
		return "", 0, err
	}
	// Large buffers: with 32 KiB (io.Copy's) an upload costs a write syscall per
	// 32 KiB, which on fast disks costs more than the disk itself.
	n, err := io.CopyBuffer(struct{ io.Writer }{f}, io.LimitReader(r, limit+1), make([]byte, 1<<20))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", n, err
	}
	return f.Name(), n, nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Object) error) error {
	root := filepath.Join(s.root, "objects")
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while listing
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			// Skip folders that cannot hold a key with the prefix.
			if rel != "." && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		return fn(blob.Object{Key: key, Size: fi.Size(), Modified: fi.ModTime()})
	})
}

func (s *Store) Ping(ctx context.Context) error {
	_, err := os.Stat(filepath.Join(s.root, "objects"))
	return err
}

// ServeHTTP answers signed PUTs and GETs under RoutePrefix.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, RoutePrefix)
	q := r.URL.Query()
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	if err != nil || !blob.ValidKey(key) {
		deny(w, "malformed signed URL")
		return
	}
	if s.now().Unix() > exp {
		deny(w, "Request has expired")
		return
	}
	switch r.Method {
	case http.MethodPut:
		if q.Has("upload") {
			s.servePart(w, r, key, q)
			return
		}
		s.servePut(w, r, key, q)
	case http.MethodGet, http.MethodHead:
		s.serveGet(w, r, key, q)
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func deny(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusForbidden)
	io.WriteString(w, msg+"\n")
}

func (s *Store) valid(sig string, parts ...string) bool {
	want := s.sign(parts...)
	return hmac.Equal([]byte(sig), []byte(want))
}

func (s *Store) servePut(w http.ResponseWriter, r *http.Request, key string, q url.Values) {
	if !s.valid(q.Get("sig"), "PUT", key, q.Get("exp"), q.Get("len"), q.Get("ct"), q.Get("sha256")) {
		deny(w, "SignatureDoesNotMatch")
		return
	}
	size, _ := strconv.ParseInt(q.Get("len"), 10, 64)
	// Like S3 with a signed Content-Length and Content-Type: the request must
	// declare exactly what was signed.
	if r.ContentLength != size || r.Header.Get("Content-Type") != q.Get("ct") {
		deny(w, "SignatureDoesNotMatch: length or type differ from the signed ones")
		return
	}
	p, _ := s.path(key)
	if _, err := os.Stat(p); err == nil {
		w.WriteHeader(http.StatusPreconditionFailed)
		io.WriteString(w, "an object is already stored under this key\n")
		return
	}
	if !ask(r.Context(), s.accepts, key) {
		deny(w, "AccessDenied: this upload is no longer pending")
		return
	}
	// A signed hash is checked while the bytes are written, as S3 does; without
	// one there is nothing to check and hashing would only cost time.
	want := q.Get("sha256")
	var body io.Reader = idleReader{r: r.Body, rc: http.NewResponseController(w), idle: s.idle}
	h := sha256.New()
	if want != "" {
		body = io.TeeReader(body, h)
	}
	tmp, n, err := s.writeTemp(body, size)
	if err != nil {
		if tmp != "" {
			os.Remove(tmp)
		}
		deny(w, "incomplete body")
		return
	}
	defer os.Remove(tmp)
	if n != size {
		deny(w, "body length differs from the signed length")
		return
	}
	if want != "" && hex.EncodeToString(h.Sum(nil)) != want {
		deny(w, "BadDigest: the body's SHA-256 differs from the signed one")
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		http.Error(w, "storage error", http.StatusInternalServerError)
		return
	}
	// A hard link fails if the name exists: the first complete upload wins
	// and later ones cannot replace it.
	if err := os.Link(tmp, p); err != nil {
		if errors.Is(err, fs.ErrExist) {
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		http.Error(w, "storage error", http.StatusInternalServerError)
		return
	}
	// The upload may have ended while the bytes were arriving.
	if !ask(context.WithoutCancel(r.Context()), s.keeps, key) {
		// Should the removal fail, the object has no row and the periodic
		// reconciliation deletes it.
		os.Remove(p)
		deny(w, "AccessDenied: this upload is no longer pending")
		return
	}
	if s.arrived != nil {
		s.arrived(context.WithoutCancel(r.Context()), key)
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Store) serveGet(w http.ResponseWriter, r *http.Request, key string, q url.Values) {
	if !s.valid(q.Get("sig"), "GET", key, q.Get("exp"), q.Get("ct"), q.Get("cd")) {
		deny(w, "SignatureDoesNotMatch")
		return
	}
	p, _ := s.path(key)
	f, err := os.Open(p)
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		http.Error(w, "storage error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", q.Get("ct"))
	if cd := q.Get("cd"); cd != "" {
		h.Set("Content-Disposition", cd)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; media-src 'self'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "same-site")
	h.Set("Cache-Control", "private, max-age="+strconv.FormatInt(max(0, exp(q)-s.now().Unix()), 10))
	h.Set("ETag", fmt.Sprintf(`"%x-%x"`, fi.ModTime().UnixNano(), fi.Size()))
	// ServeContent answers Range and If-* requests.
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

func exp(q url.Values) int64 {
	n, _ := strconv.ParseInt(q.Get("exp"), 10, 64)
	return n
}

var _ blob.Store = (*Store)(nil)
