package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/local"
	"github.com/wmory/wmory/internal/blob/s3"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// tcpProxy forwards connections to a server and can cut them all, so a test
// can take a dependency away and bring it back without touching the real
// server that other tests share.
type tcpProxy struct {
	target string
	ln     net.Listener
	addr   string
	mu     sync.Mutex
	conns  []net.Conn
	up     bool
	// An outage that starts once trigger bytes from clients have passed.
	sent, trigger int64
	outage        time.Duration
	outages       chan struct{} // one value each time one has ended
	// rate, when set, slows what each connection's client sends to that
	// many bytes a second, as a phone's uplink would.
	rate int64
	// cuts is closed when the proxy cuts its connections (and made anew):
	// a client's bytes held back for the slow link go no further then.
	cuts chan struct{}
}

func newProxy(t *testing.T, target string) *tcpProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{target: target, ln: ln, addr: ln.Addr().String(), up: true, outages: make(chan struct{}, 1), cuts: make(chan struct{})}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		up, target := p.up, p.target
		p.mu.Unlock()
		if !up {
			c.Close() // refused, as by a server that is down
			continue
		}
		s, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go func() { io.Copy(s, proxyReader{c, p}); s.Close() }()
		go func() { io.Copy(c, s); c.Close() }()
	}
}

// cut drops every connection and refuses new ones; restore accepts again.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = false
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	close(p.cuts)
	p.cuts = make(chan struct{})
}

func (p *tcpProxy) restore() {
	p.mu.Lock()
	p.up = true
	p.mu.Unlock()
}

// setTarget points the proxy at a server started after it (one that must
// know the proxy's address first).
func (p *tcpProxy) setTarget(target string) {
	p.mu.Lock()
	p.target = target
	p.mu.Unlock()
}

// sentSoFar is how many bytes clients have sent through the proxy.
func (p *tcpProxy) sentSoFar() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent
}

// outageAfter cuts everything once n more bytes from clients have passed,
// and restores the proxy d later.
func (p *tcpProxy) outageAfter(n int64, d time.Duration) {
	p.mu.Lock()
	p.trigger, p.outage = p.sent+n, d
	p.mu.Unlock()
}

// proxyReader counts what clients send, for outageAfter.
type proxyReader struct {
	c net.Conn
	p *tcpProxy
}

func (r proxyReader) Read(b []byte) (int, error) {
	r.p.mu.Lock()
	rate, cuts := r.p.rate, r.p.cuts
	r.p.mu.Unlock()
	if rate > 0 {
		b = b[:min(len(b), 64<<10)]
	}
	n, err := r.c.Read(b)
	if rate > 0 {
		// The slow link: the bytes pass once their time on it is over,
		// unless the connection is cut meanwhile.
		select {
		case <-time.After(time.Duration(n) * time.Second / time.Duration(rate)):
		case <-cuts:
			return 0, net.ErrClosed
		}
	}
	r.p.mu.Lock()
	r.p.sent += int64(n)
	start := r.p.trigger > 0 && r.p.sent >= r.p.trigger
	if start {
		r.p.trigger = 0
	}
	d := r.p.outage
	r.p.mu.Unlock()
	if start {
		r.p.cut()
		time.AfterFunc(d, func() {
			r.p.restore()
			r.p.outages <- struct{}{}
		})
	}
	return n, err
}

