package http

import (
	"context"
	"net/http"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
)

type albumView struct {
	ID         string    `json:"id"`
	GroupID    string    `json:"group_id"`
	Name       string    `json:"name"`
	CreatedBy  *string   `json:"created_by"`
	MediaCount int       `json:"media_count"`
	CoverURL   string    `json:"cover_url,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

func (s *Server) viewAlbum(ctx context.Context, a *wmory.Album) (albumView, error) {
	v := albumView{ID: a.ID, GroupID: a.GroupID, Name: a.Name, MediaCount: a.MediaCount, CreatedAt: a.CreatedAt}
	if a.CreatedBy != "" {
		v.CreatedBy = &a.CreatedBy
	}
	if a.CoverKey != "" {
		var err error
		v.CoverURL, err = s.store.PresignGet(ctx, wmory.ThumbnailOf(a.CoverKey), blob.GetOptions{ContentType: "image/webp", Disposition: "inline", TTL: derivedURLTTL})
		if err != nil {
			return v, err
		}
	}
	return v, nil
}

func (s *Server) writeAlbum(w http.ResponseWriter, r *http.Request, status int, a *wmory.Album) error {
	v, err := s.viewAlbum(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, status, v)
}

type albumNameRequest struct {
	Name string `json:"name"`
}

func (s *Server) createAlbum(w http.ResponseWriter, r *http.Request) error {
	var req albumNameRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a, err := s.db.CreateAlbum(r.Context(), s.actor(r), r.PathValue("gid"), req.Name)
	if err != nil {
		return err
	}
	return s.writeAlbum(w, r, http.StatusCreated, a)
}

func (s *Server) albums(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.Albums(r.Context(), s.actor(r), r.PathValue("gid"), p.after, p.limit)
	if err != nil {
		return err
	}
	views := make([]albumView, 0, len(list))
	for i := range list {
		v, err := s.viewAlbum(r.Context(), &list[i])
		if err != nil {
			return err
		}
		views = append(views, v)
	}
	return writeList(w, views, next)
}

func (s *Server) renameAlbum(w http.ResponseWriter, r *http.Request) error {
	var req albumNameRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a, err := s.db.RenameAlbum(r.Context(), s.actor(r), r.PathValue("aid"), req.Name)
	if err != nil {
		return err
	}
	return s.writeAlbum(w, r, http.StatusOK, a)
}

func (s *Server) deleteAlbum(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.DeleteAlbum(r.Context(), s.actor(r), r.PathValue("aid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) addToAlbum(w http.ResponseWriter, r *http.Request) error {
	return s.changeAlbum(w, r, true)
}
func (s *Server) takeFromAlbum(w http.ResponseWriter, r *http.Request) error {
	return s.changeAlbum(w, r, false)
}

func (s *Server) changeAlbum(w http.ResponseWriter, r *http.Request, add bool) error {
	var req struct {
		MediaIDs []string `json:"media_ids"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a, err := s.db.ChangeAlbum(r.Context(), s.actor(r), r.PathValue("aid"), req.MediaIDs, add)
	if err != nil {
		return err
	}
	return s.writeAlbum(w, r, http.StatusOK, a)
}
