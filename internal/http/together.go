package http

import (
	"net/http"
	"time"

	"github.com/wmory/wmory"
)

type commentView struct {
	ID        string       `json:"id"`
	MediaID   string       `json:"media_id"`
	Author    uploaderView `json:"author"`
	Text      string       `json:"text"`
	CreatedAt time.Time    `json:"created_at"`
}

func viewComment(c wmory.Comment) commentView {
	return commentView{ID: c.ID, MediaID: c.MediaID, Author: uploaderView{ID: c.AuthorID, Name: c.AuthorName}, Text: c.Text, CreatedAt: c.CreatedAt}
}

func (s *Server) comments(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.Comments(r.Context(), s.actor(r), r.PathValue("mid"), p.after, p.limit)
	if err != nil {
		return err
	}
	return writeList(w, mapList(list, viewComment), next)
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Text string `json:"text"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.db.AddComment(r.Context(), s.actor(r), r.PathValue("mid"), req.Text)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, viewComment(*c))
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.DeleteComment(r.Context(), s.actor(r), r.PathValue("cid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) like(w http.ResponseWriter, r *http.Request) error   { return s.setLike(w, r, true) }
func (s *Server) unlike(w http.ResponseWriter, r *http.Request) error { return s.setLike(w, r, false) }

func (s *Server) setLike(w http.ResponseWriter, r *http.Request, liked bool) error {
	if err := s.db.SetLike(r.Context(), s.actor(r), r.PathValue("mid"), liked); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type activityView struct {
	ID        string        `json:"id"`
	At        time.Time     `json:"at"`
	Type      string        `json:"type"`
	Actor     *uploaderView `json:"actor"`
	Count     int           `json:"count"`
	MediaIDs  []string      `json:"media_ids"`
	CommentID string        `json:"comment_id,omitempty"`
	AlbumID   string        `json:"album_id,omitempty"`
}

func (s *Server) activity(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.Activity(r.Context(), s.actor(r), r.PathValue("gid"), p.after, p.limit)
	if err != nil {
		return err
	}
	return writeList(w, mapList(list, func(a wmory.Activity) activityView {
		v := activityView{ID: a.ID, At: a.At, Type: string(a.Type), Count: a.Count, MediaIDs: a.MediaIDs, CommentID: a.CommentID, AlbumID: a.AlbumID}
		if v.MediaIDs == nil {
			v.MediaIDs = []string{}
		}
		if a.ActorID != "" {
			v.Actor = &uploaderView{ID: a.ActorID, Name: a.ActorName}
		}
		return v
	}), next)
}

func (s *Server) markSeen(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.MarkSeen(r.Context(), s.actor(r), r.PathValue("gid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type notificationsView struct {
	Email wmory.EmailChoice `json:"email"`
}

func (s *Server) notifications(w http.ResponseWriter, r *http.Request) error {
	choice, err := s.db.EmailChoice(r.Context(), s.actor(r), r.PathValue("gid"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, notificationsView{Email: choice})
}

func (s *Server) setNotifications(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Email string `json:"email"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	choice, err := wmory.ParseEmailChoice(req.Email)
	if err != nil {
		return err
	}
	if err := s.db.SetEmailChoice(r.Context(), s.actor(r), r.PathValue("gid"), choice); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, notificationsView{Email: choice})
}

// unsubscribe is the one-click unsubscribe of RFC 8058: mail clients POST to
// the List-Unsubscribe URL of a message, with no session and whatever body.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if token == "" {
		return wmory.Invalid("token", "is required.")
	}
	if _, err := s.db.Unsubscribe(r.Context(), token); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, notificationsView{Email: wmory.EmailOff})
}
