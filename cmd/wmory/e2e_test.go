package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/http/openapitest"
	"github.com/wmory/wmory/internal/mail/smtptest"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
	"github.com/wmory/wmory/internal/testtools"
	"github.com/wmory/wmory/internal/webapp"
)

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

// instance is a wmory started through run, as the binary would be.
type instance struct {
	t              *testing.T
	base           string // where the test connects
	public         string // the base URL wmory puts in links
	stdout, stderr *syncBuffer
	stop           func() error
	v              *openapitest.Validator
	env            map[string]string
}

func start(t *testing.T, env map[string]string, args ...string) *instance {
	t.Helper()
	if _, ok := env["WMORY_DATA_DIR"]; !ok {
		env["WMORY_DATA_DIR"] = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{t: t, stdout: &syncBuffer{}, stderr: &syncBuffer{}, env: env}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, in.stdout, in.stderr)
	}()
	var once sync.Once
	var runErr error
	in.stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { in.stop() })
	listening := regexp.MustCompile(`"msg":"listening","addr":"([^"]+)","base_url":"([^"]+)"`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(in.stderr.String()); m != nil {
			in.base, in.public = "http://"+m[1], m[2]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("wmory exited: %v\n%s", err, in.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if in.base == "" {
		t.Fatalf("wmory did not start:\n%s", in.stderr.String())
	}
	// Responses are checked against the document this very server serves.
	resp, err := http.Get(in.base + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if in.v, err = openapitest.New(doc); err != nil {
		t.Fatalf("served OpenAPI document: %v", err)
	}
	return in
}

// consoleMail waits for the console mailer's newest message to an address and
// returns it with what was printed after it.
func (in *instance) consoleMail(to string) string {
	in.t.Helper()
	return waitFor(in.t, "mail to "+to, func() (string, bool) {
		s := in.stdout.String()
		i := strings.LastIndex(s, "To: "+to)
		return s[max(i, 0):], i >= 0
	})
}

type user struct {
	in    *instance
	token string
	id    string
}

func (in *instance) do(token, method, path string, body any, wantStatus int) map[string]any {
	in.t.Helper()
	var rd io.Reader
	if body != nil {
		js, _ := json.Marshal(body)
		rd = bytes.NewReader(js)
	}
	req, _ := http.NewRequest(method, in.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		in.t.Fatalf("%s %s = %d %s; want %d", method, path, resp.StatusCode, b, wantStatus)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		in.t.Errorf("%s %s: no X-Request-Id", method, path)
	}
	p, _, _ := strings.Cut(path, "?")
	if err := in.v.Check(method, p, resp.StatusCode, b); err != nil {
		in.t.Errorf("OpenAPI: %v", err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

var linkToken = regexp.MustCompile(`(https?://[^\s]+)\?token=([A-Za-z0-9_-]+)`)

// signup registers name@example.com, follows the e-mailed link read by
// readMail, and signs in.
func (in *instance) signup(email, name string, readMail func(to string) string) *user {
	in.t.Helper()
	in.do("", "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "a long enough passphrase", "name": name}, 202)
	body := readMail(email)
	m := linkToken.FindStringSubmatch(body)
	if m == nil {
		in.t.Fatalf("no link in the mail to %s:\n%s", email, body)
	}
	if m[1] != in.public+"/verify-email" {
		in.t.Fatalf("verification link %s does not lead to /verify-email", m[1])
	}
	in.do("", "POST", "/api/v1/auth/verify-email", map[string]string{"token": m[2]}, 200)
	r := in.do("", "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "a long enough passphrase"}, 200)
	return &user{in: in, token: r["token"].(string), id: r["user"].(map[string]any)["id"].(string)}
}

func (u *user) do(method, path string, body any, status int) map[string]any {
	u.in.t.Helper()
	return u.in.do(u.token, method, path, body, status)
}

func waitFor(t *testing.T, what string, f func() (string, bool)) string {
	t.Helper()
	var s string
	if !testtools.Until(10*time.Second, func() (ok bool) { s, ok = f(); return ok }) {
		t.Fatalf("timed out waiting for %s", what)
	}
	return s
}

// The whole foundation flow with three people, on every database, with e-mail
// through a real SMTP server.
func TestEndToEndWithSMTP(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		smtp := smtptest.Start(t, "wmory", "mail secret")
		in := start(t, map[string]string{
			"DATABASE_URL":    eng.URL(t),
			"SMTP_URL":        "smtp://wmory:mail%20secret@" + smtp.Addr,
			"WMORY_MAIL_FROM": "Photos <photos@example.com>",
		})
		readMail := func(to string) string {
			return waitFor(t, "mail to "+to, func() (string, bool) {
				msgs := smtp.Messages()
				for i := len(msgs) - 1; i >= 0; i-- {
					if msgs[i].To[0] == to {
						msg, err := mail.ReadMessage(strings.NewReader(msgs[i].Data))
						if err != nil {
							t.Fatal(err)
						}
						b, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
						return string(b), true
					}
				}
				return "", false
			})
		}
		ann := in.signup("ann@example.com", "Ann", readMail)
		bob := in.signup("bob@example.com", "Bob", readMail)
		cat := in.signup("cat@example.com", "Cat", readMail)
		if msgs := smtp.Messages(); msgs[0].From != "photos@example.com" || msgs[0].User != "wmory" {
			t.Fatalf("envelope %+v", msgs[0])
		}

		g := ann.do("POST", "/api/v1/groups", map[string]string{"name": "Summer"}, 201)
		gid := g["id"].(string)
		inv := ann.do("POST", "/api/v1/groups/"+gid+"/invites", map[string]any{"max_uses": 5}, 201)
		if !strings.HasPrefix(inv["url"].(string), in.public+"/invite/") {
			t.Fatalf("invite url %v does not use the base URL %s", inv["url"], in.public)
		}
		code := inv["code"].(string)
		if p := bob.do("GET", "/api/v1/invites/"+code, nil, 200); p["invited_by"] != "Ann" {
			t.Fatalf("preview %v", p)
		}
		bob.do("POST", "/api/v1/invites/"+code+"/accept", nil, 200)
		cat.do("POST", "/api/v1/invites/"+code+"/accept", nil, 200)
		ann.do("PATCH", "/api/v1/groups/"+gid+"/members/"+bob.id, map[string]string{"role": "admin"}, 200)
		bob.do("DELETE", "/api/v1/groups/"+gid+"/members/"+cat.id, nil, 204)
		cat.do("GET", "/api/v1/groups/"+gid, nil, 404)
		if g := ann.do("GET", "/api/v1/groups/"+gid, nil, 200); g["member_count"] != float64(2) {
			t.Fatalf("group %v", g)
		}
		ann.do("POST", "/api/v1/groups/"+gid+"/transfer", map[string]string{"user_id": bob.id}, 200)
		ann.do("DELETE", "/api/v1/groups/"+gid+"/members/me", nil, 204)
		audit := bob.do("GET", "/api/v1/groups/"+gid+"/audit", nil, 200)["items"].([]any)
		if len(audit) != 8 {
			t.Fatalf("%d audit entries; want 8: %v", len(audit), audit)
		}

		// Password reset by e-mail signs out every session.
		in.do("", "POST", "/api/v1/auth/password-reset", map[string]string{"email": "cat@example.com"}, 202)
		m := linkToken.FindStringSubmatch(waitFor(t, "reset mail", func() (string, bool) {
			b := readMail("cat@example.com")
			return b, strings.Contains(b, "/reset-password?token=")
		}))
		in.do("", "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": m[2], "password": "cat's new passphrase"}, 204)
		cat.do("GET", "/api/v1/me", nil, 401)
		in.do("", "POST", "/api/v1/auth/login", map[string]string{"email": "cat@example.com", "password": "cat's new passphrase"}, 200)

		// Secrets never reach the logs.
		logs := in.stderr.String()
		for _, secret := range []string{ann.token, bob.token, m[2], "a long enough passphrase", "mail secret"} {
			if strings.Contains(logs, secret) {
				t.Fatalf("a secret appears in the logs: %.8s…", secret)
			}
		}
		if n := strings.Count(logs, `"msg":"request"`); n < 20 {
			t.Fatalf("only %d request log lines", n)
		}
		if err := in.stop(); err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	})
}

// With no SMTP server the links are printed, kept under the data folder, and the
// landing pages they lead to work.
func TestEndToEndConsoleMailer(t *testing.T) {
	dataDir := t.TempDir()
	in := start(t, map[string]string{"WMORY_DATA_DIR": dataDir})
	in.do("", "POST", "/api/v1/auth/register", map[string]string{"email": "dev@example.com", "password": "a long enough passphrase", "name": "Dev"}, 202)
	out := waitFor(t, "printed mail", func() (string, bool) {
		s := in.stdout.String()
		return s, strings.Contains(s, "end of e-mail")
	})
	m := linkToken.FindStringSubmatch(out)
	if m == nil || m[1] != in.public+"/verify-email" {
		t.Fatalf("printed mail has no verification link:\n%s", out)
	}
	files, _ := filepath.Glob(filepath.Join(dataDir, "mail", "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d kept mails; want 1", len(files))
	}
	if _, err := os.Stat(filepath.Join(dataDir, "wmory.db")); err != nil {
		t.Fatalf("no SQLite database in the data folder: %v", err)
	}

	// The link opens a page that confirms on a same-origin POST: the app's
	// screen when this binary embeds the web app (make app; its flow is tested
	// in a browser by client/e2e), else a plain server-rendered form.
	page, err := http.Get(in.base + "/verify-email?token=" + m[2])
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if webapp.FS() != nil {
		if page.StatusCode != 200 || !strings.Contains(string(html), `<div id="root">`) || page.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("verify screen %d %q:\n%s", page.StatusCode, page.Header, html)
		}
		in.do("", "POST", "/api/v1/auth/verify-email", map[string]string{"token": m[2]}, 200)
	} else {
		confirmThroughPage(t, in, page, html, m[2])
	}
	in.do("", "POST", "/api/v1/auth/login", map[string]string{"email": "dev@example.com", "password": "a long enough passphrase"}, 200)
}

func confirmThroughPage(t *testing.T, in *instance, page *http.Response, html []byte, token string) {
	t.Helper()
	if page.StatusCode != 200 || !strings.Contains(string(html), `value="`+token+`"`) || page.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("verify page %d %q:\n%s", page.StatusCode, page.Header, html)
	}
	req, _ := http.NewRequest("POST", in.base+"/verify-email", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", in.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "E-mail confirmed") {
		t.Fatalf("confirming through the page = %d:\n%s", resp.StatusCode, body)
	}
}

// SIGTERM (here: the context) lets a request in flight finish before run returns.
func TestGracefulShutdown(t *testing.T) {
	in := start(t, map[string]string{})
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", in.base+"/api/v1/auth/register", pr)
	req.Header.Set("Content-Type", "application/json")
	// The body waits for the server's 100 Continue, which it sends when the
	// handler starts reading: then the request is the server's, in flight.
	req.Header.Set("Expect", "100-continue")
	taken := make(chan struct{})
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{Got100Continue: func() { close(taken) }}))
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	type result struct {
		status int
		err    error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			res <- result{err: err}
			return
		}
		resp.Body.Close()
		res <- result{status: resp.StatusCode}
	}()
	select {
	case <-taken:
	case <-time.After(10 * time.Second):
		t.Fatal("the server never started reading the request")
	}
	pw.Write([]byte(`{"email":"slow@example.com",`))
	stopped := make(chan error, 1)
	go func() { stopped <- in.stop() }()
	// Shutting down closes the listener first: once new connections are
	// refused, the server is stopping with the request still in flight.
	addr := strings.TrimPrefix(in.base, "http://")
	waitFor(t, "the listener to close", func() (string, bool) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return "", true
		}
		c.Close()
		return "still accepting connections", false
	})
	select {
	case err := <-stopped:
		t.Fatalf("run returned with a request in flight: %v", err)
	default:
	}
	pw.Write([]byte(`"password":"a long enough passphrase","name":"Slow"}`))
	pw.Close()
	if r := <-res; r.err != nil || r.status != 202 {
		t.Fatalf("in-flight request = %d, %v; want 202", r.status, r.err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("run after shutdown: %v", err)
	}
	if !strings.Contains(in.stderr.String(), `"msg":"stopped"`) {
		t.Fatal("no stop log line")
	}
}

