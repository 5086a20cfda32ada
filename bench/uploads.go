package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/local"
	"github.com/wmory/wmory/internal/blob/s3"
	wmoryhttp "github.com/wmory/wmory/internal/http"
	"github.com/wmory/wmory/internal/media"
	"github.com/wmory/wmory/internal/password"
	"github.com/wmory/wmory/internal/sqldb"
)

// client keeps a connection per concurrent caller: net/http's default of two
// idle connections per host would make most benchmark requests dial anew,
// timing the client's TCP handshakes rather than wmory.
var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// apiEnv is the API running in this process with one signed-in member of one group.
type apiEnv struct {
	srv   *httptest.Server
	db    *sqldb.DB
	store blob.Store
	svc   *media.Service
	token string
	gid   string
}

func (e *apiEnv) Close() {
	e.srv.Close()
	e.db.Close()
}

// newAPI serves the API on the database at dbURL with the store that
// makeStore returns for the server's own URL; quotas are lifted.
func newAPI(ctx context.Context, dbURL string, makeStore func(base *url.URL) (blob.Store, http.Handler), configure ...func(*wmoryhttp.Config)) *apiEnv {
	db, err := sqldb.Open(ctx, dbURL, sqldb.PoolConfig{})
	must(err)
	_, err = db.Migrate(ctx)
	must(err)
	srv := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + srv.Listener.Addr().String())
	store, handler := makeStore(base)
	limits := wmory.DefaultLimits
	limits.DailyFilesLimit, limits.DailyBytesLimit = 1<<30, 1<<50
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := media.New(db, store, limits, nil, log)
	if ls, ok := store.(*local.Store); ok {
		// As wmory serve wires it: admission, and completion on arrival.
		ls.SetAdmission(db.AcceptsBytes, db.KeepsObject)
		ls.SetArrival(func(ctx context.Context, key string) { svc.Arrived(ctx, media.FromLocalStore, key) })
	}
	cfg := wmoryhttp.Config{BaseURL: base, Limits: limits, BlobHandler: handler, Media: svc}
	for _, c := range configure {
		c(&cfg)
	}
	api := wmoryhttp.New(db, store, password.New(password.DefaultParams), cfg, log)
	srv.Config.Handler = api.Handler()
	srv.Start()

	// An owner makes the group; the benchmark acts as a plain member, whose
	// gallery query also filters out items hidden by reports.
	hash, _ := password.New(password.DefaultParams).Hash(ctx, "bench passphrase")
	owner, err := db.CreateUser(ctx, wmory.Actor{}, "owner@example.com", "Owner", hash, false)
	must(err)
	g, err := db.CreateGroup(ctx, wmory.Actor{UserID: owner.ID}, "Bench")
	must(err)
	inv, err := db.CreateInvite(ctx, wmory.Actor{UserID: owner.ID}, g.ID, nil, time.Hour)
	must(err)
	u, err := db.CreateUser(ctx, wmory.Actor{}, "bench@example.com", "Bench", hash, false)
	must(err)
	_, err = db.AcceptInvite(ctx, wmory.Actor{UserID: u.ID}, inv.Code)
	must(err)
	token, _, err := db.CreateSession(ctx, wmory.Actor{}, u, "acct:bench@example.com", wmory.DefaultSessionMaxAge)
	must(err)
	return &apiEnv{srv: srv, db: db, store: store, svc: svc, token: token, gid: g.ID}
}

