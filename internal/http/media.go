package http

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/media"
	"github.com/wmory/wmory/internal/sqldb"
)

const (
	derivedURLTTL  = time.Hour
	originalURLTTL = 10 * time.Minute
)

type authorizeUploadRequest struct {
	Filename    string  `json:"filename"`
	ContentType string  `json:"content_type"`
	Size        int64   `json:"size"`
	SHA256      *string `json:"sha256"`
	Resumable   bool    `json:"resumable"`
	TimeZone    string  `json:"time_zone"`
}

type uploadView struct {
	UploadID  string            `json:"upload_id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expires_at"`
}

type resumableUploadView struct {
	UploadID  string    `json:"upload_id"`
	Resumable bool      `json:"resumable"`
	PartSize  int64     `json:"part_size"`
	PartCount int       `json:"part_count"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) authorizeUpload(w http.ResponseWriter, r *http.Request) error {
	var req authorizeUploadRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, signed, err := s.media.Authorize(r.Context(), s.actor(r), media.UploadRequest{GroupID: r.PathValue("gid"), Filename: req.Filename,
		ContentType: req.ContentType, Size: req.Size, SHA256: req.SHA256, Resumable: req.Resumable, TimeZone: req.TimeZone}, validID)
	if err != nil {
		return err
	}
	if u.Resumable() {
		return writeJSON(w, http.StatusCreated, resumableUploadView{UploadID: u.ID, Resumable: true, PartSize: u.PartSize, PartCount: u.PartCount(), ExpiresAt: u.ExpiresAt})
	}
	return writeJSON(w, http.StatusCreated, uploadView{UploadID: u.ID, Method: signed.Method, URL: signed.URL, Headers: signed.Headers, ExpiresAt: signed.ExpiresAt})
}

type partView struct {
	Number    int               `json:"number"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expires_at"`
}