func TestConfigurationMistakesAreReportedTogether(t *testing.T) {
	env := map[string]string{
		"WMORY_ADDR":        "8080",
		"WMORY_BASE_URL":    "ftp://x",
		"DATABASE_URL":      "oracle://x",
		"SMTP_URL":          "http://mail",
		"WMORY_MAIL_FROM":   "not an address",
		"WMORY_DAILY_FILES": "-1",
		"DB_PASSWORD_FILE":  filepath.Join(t.TempDir(), "missing"),
	}
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, io.Discard, &stderr)
	if err == nil {
		t.Fatal("bad configuration accepted")
	}
	for _, want := range []string{"WMORY_ADDR", "WMORY_BASE_URL", "DATABASE_URL", "SMTP_URL", "WMORY_MAIL_FROM", "WMORY_DAILY_FILES", "DB_PASSWORD_FILE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not mention %s:\n%v", want, err)
		}
	}
}

func TestMySQLFromSeedVariables(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(secret, []byte("p@ss:word\n"), 0o600)
	env := map[string]string{"DB_HOST": "db.internal", "DB_USER": "app", "DB_PASSWORD_FILE": secret, "DB_NAME": "wmory"}
	c, err := loadConfig("serve", nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "mysql://app:p%40ss%3Aword@db.internal:3306/wmory" {
		t.Fatalf("DATABASE_URL from DB_* = %q", c.DatabaseURL)
	}
	// RDS Proxy requires TLS: DB_TLS asks for it, as a connection option (not
	// a session variable).
	env["DB_TLS"] = "true"
	c, err = loadConfig("serve", nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil || c.DatabaseURL != "mysql://app:p%40ss%3Aword@db.internal:3306/wmory?tls=true" {
		t.Fatalf("DATABASE_URL from DB_* with DB_TLS = %q, %v", c.DatabaseURL, err)
	}
	if _, _, dsn, err := sqldb.ParseURL(c.DatabaseURL); err != nil || !strings.Contains(dsn, "tls=true") {
		t.Fatalf("driver DSN %q, %v", dsn, err)
	}
	env["DB_TLS"] = "yes please"
	if _, err := loadConfig("serve", nil, func(k string) string { return env[k] }, io.Discard); err == nil || !strings.Contains(err.Error(), "tls") {
		t.Fatalf("a bad DB_TLS was accepted: %v", err)
	}
	delete(env, "DB_TLS")
	env["DATABASE_URL"] = "postgres://x/y"
	if _, err := loadConfig("serve", nil, func(k string) string { return env[k] }, io.Discard); err == nil {
		t.Fatal("DATABASE_URL and DB_HOST together were accepted")
	}
}

func TestMigrateCommand(t *testing.T) {
	// Every dialect has the same numbered migrations.
	all, err := filepath.Glob(filepath.Join("..", "..", "internal", "sqldb", "migrations", "sqlite", "*.sql"))
	if err != nil || len(all) < 9 {
		t.Fatalf("migrations found: %v, %v", all, err)
	}
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		env := map[string]string{"DATABASE_URL": eng.URL(t)}
		var out bytes.Buffer
		for i, want := range []string{fmt.Sprintf("applied %d migration(s)", len(all)), "applied 0 migration(s)"} {
			out.Reset()
			if err := run(context.Background(), []string{"migrate"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), want) {
				t.Fatalf("run %d printed %q; want %q", i+1, out.String(), want)
			}
		}
	})
}

