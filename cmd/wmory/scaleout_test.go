package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/s3"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
	"github.com/wmory/wmory/internal/testtools"
)

// process is a wmory started as its own operating-system process.
type process struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	base   string
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wmory")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startProcess(t *testing.T, bin string, env map[string]string, args ...string) *process {
	t.Helper()
	p := &process{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = os.Environ()
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	want := regexp.MustCompile(`"msg":"(listening|worker running)"(,"addr":"([^"]+)")?`)
	waitFor(t, "process start", func() (string, bool) {
		m := want.FindStringSubmatch(p.stderr.String())
		if m == nil {
			return "", false
		}
		if m[3] != "" {
			p.base = "http://" + m[3]
		}
		return "", true
	})
	return p
}

// stop sends SIGTERM and expects a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, tail(p.stderr.String()))
		}
	case <-time.After(30 * time.Second):
		t.Errorf("no exit 30 s after SIGTERM")
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

type apiClient struct {
	t     *testing.T
	token string
}

func (c apiClient) do(base, method, path string, body any, want int) map[string]any {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s%s = %d %s; want %d", method, base, path, resp.StatusCode, b, want)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// Two API servers and two workers share one database and one S3 store. A few
// hundred uploads go through both servers (authorized on one, completed on the
// other); a worker is killed with SIGKILL halfway. Every item ends ready, each
// with exactly its thumbnail and preview, no job is left, and the quota is exact.
func TestScaleOut(t *testing.T) {
	var engines []sqldbtest.Engine
	for _, eng := range sqldbtest.Engines(t) {
		// SQLite is one machine's file: scale-out runs on MySQL/PostgreSQL.
		if eng.Dialect != sqldb.SQLite {
			engines = append(engines, eng)
		}
	}
	if len(engines) == 0 {
		return // Engines logged which servers were not named
	}
	bin := buildBinary(t)
	photo := testfile(t, "camera.jpg")
	for _, eng := range engines {
		t.Run(eng.Name, func(t *testing.T) {
			gw := blobtest.StartVersityGW(t)
			gw.CreateBucket(t, "photos")
			dbURL := eng.URL(t)
			env := map[string]string{"DATABASE_URL": dbURL, "AWS_BUCKET_NAME": "photos", "AWS_ENDPOINT_URL_S3": gw.Endpoint,
				"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": gw.Access, "AWS_SECRET_ACCESS_KEY": gw.Secret,
				"WMORY_WORKERS": "0", "WMORY_JOB_LEASE": "3s", "WMORY_DATA_DIR": t.TempDir(), "WMORY_DB_MAX_OPEN": "10"}
			a := startProcess(t, bin, env, "serve", "--addr", "127.0.0.1:0")
			b := startProcess(t, bin, env, "serve", "--addr", "127.0.0.1:0")
			env["WMORY_WORKERS"] = "2"
			w1 := startProcess(t, bin, env, "worker")
			withMetrics := maps.Clone(env)
			withMetrics["WMORY_METRICS_ADDR"] = "127.0.0.1:0"
			w2 := startProcess(t, bin, withMetrics, "worker")

			anon := apiClient{t: t}
			anon.do(a.base, "POST", "/api/v1/auth/register", map[string]string{"email": "ann@example.com", "password": "a long enough passphrase", "name": "Ann"}, 202)
			// Mail is sent by whichever worker takes the job.
			token := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(waitFor(t, "mail", func() (string, bool) {
				s := w1.stdout.String() + w2.stdout.String()
				return s, strings.Contains(s, "token=")
			}))[1]
			anon.do(b.base, "POST", "/api/v1/auth/verify-email", map[string]string{"token": token}, 200)
			login := anon.do(b.base, "POST", "/api/v1/auth/login", map[string]string{"email": "ann@example.com", "password": "a long enough passphrase"}, 200)
			ann := apiClient{t: t, token: login["token"].(string)}
			gid := ann.do(a.base, "POST", "/api/v1/groups", map[string]string{"name": "Crowd"}, 201)["id"].(string)

			const n = 200
			var wg sync.WaitGroup
			work := make(chan int)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range work {
						first, second := a.base, b.base
						if i%2 == 1 {
							first, second = second, first
						}
						up := ann.do(first, "POST", "/api/v1/groups/"+gid+"/uploads",
							map[string]any{"filename": fmt.Sprintf("%03d.jpg", i), "content_type": "image/jpeg", "size": len(photo)}, 201)
						if status, err := putSigned(up, photo); err != nil || status != 200 {
							t.Errorf("PUT %d: %d %v", i, status, err)
							continue
						}
						ann.do(second, "POST", "/api/v1/uploads/"+up["upload_id"].(string)+"/complete", nil, 201)
					}
				}()
			}
			for i := range n {
				if i == n/2 {
					w1.cmd.Process.Kill() // SIGKILL: its leases must expire and others take over
					w1.cmd.Wait()
				}
				work <- i
			}
			close(work)
			wg.Wait()

			var items []any
			waitForLong(t, 3*time.Minute, "all media ready", func() bool {
				items = items[:0]
				path := "/api/v1/groups/" + gid + "/media?limit=200"
				for {
					page := ann.do(b.base, "GET", path, nil, 200)
					items = append(items, page["items"].([]any)...)
					next, _ := page["next_cursor"].(string)
					if next == "" {
						break
					}
					path = "/api/v1/groups/" + gid + "/media?limit=200&cursor=" + next
				}
				for _, it := range items {
					if it.(map[string]any)["status"] != "ready" {
						return false
					}
				}
				return len(items) == n
			})

			// The surviving worker reports its work where Prometheus can scrape it.
			for path, want := range map[string]string{"/metrics": `wmory_jobs_total{`, "/healthz": `"ok"`} {
				resp, err := http.Get(w2.base + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
					t.Errorf("worker %s = %d:\n%.500s", path, resp.StatusCode, body)
				}
			}

			// Each job's effect exactly once: one thumbnail and one preview per item.
			t.Setenv("AWS_ACCESS_KEY_ID", gw.Access)
			t.Setenv("AWS_SECRET_ACCESS_KEY", gw.Secret)
			store, err := s3.New(context.Background(), s3.Config{Bucket: "photos", Region: "us-east-1", Endpoint: gw.Endpoint, PathStyle: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				m := it.(map[string]any)
				full := ann.do(a.base, "GET", "/api/v1/media/"+m["id"].(string), nil, 200)
				key := regexp.MustCompile(`/photos/(o/[0-9a-z]+/[0-9a-z]+)\?`).FindStringSubmatch(full["original_url"].(string))
				if key == nil {
					t.Fatalf("no key in %s", full["original_url"])
				}
				for _, k := range []string{key[1] + ".thumb.webp", key[1] + ".preview.webp"} {
					if _, err := store.Stat(context.Background(), k); err != nil {
						t.Errorf("%s: %v", k, err)
					}
				}
			}
			me := ann.do(a.base, "GET", "/api/v1/me", nil, 200)["quota"].(map[string]any)
			if me["daily_files_used"] != float64(n) || me["daily_bytes_used"] != float64(n*len(photo)) {
				t.Errorf("quota %v; want %d files and %d bytes", me, n, n*len(photo))
			}
			db, err := sqldb.Open(context.Background(), dbURL, sqldb.PoolConfig{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if q, r, _, _ := db.QueueStats(context.Background()); q != 0 || r != 0 {
				t.Errorf("jobs left: %d queued, %d running", q, r)
			}
			// A server dies between a client's PUT and its completion: the client
			// completes through the other server.
			up := ann.do(a.base, "POST", "/api/v1/groups/"+gid+"/uploads",
				map[string]any{"filename": "last.jpg", "content_type": "image/jpeg", "size": len(photo)}, 201)
			req, _ := http.NewRequest("PUT", up["url"].(string), bytes.NewReader(photo))
			for k, v := range up["headers"].(map[string]any) {
				req.Header.Set(k, v.(string))
			}
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
				t.Fatalf("PUT: %v %v", err, resp)
			}
			a.cmd.Process.Kill()
			a.cmd.Wait()
			ann.do(b.base, "POST", "/api/v1/uploads/"+up["upload_id"].(string)+"/complete", nil, 201)

			for _, p := range []*process{b, w2} {
				p.stop(t)
			}
			s := bufio.NewScanner(strings.NewReader(a.stderr.String() + b.stderr.String()))
			for s.Scan() {
				if strings.Contains(s.Text(), `"level":"ERROR"`) {
					t.Errorf("error logged: %s", s.Text())
				}
			}
		})
	}
}

func waitForLong(t *testing.T, d time.Duration, what string, f func() bool) {
	t.Helper()
	if !testtools.Until(d, f) {
		t.Fatalf("timed out waiting for %s", what)
	}
}
