package http

import (
	"net/http"
	"time"
)

// trashMedia is DELETE /media/{mid}: the item goes to the group's trash.
func (s *Server) trashMedia(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.TrashMedia(r.Context(), s.actor(r), r.PathValue("mid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) restoreMedia(w http.ResponseWriter, r *http.Request) error {
	m, err := s.db.RestoreMedia(r.Context(), s.actor(r), r.PathValue("mid"))
	if err != nil {
		return err
	}
	return s.writeMedia(w, r, http.StatusOK, m, true)
}

func (s *Server) purgeMedia(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.PurgeMedia(r.Context(), s.actor(r), r.PathValue("mid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// trashedView is an item in the trash: the item (with its thumbnail, to
// recognize it), who trashed it and when, and when it will be purged.
type trashedView struct {
	mediaView
	DeletedAt time.Time     `json:"deleted_at"`
	DeletedBy *uploaderView `json:"deleted_by"`
	PurgeAt   time.Time     `json:"purge_at"`
}

func (s *Server) trash(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.Trash(r.Context(), s.actor(r), r.PathValue("gid"), p.after, p.limit)
	if err != nil {
		return err
	}
	views := make([]trashedView, 0, len(list))
	for i := range list {
		v, err := s.viewMedia(r.Context(), &list[i].Media, false)
		if err != nil {
			return err
		}
		t := trashedView{mediaView: v, DeletedAt: list[i].TrashedAt, PurgeAt: list[i].PurgeAt}
		if list[i].TrashedByID != "" {
			t.DeletedBy = &uploaderView{ID: list[i].TrashedByID, Name: list[i].TrashedByName}
		}
		views = append(views, t)
	}
	return writeList(w, views, next)
}