func TestUnknownCommand(t *testing.T) {
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, io.Discard, &stderr); err == nil || !strings.Contains(stderr.String(), "usage") {
		t.Fatalf("unknown command: %v, %q", err, stderr.String())
	}
}

// wmory --help names every command, one line each.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "help"} {
		var stdout bytes.Buffer
		if err := run(context.Background(), []string{arg}, func(string) string { return "" }, &stdout, io.Discard); err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		for _, cmd := range []string{"serve", "worker", "migrate", "admin", "lambda", "login", "groups", "upload"} {
			if !regexp.MustCompile(`(?m)^  ` + cmd + ` +\S`).MatchString(stdout.String()) {
				t.Errorf("%s does not list %s:\n%s", arg, cmd, stdout.String())
			}
		}
	}
}

// Metrics are served only on WMORY_METRICS_ADDR, never on the public listener.
func TestMetricsOnTheOperatorsAddress(t *testing.T) {
	in := start(t, map[string]string{"WMORY_METRICS_ADDR": "127.0.0.1:0"})
	if s := status(t, in.base, "/metrics"); s != 404 {
		t.Fatalf("public /metrics = %d; want 404", s)
	}
	m := regexp.MustCompile(`"metrics_addr":"([^"]+)"`).FindStringSubmatch(in.stderr.String())
	if m == nil {
		t.Fatalf("no metrics address logged:\n%s", in.stderr.String())
	}
	resp, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "wmory_http_requests_total") {
		t.Fatalf("operators' /metrics = %d:\n%.300s", resp.StatusCode, body)
	}
}

