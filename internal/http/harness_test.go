package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/local"
	"github.com/wmory/wmory/internal/http/openapitest"
	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/jobs"
	"github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/media"
	"github.com/wmory/wmory/internal/metrics"
	"github.com/wmory/wmory/internal/password"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"

	wmoryhttp "github.com/wmory/wmory/internal/http"
)

// Tests hash with cheap parameters: argon2id is exercised at full cost in the
// password package and in the end-to-end tests of cmd/wmory.
var testParams = password.Params{MemoryKiB: 1024, Time: 1, Threads: 1}

// env is one running API on a fresh database.
type env struct {
	t       *testing.T
	db      *sqldb.DB
	dbURL   string
	mail    *mail.Memory
	store   blob.Store
	srv     *httptest.Server
	v       *openapitest.Validator
	logs    *syncBuffer
	hasher  *password.Hasher
	api     *wmoryhttp.Server
	media   *media.Service
	letters mail.Letters
	mu      sync.Mutex
	offset  time.Duration // added to the store's clock
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t *testing.T, e sqldbtest.Engine, tweak ...func(*wmoryhttp.Config)) *env {
	return newEnvWithStore(t, e, nil, tweak...)
}

// newEnvWithStore runs the API with the given store; nil means a local store
// served by the API itself.
func newEnvWithStore(t *testing.T, e sqldbtest.Engine, store blob.Store, tweak ...func(*wmoryhttp.Config)) *env {
	t.Helper()
	db, dbURL := sqldbtest.OpenURL(t, e)
	en := &env{t: t, db: db, dbURL: dbURL, mail: &mail.Memory{}, logs: &syncBuffer{}, offset: clearOfMidnight(time.Now())}
	db.Now = en.now
	base, _ := url.Parse("http://wmory.test")
	// Tests sign many people up from one address; the limit has its own test.
	cfg := wmoryhttp.Config{BaseURL: base, Limits: wmory.DefaultLimits, RegistrationsPerIP: 1 << 20}
	en.srv = httptest.NewUnstartedServer(nil)
	// The embedded pairing (SQLite, local disk) and the production ones
	// (MariaDB or PostgreSQL with S3) are each tested whole.
	if store == nil && e.Dialect != sqldb.SQLite {
		store = s3Store(t)
	}
	if store == nil {
		self, _ := url.Parse("http://" + en.srv.Listener.Addr().String())
		dir := t.TempDir()
		ls, err := local.Open(filepath.Join(dir, "blobs"), filepath.Join(dir, "blob.key"), self)
		if err != nil {
			t.Fatal(err)
		}
		ls.SetAdmission(db.AcceptsBytes, db.KeepsObject)
		store, cfg.BlobHandler = ls, ls
	}
	en.store = store
	for _, f := range tweak {
		f(&cfg)
	}
	// One lifecycle for the API and the store's arrivals, as wmory serve wires it.
	cfg.Metrics = metrics.New(db)
	cfg.Media = media.New(db, store, cfg.Limits, cfg.Metrics, slog.New(slog.NewJSONHandler(en.logs, nil)))
	if ls, ok := store.(*local.Store); ok {
		ls.SetArrival(func(ctx context.Context, key string) { cfg.Media.Arrived(ctx, media.FromLocalStore, key) })
	}
	en.media = cfg.Media
	en.hasher = password.New(testParams)
	en.letters = mail.Letters{Base: cfg.BaseURL}
	api := wmoryhttp.New(db, store, en.hasher, cfg, slog.New(slog.NewJSONHandler(en.logs, nil)))
	en.api = api
	en.srv.Config.Handler = api.Handler()
	en.srv.Start()
	t.Cleanup(en.srv.Close)
	doc, _ := json.Marshal(api.OpenAPI())
	v, err := openapitest.New(doc)
	if err != nil {
		t.Fatalf("the served OpenAPI document does not load: %v", err)
	}
	en.v = v
	return en
}

// clearOfMidnight is where a test's clock starts, as an offset from the real
// time: tests move the clock by minutes or hours and then read the day's
// allowance, which starts afresh at midnight UTC, so a run late in the day
// starts its clock after that midnight instead of crossing it halfway.
func clearOfMidnight(now time.Time) time.Duration {
	if left := wmory.QuotaResetsAt(now).Sub(now); left < 3*time.Hour {
		return left + time.Hour
	}
	return 0
}

// now is the store's clock, which the API reads too.
func (e *env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Now().Add(e.offset)
}

// advance moves the store's clock forward.
func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.offset += d
}

