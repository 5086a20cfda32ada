// Package http is wmory's HTTP API: the route table, handlers, middleware and
// the one mapping from domain errors to HTTP statuses.
package http

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/media"
	"github.com/wmory/wmory/internal/metrics"
	"github.com/wmory/wmory/internal/password"
	"github.com/wmory/wmory/internal/sqldb"
)

// Config is what the API needs to know about its deployment.
type Config struct {
	// BaseURL is where users reach wmory; every link in an e-mail is built from it.
	BaseURL *url.URL
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// Limits are the instance's upload limits and daily quota.
	Limits wmory.Limits
	// BlobHandler, when set, serves the local store's signed URLs.
	BlobHandler http.Handler
	// App, when set, is the web app's build, served at every path the API does
	// not use; without it, plain pages answer the links wmory e-mails.
	App fs.FS
	// Metrics, when set, is shared with the process's workers; otherwise the
	// server makes its own.
	Metrics *metrics.Metrics
	// Login throttling; zero values take the defaults.
	AccountFailures int
	IPFailures      int
	// RegistrationsPerIP bounds sign-ups per client address and hour.
	RegistrationsPerIP int
	// InviteLookupsPerIP bounds lookups of invite codes that do not exist,
	// per client address and 15 minutes.
	InviteLookupsPerIP int
	// SessionMaxAge is a session's absolute lifetime (default one year).
	SessionMaxAge time.Duration
	// EventSecret, when set, lets the store's event notifications in at
	// /events/s3 (the secret in an X-Wmory-Event-Secret header or a secret
	// query parameter); unset, the route does not exist.
	EventSecret string
	// Media, when set, is the lifecycle shared with the process's other doors
	// (its store, its workers); otherwise the server makes its own.
	Media *media.Service
	// BodyTimeout bounds how long a request may take to send its body
	// (default 30 s): a client that trickles bytes must not hold a connection.
	BodyTimeout time.Duration
}

// Server serves the API.
type Server struct {
	db      *sqldb.DB
	store   blob.Store
	letters mail.Letters
	hasher  *password.Hasher
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	csrf    *http.CrossOriginProtection
	mux     *http.ServeMux
	routes  []route
	metrics *metrics.Metrics
	// media is the upload and media lifecycle the handlers hand work to.
	media *media.Service
}

// New builds the API server.
func New(db *sqldb.DB, store blob.Store, hasher *password.Hasher, cfg Config, log *slog.Logger) *Server {
	if cfg.AccountFailures == 0 {
		cfg.AccountFailures = 5
	}
	if cfg.IPFailures == 0 {
		cfg.IPFailures = 50
	}
	if cfg.RegistrationsPerIP == 0 {
		cfg.RegistrationsPerIP = 20
	}
	if cfg.InviteLookupsPerIP == 0 {
		cfg.InviteLookupsPerIP = 30
	}
	if cfg.BodyTimeout == 0 {
		cfg.BodyTimeout = 30 * time.Second
	}
	if cfg.SessionMaxAge == 0 {
		cfg.SessionMaxAge = wmory.DefaultSessionMaxAge
	}
	s := &Server{db: db, store: store, letters: mail.Letters{Base: cfg.BaseURL}, hasher: hasher, cfg: cfg, log: log, now: time.Now,
		csrf: http.NewCrossOriginProtection(), mux: http.NewServeMux(), routes: routes()}
	// The configured origin is trusted even when a proxy rewrites Host.
	if cfg.BaseURL != nil {
		s.csrf.AddTrustedOrigin(cfg.BaseURL.Scheme + "://" + cfg.BaseURL.Host)
	}
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.endpoint(rt))
	}
	s.registerPages()
	if cfg.BlobHandler != nil {
		s.mux.Handle("/blob/", cfg.BlobHandler)
	}
	s.metrics = cfg.Metrics
	if s.metrics == nil {
		s.metrics = metrics.New(db)
	}
	s.media = cfg.Media
	if s.media == nil {
		s.media = media.New(db, store, cfg.Limits, s.metrics, log)
	}
	return s
}

// Handler returns the whole HTTP handler with its middleware.
func (s *Server) Handler() http.Handler {
	return s.withRequestLog(s.withRecover(http.HandlerFunc(s.dispatch)))
}

// dispatch routes a request, answering unknown paths and wrong methods with the
// API's JSON errors instead of the mux's plain text.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		if s.servesApp(r) {
			s.serveApp(w, r)
			return
		}
		cw := &captureWriter{header: http.Header{}}
		s.mux.ServeHTTP(cw, r)
		if cw.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", cw.header.Get("Allow"))
			s.writeError(w, r, errMethodNotAllowed)
			return
		}
		s.writeError(w, r, errNoRoute)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// captureWriter swallows the mux's own 404/405 answer so that only its status is used.
type captureWriter struct {
	header http.Header
	status int
}

func (c *captureWriter) Header() http.Header         { return c.header }
func (c *captureWriter) Write(b []byte) (int, error) { return len(b), nil }
func (c *captureWriter) WriteHeader(status int)      { c.status = status }

// endpoint wraps a route's handler with its access policy and body rules.
func (s *Server) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every API body is small JSON: it arrives in time or not at all. (The
		// local store's uploads are not routes; they have their own rule.)
		http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.cfg.BodyTimeout))
		if rt.method != http.MethodGet {
			// Credentials in a header cannot be sent by another site, so only
			// cookie (or credential-less) requests need the cross-origin check.
			if _, hasBearer := bearerToken(r); !hasBearer {
				if err := s.csrf.Check(r); err != nil {
					s.writeError(w, r, errCrossOrigin)
					return
				}
			}
			if err := checkBody(r, rt.request); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		switch rt.access {
		case signedIn:
			r2, err := s.authenticate(w, r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			r = r2
		case admin:
			// Administration does not exist for anyone else, signed in or not.
			r2, err := s.authenticate(w, r)
			if err != nil || !caller(r2).user.IsAdmin {
				s.writeError(w, r, errNoRoute)
				return
			}
			r = r2
		}
		if err := rt.handle(s, w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// MetricsHandler serves the Prometheus metrics. It is not on the API's
// listener: metrics describe the deployment and are for its operators only,
// on WMORY_METRICS_ADDR.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.Handler() }

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("not ready: database", "err", err)
		return errDatabaseDown
	}
	if err := s.media.CheckStore(ctx); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// link builds an absolute URL under the configured base.
func (s *Server) link(path string, query url.Values) string {
	u := *s.cfg.BaseURL
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = query.Encode()
	return u.String()
}
