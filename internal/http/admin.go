package http

import (
	"net/http"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/sqldb"
)

type adminUserView struct {
	ID             string    `json:"id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	EmailVerified  bool      `json:"email_verified"`
	Suspended      bool      `json:"suspended"`
	IsAdmin        bool      `json:"is_admin"`
	CreatedAt      time.Time `json:"created_at"`
	DailyBytesUsed int64     `json:"daily_bytes_used"`
	StoredBytes    int64     `json:"stored_bytes"`
	// RenditionBytes is the storage of what the instance made to play the
	// user's videos, counted against no allowance.
	RenditionBytes int64 `json:"rendition_bytes"`
}

func viewAdminUser(u wmory.User) adminUserView {
	return adminUserView{ID: u.ID, Email: u.Email, Name: u.Name, EmailVerified: u.EmailVerified, Suspended: u.Suspended, IsAdmin: u.IsAdmin, CreatedAt: u.CreatedAt}
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.Users(r.Context(), r.URL.Query().Get("q"), p.after, p.limit)
	if err != nil {
		return err
	}
	return writeList(w, mapList(list, func(u sqldb.UserSummary) adminUserView {
		v := viewAdminUser(u.User)
		v.DailyBytesUsed, v.StoredBytes, v.RenditionBytes = u.DailyBytesUsed, u.StoredBytes, u.RenditionBytes
		return v
	}), next)
}

func setSuspended(suspended bool) func(*Server, http.ResponseWriter, *http.Request) error {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		uid := r.PathValue("uid")
		if uid == caller(r).user.ID {
			return wmory.Errorf(wmory.ECodeForbidden, "Administrators cannot suspend themselves.")
		}
		if err := s.db.SetSuspended(r.Context(), s.actor(r), uid, suspended); err != nil {
			return err
		}
		u, err := s.db.User(r.Context(), uid)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, viewAdminUser(*u))
	}
}

type limitsView struct {
	DailyBytesLimit *int64 `json:"daily_bytes_limit"`
	DailyFilesLimit *int64 `json:"daily_files_limit"`
	MaxPhotoBytes   *int64 `json:"max_photo_bytes"`
	MaxVideoBytes   *int64 `json:"max_video_bytes"`
}

func (s *Server) adminLimits(w http.ResponseWriter, r *http.Request) error {
	var req limitsView
	if err := decode(w, r, &req); err != nil {
		return err
	}
	for name, v := range map[string]*int64{"daily_bytes_limit": req.DailyBytesLimit, "daily_files_limit": req.DailyFilesLimit,
		"max_photo_bytes": req.MaxPhotoBytes, "max_video_bytes": req.MaxVideoBytes} {
		if v != nil && *v < 0 {
			return wmory.Invalid(name, "must be 0 or more, or null for the instance default.")
		}
	}
	uid := r.PathValue("uid")
	if _, err := s.db.User(r.Context(), uid); err != nil {
		return err
	}
	if err := s.db.SetUserLimits(r.Context(), s.actor(r), uid, sqldb.LimitsPatch{DailyBytesLimit: req.DailyBytesLimit,
		DailyFilesLimit: req.DailyFilesLimit, MaxPhotoBytes: req.MaxPhotoBytes, MaxVideoBytes: req.MaxVideoBytes}); err != nil {
		return err
	}
	eff, err := s.db.Limits(r.Context(), uid, s.cfg.Limits)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, limitsView{&eff.DailyBytesLimit, &eff.DailyFilesLimit, &eff.MaxPhotoBytes, &eff.MaxVideoBytes})
}

func (s *Server) adminReports(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.EscalatedReports(r.Context(), p.after, p.limit)
	if err != nil {
		return err
	}
	return writeList(w, mapList(list, viewReport), next)
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := sqldb.AuditFilter{ActorID: q.Get("actor"), GroupID: q.Get("group"), Action: q.Get("action")}
	if f.Since, f.Until, err = sinceUntil(q); err != nil {
		return err
	}
	list, next, err := s.db.SearchAudit(r.Context(), f, p.after, p.limit)
	if err != nil {
		return err
	}
	return writeList(w, mapList(list, viewAudit), next)
}
