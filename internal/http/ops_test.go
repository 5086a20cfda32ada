package http_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

func TestSuspendedAccountIsSignedOutAndCannotLogIn(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	c := e.signup("s@example.com", "S")
	other := e.login("s@example.com", goodPassword)
	if err := e.db.SetSuspended(context.Background(), wmory.Actor{}, c.userID, true); err != nil {
		t.Fatal(err)
	}
	c.must(401, "GET", "/api/v1/me", nil)
	other.must(401, "GET", "/api/v1/me", nil)
	if r := e.anon().call("POST", "/api/v1/auth/login", map[string]string{"email": "s@example.com", "password": goodPassword}); r.status != 403 || r.code() != "account_suspended" {
		t.Fatalf("login while suspended = %d %s", r.status, r.body)
	}
	// A wrong password still says only "invalid credentials".
	e.anon().must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "s@example.com", "password": "wrong passphrase"})
	e.db.SetSuspended(context.Background(), wmory.Actor{}, c.userID, false)
	e.login("s@example.com", goodPassword)
}

// A failing database gives a generic answer with the request id, never the
// driver's words; readiness reports it.
func TestDatabaseFailureIsNotLeaked(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	c := e.signup("a@example.com", "A")
	e.anon().must(200, "GET", "/readyz", nil)
	e.db.Close()
	r := c.call("GET", "/api/v1/groups", nil)
	if r.status != 500 || r.code() != "internal" {
		t.Fatalf("with the database closed = %d %s", r.status, r.body)
	}
	msg := r.json()["error"].(map[string]any)["message"].(string)
	if strings.Contains(strings.ToLower(string(r.body)), "sql") || msg != "An internal error occurred." {
		t.Fatalf("the error leaks internals: %s", r.body)
	}
	if id := r.json()["error"].(map[string]any)["request_id"]; id != r.header.Get("X-Request-Id") || id == "" {
		t.Fatalf("request id %v vs header %q", id, r.header.Get("X-Request-Id"))
	}
	if r := e.anon().call("GET", "/readyz", nil); r.status != 503 || r.code() != "unavailable" || r.header.Get("Retry-After") == "" {
		t.Fatalf("readyz with the database closed = %d %s", r.status, r.body)
	}
	e.anon().must(200, "GET", "/healthz", nil)
}

// One JSON log line per request, carrying the echoed request id and the route
// pattern, and never the query string (tokens travel there in links).
func TestRequestLog(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	c := e.anon()
	c.header.Set("X-Request-Id", "client-chosen-id")
	r := c.call("GET", "/api/v1/invites/SOMECODE?token=secret-in-query", nil)
	if r.header.Get("X-Request-Id") != "client-chosen-id" {
		t.Fatalf("request id not echoed: %q", r.header.Get("X-Request-Id"))
	}
	c.header.Set("X-Request-Id", `bad"id {"msg":"forged"}`)
	if r := c.call("GET", "/healthz", nil); r.header.Get("X-Request-Id") == "" || strings.ContainsAny(r.header.Get("X-Request-Id"), "\"\r\n") {
		t.Fatalf("unsafe request id kept: %q", r.header.Get("X-Request-Id"))
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(e.logs.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("%d request lines; want 2", len(lines))
	}
	l := lines[0]
	if l["request_id"] != "client-chosen-id" || l["route"] != "GET /api/v1/invites/{code}" || l["status"] != float64(404) || l["ip"] != "127.0.0.1" {
		t.Fatalf("log line %v", l)
	}
	if strings.Contains(e.logs.String(), "secret-in-query") || strings.Contains(e.logs.String(), "SOMECODE") {
		t.Fatal("the query string or an invite code reached the log")
	}
}

func TestTrustedProxyAddress(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0], func(c *wmorycfg) {
		c.TrustedProxies = append(c.TrustedProxies, mustPrefix("127.0.0.0/8"))
	})
	c := e.anon()
	c.header.Set("X-Forwarded-For", "203.0.113.9, 198.51.100.7")
	c.call("GET", "/healthz", nil)
	if !strings.Contains(e.logs.String(), `"ip":"198.51.100.7"`) {
		t.Fatalf("the nearest untrusted address was not used:\n%s", e.logs.String())
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0], func(c *wmorycfg) { c.Limits.DailyFilesLimit = 1 })
	ann := e.signup("ann@example.com", "Ann")
	gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
	ann.upload(gid, "a.jpg", "image/jpeg", tinyJPEG)
	ann.must(429, "POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "b.jpg", "content_type": "image/jpeg", "size": 10})
	// Metrics are for the operators, on their own address (WMORY_METRICS_ADDR).
	if r := e.anon().call("GET", "/metrics", nil); r.status != 404 {
		t.Fatalf("GET /metrics on the API listener = %d; want 404", r.status)
	}
	rec := httptest.NewRecorder()
	e.api.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`wmory_http_requests_total{method="POST",route="POST /api/v1/groups",status="201"} 1`,
		`wmory_http_request_duration_seconds_bucket{route="POST /api/v1/auth/login",le="+Inf"} 1`,
		`wmory_uploads_total{outcome="authorized",reason=""} 1`,
		`wmory_uploads_total{outcome="completed",reason=""} 1`,
		`wmory_quota_refusals_total 1`,
		`wmory_jobs_queued 1`,
		`wmory_db_connections{state="open"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, gid) {
		t.Error("a raw path (with an id) became a label")
	}
}