// The test binary stands in for wmory's own when a worker starts its photo
// helper: os.Executable is the test binary here.
func TestMain(m *testing.M) {
	// As wmory itself, for the tests that need a process of its own (a
	// terminal as standard input).
	if os.Getenv("WMORY_TEST_BE_WMORY") == "1" || len(os.Args) > 1 && os.Args[1] == "imaging-helper" {
		if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The container's health check asks the server on its own port, and fails
// when nothing answers there.
func TestHealthcheckCommand(t *testing.T) {
	in := start(t, map[string]string{})
	u, _ := url.Parse(in.base)
	env := map[string]string{"WMORY_ADDR": ":" + u.Port()}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"healthcheck"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil || !strings.Contains(out.String(), `"ready"`) {
		t.Fatalf("healthcheck = %v, %q", err, out.String())
	}
	env["WMORY_ADDR"] = freeAddr(t)
	if err := run(t.Context(), []string{"healthcheck"}, func(k string) string { return env[k] }, io.Discard, io.Discard); err == nil {
		t.Fatal("healthcheck passed with no server")
	}
	if err := run(t.Context(), []string{"healthcheck", "--url", in.base + "/healthz"}, func(string) string { return "" }, io.Discard, io.Discard); err != nil {
		t.Fatalf("healthcheck --url = %v", err)
	}
}