func (s *Server) signParts(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Numbers []int `json:"numbers"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	parts, err := s.media.SignParts(r.Context(), s.actor(r), r.PathValue("upload_id"), req.Numbers)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string][]partView{"parts": mapList(parts, func(p media.SignedPart) partView {
		return partView{Number: p.Number, Method: p.Method, URL: p.URL, Headers: p.Headers, ExpiresAt: p.ExpiresAt}
	})})
}

type partDoneView struct {
	Number int   `json:"number"`
	Size   int64 `json:"size"`
}

type uploadProgressView struct {
	UploadID  string         `json:"upload_id"`
	Status    string         `json:"status"`
	Filename  string         `json:"filename"`
	Size      int64          `json:"size"`
	Resumable bool           `json:"resumable"`
	PartSize  int64          `json:"part_size"`
	PartCount int            `json:"part_count"`
	PartsDone []partDoneView `json:"parts_done"`
	ExpiresAt time.Time      `json:"expires_at"`
	MediaID   string         `json:"media_id,omitempty"`
}

func (s *Server) uploadProgress(w http.ResponseWriter, r *http.Request) error {
	u, parts, err := s.media.Progress(r.Context(), s.actor(r), r.PathValue("upload_id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, uploadProgressView{UploadID: u.ID, Status: string(u.Status), Filename: u.Filename, Size: u.Size,
		Resumable: u.Resumable(), PartSize: u.PartSize, PartCount: u.PartCount(), ExpiresAt: u.ExpiresAt, MediaID: u.MediaID,
		PartsDone: mapList(parts, func(p blob.Part) partDoneView { return partDoneView{Number: p.Number, Size: p.Size} })})
}

func (s *Server) completeUpload(w http.ResponseWriter, r *http.Request) error {
	m, err := s.media.Complete(r.Context(), s.actor(r), r.PathValue("upload_id"))
	if err != nil {
		return err
	}
	return s.writeMedia(w, r, http.StatusCreated, m, false)
}

// writeMedia answers with one item, its URLs signed (the original's too when
// withOriginal).
func (s *Server) writeMedia(w http.ResponseWriter, r *http.Request, status int, m *wmory.Media, withOriginal bool) error {
	v, err := s.viewMedia(r.Context(), m, withOriginal)
	if err != nil {
		return err
	}
	return writeJSON(w, status, v)
}

func (s *Server) abandonUpload(w http.ResponseWriter, r *http.Request) error {
	if err := s.media.Abandon(r.Context(), s.actor(r), r.PathValue("upload_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type uploaderView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type mediaView struct {
	ID          string       `json:"id"`
	GroupID     string       `json:"group_id"`
	Uploader    uploaderView `json:"uploader"`
	Kind        string       `json:"kind"`
	ContentType string       `json:"content_type"`
	Filename    string       `json:"filename"`
	Size        int64        `json:"size"`
	Width       *int         `json:"width"`
	Height      *int         `json:"height"`
	DurationMS  *int64       `json:"duration_ms"`
	TakenAt     time.Time    `json:"taken_at"`
	// TakenAtLocal is the wall-clock time where it was taken, for display as
	// it is; TakenAtOffset that place's UTC offset, when the file said.
	TakenAtLocal  string  `json:"taken_at_local"`
	TakenAtOffset *string `json:"taken_at_offset"`
	// TakenAtSource says where taken_at came from: the file ("camera") or
	// the upload.
	TakenAtSource string    `json:"taken_at_source"`
	UploadedAt    time.Time `json:"uploaded_at"`
	Status        string    `json:"status"`
	// FailureReason says why a failed item failed, as a code.
	FailureReason *string `json:"failure_reason"`
	ThumbnailURL  string  `json:"thumbnail_url,omitempty"`
	PreviewURL    string  `json:"preview_url,omitempty"`
	OriginalURL   string  `json:"original_url,omitempty"`
	// PlaybackStatus is where a video's rendition that plays everywhere
	// stands; PlaybackURL is that rendition once ready, and
	// PlaybackFailureReason says why it failed, as a code.
	PlaybackStatus        string  `json:"playback_status"`
	PlaybackFailureReason *string `json:"playback_failure_reason"`
	PlaybackURL           string  `json:"playback_url,omitempty"`
	LikeCount             int     `json:"like_count"`
	LikedByMe             bool    `json:"liked_by_me"`
	CommentCount          int     `json:"comment_count"`
}

func (s *Server) viewMedia(ctx context.Context, m *wmory.Media, original bool) (mediaView, error) {
	v := mediaView{ID: m.ID, GroupID: m.GroupID, Uploader: uploaderView{ID: m.UploaderID, Name: m.UploaderName}, Kind: string(m.Kind),
		ContentType: m.ContentType, Filename: m.Filename, Size: m.Size, Width: m.Width, Height: m.Height, DurationMS: m.DurationMS,
		TakenAt: m.TakenAt, TakenAtLocal: m.TakenAtLocal().Format("2006-01-02T15:04:05"), UploadedAt: m.UploadedAt, Status: m.Status,
		TakenAtSource: string(m.TakenAtSource), PlaybackStatus: string(m.Playback), LikeCount: m.LikeCount, LikedByMe: m.LikedByMe, CommentCount: m.CommentCount}
	if m.TakenOffset != nil {
		offset := wmory.FormatOffset(*m.TakenOffset)
		v.TakenAtOffset = &offset
	}
	if m.FailureReason != "" {
		reason := string(m.FailureReason)
		v.FailureReason = &reason
	}
	if m.PlaybackFailure != "" {
		reason := string(m.PlaybackFailure)
		v.PlaybackFailureReason = &reason
	}
	var err error
	if m.Status == wmory.StatusReady {
		if v.ThumbnailURL, err = s.store.PresignGet(ctx, m.ThumbnailKey(), blob.GetOptions{ContentType: "image/webp", Disposition: "inline", TTL: derivedURLTTL}); err != nil {
			return v, media.StorageError(err)
		}
		if v.PreviewURL, err = s.store.PresignGet(ctx, m.PreviewKey(), blob.GetOptions{ContentType: "image/webp", Disposition: "inline", TTL: derivedURLTTL}); err != nil {
			return v, media.StorageError(err)
		}
	}
	if m.Playback == wmory.PlaybackReady {
		if v.PlaybackURL, err = s.store.PresignGet(ctx, m.PlaybackKey(), blob.GetOptions{ContentType: "video/mp4", Disposition: "inline", TTL: derivedURLTTL}); err != nil {
			return v, media.StorageError(err)
		}
	}
	// A withdrawn original is gone; whatever downloads, downloads under a name
	// that says what it is.
	if original && !(m.Status == wmory.StatusFailed && m.FailureReason.Withdrawn()) {
		if v.OriginalURL, err = s.store.PresignGet(ctx, m.ObjectKey, blob.GetOptions{ContentType: m.ContentType,
			Disposition: AttachmentDisposition(wmory.DownloadName(m.Filename, m.ContentType)), TTL: originalURLTTL}); err != nil {
			return v, media.StorageError(err)
		}
	}
	return v, nil
}

// AttachmentDisposition builds a Content-Disposition that downloads under the
// original name: an ASCII fallback plus the exact name in RFC 5987 form, so no
// name can break out of the header.
func AttachmentDisposition(name string) string {
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + fallback + `"; filename*=UTF-8''` + strings.ReplaceAll(url.PathEscape(name), "'", "%27")
}

