package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/wmory/wmory"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyAuth
	keyLogUser
)

// auth is the authenticated caller of a request.
type auth struct {
	user    *wmory.User
	session *wmory.Session
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withRequestLog gives every request an id (a caller's own is kept when it is
// harmless), echoes it in X-Request-Id, and writes one JSON log line per request.
// The line names the route pattern, never the query string: tokens travel there
// in e-mailed links.
func (s *Server) withRequestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		var userID string
		ctx := context.WithValue(r.Context(), keyRequestID, id)
		ctx = context.WithValue(ctx, keyLogUser, &userID)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))
		_, route := s.mux.Handler(r)
		if route == "" && s.servesApp(r) {
			route = "app" // a screen of the web app or one of its files
		}
		elapsed := time.Since(start)
		if s.metrics != nil {
			label := route
			if label == "" {
				label = "unmatched" // never the raw path: it would explode the label set
			}
			s.metrics.HTTPRequests.WithLabelValues(label, r.Method, strconv.Itoa(sw.status)).Inc()
			s.metrics.HTTPDuration.WithLabelValues(label).Observe(elapsed.Seconds())
		}
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		// The path is not logged: invite codes travel in it, and the route
		// pattern says which endpoint answered.
		s.log.LogAttrs(ctx, level, "request",
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", sw.status),
			slog.Int("bytes", sw.bytes),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.String("ip", s.clientIP(r)),
			slog.String("user_id", userID),
		)
	})
}

// withRecover turns a panic into a generic 500 and keeps the process serving.
func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "request_id", requestID(r.Context()), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// bearerToken returns the token of an Authorization header and whether one was
// sent at all (a malformed one still counts as sent: it must not fall back to
// the cookie).
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(token), true
}

// cookieName follows the __Host- rule when the site is served over HTTPS; browsers
// refuse that prefix on plain HTTP, so development instances use a plain name.
func (s *Server) cookieName() string {
	if s.secureCookies() {
		return "__Host-wmory_session"
	}
	return "wmory_session"
}

func (s *Server) secureCookies() bool { return s.cfg.BaseURL != nil && s.cfg.BaseURL.Scheme == "https" }

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: token, Path: "/", Expires: expires,
		MaxAge: int(expires.Sub(s.db.Now()).Seconds()), HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

// authenticate resolves the caller from the bearer token or the session cookie.
// Tokens in query strings are never looked at.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	token, fromHeader := bearerToken(r)
	if !fromHeader {
		if c, err := r.Cookie(s.cookieName()); err == nil {
			token = c.Value
		}
	}
	if token == "" {
		return nil, errUnauthenticated
	}
	sess, user, err := s.db.Authenticate(r.Context(), token, s.cfg.SessionMaxAge)
	if err != nil {
		if !fromHeader && wmory.ErrorCode(err) == wmory.ECodeUnauthenticated {
			s.clearSessionCookie(w)
		}
		return nil, err
	}
	if !fromHeader && sess.ExpiresAt.Sub(s.db.Now()) > wmory.SessionIdleLifetime-2*time.Minute && sess.ExpiresAt.Before(sess.EndsAt) {
		// The session just slid forward: let the cookie follow.
		s.setSessionCookie(w, token, sess.ExpiresAt)
	}
	if p, ok := r.Context().Value(keyLogUser).(*string); ok {
		*p = user.ID
	}
	return r.WithContext(context.WithValue(r.Context(), keyAuth, &auth{user: user, session: sess})), nil
}

func caller(r *http.Request) *auth {
	a, _ := r.Context().Value(keyAuth).(*auth)
	return a
}

// actor describes the caller for the audit log.
func (s *Server) actor(r *http.Request) wmory.Actor {
	a := wmory.Actor{IP: s.clientIP(r), UserAgent: r.UserAgent(), RequestID: requestID(r.Context())}
	if c := caller(r); c != nil {
		a.UserID, a.SessionID = c.user.ID, c.session.ID
	}
	return a
}

// clientIP is the peer's address, or the nearest untrusted address that a
// trusted proxy put in X-Forwarded-For.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if !s.trusted(peer) {
		return peer.Unmap().String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !s.trusted(a) {
			return a.Unmap().String()
		}
		peer = a
	}
	return peer.Unmap().String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// oneClickForm is the body of RFC 8058's one-click unsubscribe, which mail
// clients send as a form, not JSON: the one request body of that kind.
const oneClickForm = "OneClickUnsubscribe"

// checkBody refuses bodies that are not JSON (or, for the one-click
// unsubscribe, a form) before anything reads them.
func checkBody(r *http.Request, schema string) error {
	hasBody := r.ContentLength > 0 || (r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody)
	if !hasBody {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && (schema != oneClickForm || mt != "application/x-www-form-urlencoded")) {
		return wmory.Errorf(wmory.ECodeUnsupportedMedia, "Request bodies must be JSON (Content-Type: application/json).")
	}
	if (schema == "" || schema == oneClickForm) && r.ContentLength > maxBodyBytes {
		return errTooLarge
	}
	return nil
}