type client struct {
	e      *env
	token  string
	userID string
	email  string
	header http.Header // extra headers for every request
}

func (e *env) anon() *client { return &client{e: e, header: http.Header{}} }

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json() map[string]any {
	var m map[string]any
	json.Unmarshal(r.body, &m)
	return m
}

func (r response) code() string {
	m := r.json()
	if e, ok := m["error"].(map[string]any); ok {
		s, _ := e["code"].(string)
		return s
	}
	return ""
}

func (r response) items() []map[string]any {
	var l struct {
		Items []map[string]any `json:"items"`
	}
	json.Unmarshal(r.body, &l)
	return l.Items
}

func (r response) str(key string) string {
	s, _ := r.json()[key].(string)
	return s
}

// call sends a request; body may be nil, a string (sent as is) or a value to
// encode as JSON. Every answer is checked against the OpenAPI document.
func (c *client) call(method, path string, body any) response {
	c.e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, _ := json.Marshal(b)
		rd = bytes.NewReader(js)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, c.e.srv.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := c.e.srv.Client().Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, body: b}
	p := path
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" {
		if err := c.e.v.Check(method, p, r.status, r.body); err != nil && r.status != 404 && r.status != 405 {
			c.e.t.Errorf("OpenAPI: %v", err)
		}
	}
	return r
}

// must is call that fails the test on an unexpected status.
func (c *client) must(status int, method, path string, body any) response {
	c.e.t.Helper()
	r := c.call(method, path, body)
	if r.status != status {
		c.e.t.Fatalf("%s %s = %d %s; want %d", method, path, r.status, r.body, status)
	}
	return r
}

var tokenInLink = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// lastToken returns the token of the newest e-mail to the address.
func (e *env) lastToken(to string) string {
	e.t.Helper()
	sent := e.sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].To == to {
			if m := tokenInLink.FindStringSubmatch(sent[i].Text); m != nil {
				return m[1]
			}
		}
	}
	e.t.Fatalf("no e-mail with a token was sent to %s", to)
	return ""
}

const goodPassword = "correct horse battery"

// signup registers, verifies and signs in a user.
func (e *env) signup(email, name string) *client {
	e.t.Helper()
	c := e.anon()
	c.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": goodPassword, "name": name})
	c.must(200, "POST", "/api/v1/auth/verify-email", map[string]string{"token": e.lastToken(email)})
	return e.login(email, goodPassword)
}

func (e *env) login(email, pw string) *client {
	e.t.Helper()
	c := e.anon()
	r := c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": pw})
	c.token = r.str("token")
	c.email = email
	c.userID, _ = r.json()["user"].(map[string]any)["id"].(string)
	return c
}

// tables whose rows a refused request must leave alone. audit_logs and
// login_throttle are left out: refusals are recorded there on purpose.
var stateTables = []string{"users", "sessions", "email_tokens", "groups", "group_members", "invites", "invite_uses"}

func (e *env) snapshot() map[string][]string {
	return sqldbtest.Snapshot(e.t, e.dbURL, stateTables...)
}

type wmorycfg = wmoryhttp.Config

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func slogDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// runJobs runs the queued jobs that are due (object deletions; mail once it is
// queued) until none is left, as a worker would.
func (e *env) runJobs() {
	e.t.Helper()
	w := e.worker()
	for w.RunOne(e.t.Context()) {
	}
}

func (e *env) worker() *jobs.Worker {
	w := jobs.New(e.db, e.store, slog.New(slog.NewJSONHandler(e.logs, nil)))
	w.HandleMail(e.mail, e.letters)
	w.SweepArrivals = e.media.SweepArrivals
	w.MaxAttempts = 1
	return w
}

// sent delivers the queued mail and returns every message sent so far.
func (e *env) sent() []mail.Message {
	e.t.Helper()
	e.runJobs()
	return e.mail.Sent()
}

// orphans lists the objects under the upload prefix that belong to no pending
// upload and no media item.
func (e *env) orphans() []string {
	e.t.Helper()
	var keys []string
	if err := e.store.List(e.t.Context(), wmory.UploadPrefix, func(o blob.Object) error {
		keys = append(keys, o.Key)
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	live, err := e.db.LiveObjects(e.t.Context(), keys)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		if !live[k] {
			out = append(out, k)
		}
	}
	return out
}

// processMedia runs the queued jobs with media processing too, as a worker
// with libvips and ffmpeg would.
func (e *env) processMedia() {
	e.t.Helper()
	w := e.worker()
	w.HandleMedia(e.media.Processor(imaging.New()), 1)
	for w.RunOne(e.t.Context()) {
	}
}
