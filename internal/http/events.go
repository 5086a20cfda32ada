package http

import (
	"crypto/subtle"
	"io"
	"net/http"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/media"
)

const maxEventBytes = 1 << 20

var errBadEventSecret = wmory.Errorf(wmory.ECodeForbidden, "The event secret is missing or wrong.")

// storeEvents takes the store's S3 event notifications (a webhook): each
// object created is an arrival for the media lifecycle. It is not a client
// route: the store authenticates with the shared secret.
func (s *Server) storeEvents(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.EventSecret == "" {
		return errNoRoute
	}
	got := r.Header.Get("X-Wmory-Event-Secret")
	if got == "" {
		got = r.URL.Query().Get("secret")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.EventSecret)) != 1 {
		return errBadEventSecret
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEventBytes))
	if err != nil {
		return errTooLarge
	}
	keys, err := media.CreatedKeys(body)
	if err != nil {
		return wmory.Invalid("body", "is not an S3 event notification.")
	}
	for _, k := range keys {
		if _, err := s.media.Arrived(r.Context(), media.FromWebhook, k); err != nil {
			return err // the sender may retry; the sweep is the backstop
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
