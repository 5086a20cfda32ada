package http

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPanicBecomesGeneric500(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewJSONHandler(&logs, nil)), mux: http.NewServeMux()}
	h := s.withRequestLog(s.withRecover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("detail from /srv/wmory/internal")
	})))
	for range 2 { // the process keeps serving after a panic
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/me", nil))
		if rec.Code != 500 || strings.Contains(rec.Body.String(), "/srv/wmory") || !strings.Contains(rec.Body.String(), `"code":"internal"`) {
			t.Fatalf("panic answered %d %s", rec.Code, rec.Body)
		}
	}
	if !strings.Contains(logs.String(), "detail from /srv/wmory/internal") {
		t.Fatal("the panic was not logged for the operator")
	}
}
