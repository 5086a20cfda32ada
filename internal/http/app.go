package http

import (
	"bytes"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// The app (the Expo web build) is a single page: its hashed bundles and assets
// are files, every other path is a screen (/invite/CODE, /verify-email?token=…)
// that index.html opens once the script has read the URL.

// appCSP lets the app load only its own scripts. Images, video and uploads go
// to the object store's signed URLs, whose origin can be anything an operator
// configures, so those directives allow any http(s) origin.
const appCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob: https: http:; media-src 'self' blob: https: http:; connect-src 'self' https: http:; " +
	"font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// servesApp reports whether a request nothing else answered is the app's.
func (s *Server) servesApp(r *http.Request) bool {
	if s.cfg.App == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	p := r.URL.Path
	// /metrics is an operators' path served elsewhere (WMORY_METRICS_ADDR): a
	// scraper pointed here gets a plain 404, not the app's page.
	return !strings.HasPrefix(p, "/api/") && p != "/api" && !strings.HasPrefix(p, "/blob/") && p != "/metrics"
}

func (s *Server) serveApp(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if name != "" && name != "index.html" {
		// The build is embedded: a file is read from memory, a folder is an error.
		if data, err := fs.ReadFile(s.cfg.App, name); err == nil {
			// Bundles and assets carry a content hash in their names.
			if strings.HasPrefix(name, "_expo/") || strings.HasPrefix(name, "assets/") {
				h.Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				h.Set("Cache-Control", "no-cache")
			}
			http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
			return
		}
		// A missing bundle must fail loudly, not turn into a page.
		if strings.HasPrefix(name, "_expo/") || strings.HasPrefix(name, "assets/") || path.Ext(name) != "" {
			s.writeError(w, r, errNoRoute)
			return
		}
	}
	page, err := fs.ReadFile(s.cfg.App, "index.html")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", appCSP)
	// Tokens travel in these URLs (/verify-email, /reset-password, /invite/…):
	// they must not leave in a Referer.
	h.Set("Referrer-Policy", "no-referrer")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(page))
}
