package http_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	wmoryhttp "github.com/wmory/wmory/internal/http"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// The web app is one page: its hashed files are served as files (cached for
// good), every other path opens index.html, and the API keeps its JSON errors.
func TestServesTheWebApp(t *testing.T) {
	app := fstest.MapFS{
		"index.html":                         {Data: []byte(`<!doctype html><div id="root"></div><script src="/_expo/static/js/web/entry-abc.js" defer></script>`)},
		"_expo/static/js/web/entry-abc.js":   {Data: []byte(`console.log("app")`)},
		"assets/node_modules/x/icon.abc.png": {Data: []byte("\x89PNG\r\n\x1a\n")},
		"metadata.json":                      {Data: []byte(`{}`)},
	}
	e := newEnv(t, sqldbtest.Engines(t)[0], func(c *wmoryhttp.Config) { c.App = app })

	get := func(method, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, e.srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	// Screens, deep links included, open the page with its protections.
	for _, path := range []string{"/", "/invite/abcDEF123", "/verify-email?token=x", "/reset-password?token=y", "/groups/01H/media/01J", "/forgot-password"} {
		resp, body := get("GET", path)
		if resp.StatusCode != 200 || !strings.Contains(body, `<div id="root">`) {
			t.Fatalf("GET %s = %d %q", path, resp.StatusCode, body)
		}
		h := resp.Header
		if h.Get("Cache-Control") != "no-cache" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			!strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s headers %v", path, h)
		}
	}
	// The e-mails' unsubscribe page is the server's, app or not: no JavaScript needed.
	if resp, body := get("GET", "/unsubscribe?token=x"); resp.StatusCode != 200 || !strings.Contains(body, "Stop these e-mails") || strings.Contains(body, `<div id="root">`) {
		t.Fatalf("GET /unsubscribe = %d %q", resp.StatusCode, body)
	}
	if resp, body := get("HEAD", "/invite/abc"); resp.StatusCode != 200 || body != "" {
		t.Fatalf("HEAD = %d %q", resp.StatusCode, body)
	}

	// Hashed files are cached for good, with their own type.
	resp, body := get("GET", "/_expo/static/js/web/entry-abc.js")
	if resp.StatusCode != 200 || body != `console.log("app")` || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") ||
		!strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("bundle = %d %v %q", resp.StatusCode, resp.Header, body)
	}
	if resp, _ := get("GET", "/assets/node_modules/x/icon.abc.png"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("asset = %d %v", resp.StatusCode, resp.Header)
	}

	// A missing file is a 404, never the page (a stale bundle must fail loudly);
	// paths that climb out of the app find nothing either.
	for _, path := range []string{"/_expo/static/js/web/entry-old.js", "/assets/gone.png", "/favicon.ico", "/../go.mod", "/%2e%2e/go.mod"} {
		if resp, body := get("GET", path); resp.StatusCode != 404 || strings.Contains(body, "root") {
			t.Fatalf("GET %s = %d %q", path, resp.StatusCode, body)
		}
	}

	// The API and the signed-URL routes keep their JSON answers.
	for _, path := range []string{"/api/v1/nope", "/api", "/blob/whatever"} {
		resp, body := get("GET", path)
		if resp.StatusCode < 400 || strings.Contains(body, "root") || path != "/blob/whatever" && !strings.Contains(body, `"error"`) {
			t.Fatalf("GET %s = %d %q", path, resp.StatusCode, body)
		}
	}
	if resp, body := get("POST", "/invite/abc"); resp.StatusCode < 400 || strings.Contains(body, "root") {
		t.Fatalf("POST to a screen = %d %q", resp.StatusCode, body)
	}
	if resp, _ := get("GET", "/api/v1/me"); resp.StatusCode != 401 {
		t.Fatalf("GET /api/v1/me = %d", resp.StatusCode)
	}
	// The request log names the app, never the path (invite codes travel in it).
	if strings.Contains(e.logs.String(), "abcDEF123") || !strings.Contains(e.logs.String(), `"route":"app"`) {
		t.Fatalf("request log:\n%s", e.logs.String())
	}
}