func (s *Server) gallery(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	f, err := galleryFilterOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.Gallery(r.Context(), s.actor(r), r.PathValue("gid"), f, p.after, p.limit)
	if err != nil {
		return err
	}
	views := make([]mediaView, 0, len(list))
	for i := range list {
		v, err := s.viewMedia(r.Context(), &list[i], false)
		if err != nil {
			return err
		}
		views = append(views, v)
	}
	return writeList(w, views, next)
}

type monthView struct {
	Month string `json:"month"`
	Count int    `json:"count"`
}

func (s *Server) galleryMonths(w http.ResponseWriter, r *http.Request) error {
	months, err := s.db.GalleryMonths(r.Context(), s.actor(r), r.PathValue("gid"))
	if err != nil {
		return err
	}
	return writeList(w, mapList(months, func(m sqldb.MonthCount) monthView { return monthView{m.Month, m.Count} }), "")
}

// galleryFilterOf reads the gallery's filters: ?uploader=UID, ?kind=photo|video,
// ?liked=true, ?album=AID, ?since= and ?until= (taken_at, RFC 3339), ?ids=ID,ID,… (at
// most 100).
func galleryFilterOf(r *http.Request) (sqldb.GalleryFilter, error) {
	q := r.URL.Query()
	var f sqldb.GalleryFilter
	if v := q.Get("uploader"); v != "" {
		if !validID(v) {
			return f, wmory.Invalid("uploader", "is not a user id.")
		}
		f.UploaderID = v
	}
	switch k := wmory.MediaKind(q.Get("kind")); k {
	case "", wmory.KindPhoto, wmory.KindVideo:
		f.Kind = k
	default:
		return f, wmory.Invalid("kind", "must be photo or video.")
	}
	switch q.Get("liked") {
	case "", "false":
	case "true":
		f.Liked = true
	default:
		return f, wmory.Invalid("liked", "must be true or false.")
	}
	if v := q.Get("album"); v != "" {
		if !validID(v) {
			return f, wmory.Invalid("album", "is not an album id.")
		}
		f.AlbumID = v
	}
	var err error
	if f.Since, f.Until, err = sinceUntil(q); err != nil {
		return f, err
	}
	if v := q.Get("ids"); v != "" {
		f.IDs = strings.Split(v, ",")
		if len(f.IDs) > maxGalleryIDs {
			return f, wmory.Invalid("ids", fmt.Sprintf("may name at most %d items.", maxGalleryIDs))
		}
		for _, id := range f.IDs {
			if !validID(id) {
				return f, wmory.Invalid("ids", "must be item ids separated by commas.")
			}
		}
	}
	return f, nil
}

// maxGalleryIDs bounds ?ids=: the items a client looks at again in one request.
const maxGalleryIDs = 100

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) error {
	m, err := s.db.Media(r.Context(), s.actor(r), r.PathValue("mid"))
	if err != nil {
		return err
	}
	return s.writeMedia(w, r, http.StatusOK, m, true)
}