func (e *apiEnv) call(method, path, body string) (int, []byte, time.Duration) {
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := client.Do(req)
	must(err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, b, time.Since(start)
}

type grant struct {
	UploadID string            `json:"upload_id"`
	Method   string            `json:"method"`
	URL      string            `json:"url"`
	Headers  map[string]string `json:"headers"`
}

func send(g grant, body []byte) { sendBody(g, bytes.NewReader(body), int64(len(body))) }

// sendBody PUTs length bytes to a signed URL and returns the ETag the store
// answered.
func sendBody(g grant, body io.Reader, length int64) string {
	req, _ := http.NewRequest(g.Method, g.URL, body)
	req.ContentLength = length
	for k, v := range g.Headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	must(err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		must(fmt.Errorf("PUT to storage: %d %s", resp.StatusCode, b))
	}
	return strings.Trim(resp.Header.Get("ETag"), `"`)
}

// concurrently runs fn clients×each times on `clients` goroutines and returns MB/s for bytesEach per call.
func concurrently(clients, each, bytesEach int, fn func()) float64 {
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				fn()
			}
		}()
	}
	wg.Wait()
	return float64(clients*each*bytesEach) / time.Since(start).Seconds() / 1e6
}

// uploadOne sends one file through authorize → PUT → complete and returns the
// times of the two API calls.
func (e *apiEnv) uploadOne(body []byte) (authorize, complete time.Duration) {
	code, b, d1 := e.call("POST", "/api/v1/groups/"+e.gid+"/uploads", fmt.Sprintf(`{"filename":"x.jpg","content_type":"image/jpeg","size":%d}`, len(body)))
	if code != 201 {
		must(fmt.Errorf("authorize: %d %s", code, b))
	}
	var g grant
	must(json.Unmarshal(b, &g))
	send(g, body)
	code, b, d2 := e.call("POST", "/api/v1/uploads/"+g.UploadID+"/complete", "")
	if code != 201 {
		must(fmt.Errorf("complete: %d %s", code, b))
	}
	return d1, d2
}

// uploadRound sends clients×each files through authorize → PUT → complete.
func (e *apiEnv) uploadRound(clients, each int, body []byte, authorize, complete *[]time.Duration) float64 {
	var mu sync.Mutex
	return concurrently(clients, each, len(body), func() {
		d1, d2 := e.uploadOne(body)
		mu.Lock()
		*authorize, *complete = append(*authorize, d1), append(*complete, d2)
		mu.Unlock()
	})
}

const upClients, upEach = 8, 8

// uploadBody is 4 MiB that starts like a JPEG, enough for completion's check.
func uploadBody() []byte { return bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 0xE0}, 1<<20) }