func status(t *testing.T, base, path string) int {
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The database goes away while wmory runs: readiness fails, requests answer
// 503 unavailable without hanging, and wmory recovers by itself.
func TestDatabaseOutage(t *testing.T) {
	for _, eng := range sqldbtest.Engines(t) {
		if eng.Dialect == sqldb.SQLite {
			continue // a file does not go away like a server
		}
		t.Run(eng.Name, func(t *testing.T) {
			u, _ := url.Parse(eng.URL(t))
			proxy := newProxy(t, u.Host)
			u.Host = proxy.addr
			in := start(t, map[string]string{"DATABASE_URL": u.String()})
			readMail := in.consoleMail
			ann := in.signup("ann@example.com", "Ann", readMail)
			ann.do("GET", "/api/v1/groups", nil, 200)

			proxy.cut()
			if s := status(t, in.base, "/readyz"); s != 503 {
				t.Errorf("readyz with the database down = %d", s)
			}
			if s := status(t, in.base, "/healthz"); s != 200 {
				t.Errorf("healthz with the database down = %d", s)
			}
			r := ann.do("GET", "/api/v1/groups", nil, 503)
			if r["error"].(map[string]any)["code"] != "unavailable" {
				t.Errorf("error %v", r)
			}
			proxy.restore()
			waitFor(t, "recovery", func() (string, bool) { return "", status(t, in.base, "/readyz") == 200 })
			ann.do("GET", "/api/v1/groups", nil, 200)
			ann.do("POST", "/api/v1/groups", map[string]string{"name": "After"}, 201)
		})
	}
}

// The object store goes away: authorization answers 503 storage_unavailable,
// completion fails cleanly, and both work again once the store is back.
func TestObjectStoreOutage(t *testing.T) {
	env := startS3(t)
	endpoint, _ := url.Parse(env["AWS_ENDPOINT_URL_S3"])
	proxy := newProxy(t, endpoint.Host)
	env["test:direct-s3-endpoint"] = env["AWS_ENDPOINT_URL_S3"] // for the test's own look at the bucket
	env["AWS_ENDPOINT_URL_S3"] = "http://" + proxy.addr
	in := start(t, env)
	readMail := in.consoleMail
	ann := in.signup("ann@example.com", "Ann", readMail)
	gid := ann.do("POST", "/api/v1/groups", map[string]string{"name": "G"}, 201)["id"].(string)
	uploadID := ann.put(gid, "a.jpg", "image/jpeg", testfile(t, "camera.jpg"))

	proxy.cut()
	waitFor(t, "the outage to be noticed", func() (string, bool) { return "", status(t, in.base, "/readyz") == 503 })
	r := ann.do("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "b.jpg", "content_type": "image/jpeg", "size": 10}, 503)
	if r["error"].(map[string]any)["code"] != "storage_unavailable" {
		t.Fatalf("authorize during the outage: %v", r)
	}
	ann.do("POST", "/api/v1/uploads/"+uploadID+"/complete", nil, 503)
	if q := ann.do("GET", "/api/v1/me", nil, 200)["quota"].(map[string]any); q["daily_files_used"] != float64(1) {
		t.Fatalf("the refused authorization reserved quota: %v", q)
	}

	proxy.restore()
	waitFor(t, "recovery", func() (string, bool) { return "", status(t, in.base, "/readyz") == 200 })
	ann.do("POST", "/api/v1/uploads/"+uploadID+"/complete", nil, 201)
	waitFor(t, "the health cache to clear", func() (string, bool) {
		req, _ := http.NewRequest("POST", in.base+"/api/v1/groups/"+gid+"/uploads", strings.NewReader(`{"filename":"b.jpg","content_type":"image/jpeg","size":10}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+ann.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", false
		}
		resp.Body.Close()
		return "", resp.StatusCode == 201
	})
	in.assertNoOrphans()
}

// assertNoOrphans waits until every object under the upload prefix of the
// instance's store belongs to a pending upload or a media item.
func (in *instance) assertNoOrphans() {
	t := in.t
	t.Helper()
	dbURL := in.env["DATABASE_URL"]
	if dbURL == "" {
		dbURL = "sqlite:" + filepath.Join(in.env["WMORY_DATA_DIR"], "wmory.db")
	}
	db, err := sqldb.Open(t.Context(), dbURL, sqldb.PoolConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var store blob.Store
	if bucket := in.env["AWS_BUCKET_NAME"]; bucket != "" {
		endpoint := in.env["AWS_ENDPOINT_URL_S3"]
		if direct := in.env["test:direct-s3-endpoint"]; direct != "" {
			endpoint = direct
		}
		if store, err = s3.New(t.Context(), s3.Config{Bucket: bucket, Region: in.env["AWS_REGION"], Endpoint: endpoint, PathStyle: true}); err != nil {
			t.Fatal(err)
		}
	} else {
		dir := in.env["WMORY_DATA_DIR"]
		if store, err = local.Open(filepath.Join(dir, "blobs"), filepath.Join(dir, "blob.key"), &url.URL{Scheme: "http", Host: "localhost"}); err != nil {
			t.Fatal(err)
		}
	}
	// Deletions run as jobs: wait for the queue to catch up.
	waitFor(t, "no orphan objects", func() (string, bool) {
		var keys []string
		if err := store.List(t.Context(), wmory.UploadPrefix, func(o blob.Object) error { keys = append(keys, o.Key); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			t.Fatal("the store holds no object at all: the check saw nothing")
		}
		live, err := db.LiveObjects(t.Context(), keys)
		if err != nil {
			t.Fatal(err)
		}
		var orphans []string
		for _, k := range keys {
			if !live[k] {
				orphans = append(orphans, k)
			}
		}
		return strings.Join(orphans, ", "), len(orphans) == 0
	})
}
