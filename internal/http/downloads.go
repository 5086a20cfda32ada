package http

import (
	"net/http"
	"time"

	"github.com/wmory/wmory/internal/archive"
)

// zipBody is the response of the routes that stream a ZIP, not JSON.
const zipBody = "ZIP"

type downloadView struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
	Count     int       `json:"count"`
	Bytes     int64     `json:"bytes"`
}

// createDownload makes the signed link to a ZIP: a browser downloads it with
// a plain link, with no header to add.
func (s *Server) createDownload(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		MediaIDs []string `json:"media_ids"`
		AlbumID  string   `json:"album_id"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d, err := s.db.CreateDownload(r.Context(), s.actor(r), r.PathValue("gid"), req.AlbumID, req.MediaIDs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, downloadView{URL: s.link("/api/v1/downloads/"+d.Token, nil), ExpiresAt: d.ExpiresAt, Count: d.Count, Bytes: d.Bytes})
}

// download streams the ZIP a link names, as it is written.
func (s *Server) download(w http.ResponseWriter, r *http.Request) error {
	a, err := s.db.OpenDownload(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return s.streamZIP(w, r, archive.SafeName(a.Name)+".zip", func(out *stalledWriter) error {
		return s.cfg.Media.WriteArchive(r.Context(), out, a)
	})
}

// export streams the caller's export: every original they uploaded and
// wmory-export.json.
func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	user := caller(r).user
	name := "wmory export " + s.now().UTC().Format(time.DateOnly) + ".zip"
	return s.streamZIP(w, r, name, func(out *stalledWriter) error {
		return s.cfg.Media.WriteExport(r.Context(), out, user.ID)
	})
}

// streamZIP sends an archive as it is written. Once its first bytes are out
// a failure can no longer be an error response: the connection is cut, and
// the client sees an incomplete download rather than a corrupt one.
func (s *Server) streamZIP(w http.ResponseWriter, r *http.Request, name string, write func(*stalledWriter) error) error {
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", AttachmentDisposition(name))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	out := &stalledWriter{w: w, rc: http.NewResponseController(w), idle: time.Minute}
	err := write(out)
	if err == nil {
		return nil
	}
	if !out.started {
		h.Del("Content-Disposition")
		return err
	}
	if r.Context().Err() == nil {
		s.log.Warn("archive cut short", "request_id", requestID(r.Context()), "err", err)
	}
	panic(http.ErrAbortHandler)
}

// stalledWriter ends a response whose client reads nothing for idle: a
// download left hanging must not hold its goroutine and open object forever.
type stalledWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	idle    time.Duration
	started bool
}

func (s *stalledWriter) Write(p []byte) (int, error) {
	s.rc.SetWriteDeadline(time.Now().Add(s.idle))
	s.started = true
	return s.w.Write(p)
}