func medianRate(r []float64) float64 {
	s := append([]float64(nil), r...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// benchUploads runs the upload path against an in-process API on SQLite and the
// local store, and writes the same bytes with dd to the same disk.
func benchUploads(rounds int) []row {
	dir, _ := os.MkdirTemp("", "wmory-bench-up-")
	defer os.RemoveAll(dir)
	e := newAPI(context.Background(), "sqlite:"+filepath.Join(dir, "db.sqlite"), func(base *url.URL) (blob.Store, http.Handler) {
		store, err := local.Open(filepath.Join(dir, "blobs"), filepath.Join(dir, "key"), base)
		must(err)
		return store, store
	})
	defer e.Close()
	body := uploadBody()
	var authorize, complete []time.Duration
	var ours, dd []float64
	for r := 0; r < rounds; r++ {
		ours = append(ours, e.uploadRound(upClients, upEach, body, &authorize, &complete))
		dd = append(dd, ddFiles(dir, upClients, upEach, len(body)))
	}
	t, d := medianRate(ours), medianRate(dd)
	return []row{
		{"upload path, local store (8 clients, 4 MiB)", fmt.Sprintf("%.0f MB/s", t), fmt.Sprintf("%.0f MB/s (`dd`, 8 at a time, a synced file each)", d), fmt.Sprintf("%.2f", t/d), "goal ≥ 0.8"},
		{"authorize latency p50 / p99", ms(percentile(authorize, 0.5)) + " / " + ms(percentile(authorize, 0.99)), "", "", "SQLite"},
		{"complete latency p50 / p99", ms(percentile(complete, 0.5)) + " / " + ms(percentile(complete, 0.99)), "", "", "SQLite"},
	}
}

// ddFiles writes the same bytes the way the store keeps them, one synced 4 MiB
// file per upload, with `clients` dd processes at a time: the disk's own pace.
func ddFiles(dir string, clients, each, size int) float64 {
	var n sync.Mutex
	i := 0
	rate := concurrently(clients, each, size, func() {
		n.Lock()
		i++
		name := filepath.Join(dir, fmt.Sprintf("dd-%d.bin", i))
		n.Unlock()
		out, err := exec.Command("dd", "if=/dev/zero", "of="+name, fmt.Sprintf("bs=%d", size), "count=1", "conv=fsync").CombinedOutput()
		must(errFrom(err, out))
	})
	files, _ := filepath.Glob(filepath.Join(dir, "dd-*.bin"))
	for _, f := range files {
		os.Remove(f)
	}
	return rate
}

// benchBucket starts a versitygw under dir with a bucket "bench", and returns
// the S3 store on it and the function that stops it.
func benchBucket(dir string) (*s3.Store, func(), error) {
	gw, err := blobtest.LaunchVersityGW(filepath.Join(dir, "gw"))
	if err != nil {
		return nil, nil, err
	}
	must(gw.MakeBucket("bench"))
	// The store takes credentials from the SDK's default chain, as in production.
	os.Setenv("AWS_ACCESS_KEY_ID", gw.Access)
	os.Setenv("AWS_SECRET_ACCESS_KEY", gw.Secret)
	os.Setenv("AWS_REGION", "us-east-1")
	store, err := s3.New(context.Background(), s3.Config{Bucket: "bench", Region: "us-east-1", Endpoint: gw.Endpoint, PathStyle: true})
	must(err)
	return store, gw.Stop, nil
}

// benchS3Uploads runs the same upload path with versitygw as the store, against
// plain presigned PUTs of the same bytes to the same versitygw, alternating.
func benchS3Uploads(rounds int) []row {
	dir, _ := os.MkdirTemp("", "wmory-bench-s3-")
	defer os.RemoveAll(dir)
	store, stop, err := benchBucket(dir)
	if err != nil {
		return []row{{name: "upload path, S3 store", note: err.Error()}}
	}
	defer stop()
	ctx := context.Background()
	e := newAPI(ctx, "sqlite:"+filepath.Join(dir, "db.sqlite"), func(*url.URL) (blob.Store, http.Handler) { return store, nil })
	defer e.Close()

	body := uploadBody()
	plain := func() {
		key := make([]byte, 16)
		rand.Read(key)
		req, err := store.PresignPut(ctx, "plain/"+hex.EncodeToString(key), blob.PutOptions{Size: int64(len(body)), ContentType: "image/jpeg", TTL: time.Minute})
		must(err)
		send(grant{Method: req.Method, URL: req.URL, Headers: req.Headers}, body)
	}
	var authorize, complete []time.Duration
	var ours, theirs []float64
	for r := 0; r < rounds; r++ {
		alternate(r%2 == 0,
			func() { ours = append(ours, e.uploadRound(upClients, upEach, body, &authorize, &complete)) },
			func() { theirs = append(theirs, concurrently(upClients, upEach, len(body), plain)) })
	}
	t, p := medianRate(ours), medianRate(theirs)
	return []row{
		{"upload path, S3 store (versitygw; 8 clients, 4 MiB)", fmt.Sprintf("%.0f MB/s", t), fmt.Sprintf("%.0f MB/s (presigned PUTs alone)", p), fmt.Sprintf("%.2f", t/p), "wmory adds authorize and complete (one ranged GET) per file; goal ≥ 0.9"},
		{"authorize / complete p50, S3", ms(percentile(authorize, 0.5)) + " / " + ms(percentile(complete, 0.5)), "", "", "p99: " + ms(percentile(authorize, 0.99)) + " / " + ms(percentile(complete, 0.99))},
	}
}
