package http

import (
	"context"
	"encoding/hex"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/sqldb"
)

const (
	derivedURLTTL  = time.Hour
	originalURLTTL = 10 * time.Minute
)

var errStorageDown = &wmory.Error{Code: wmory.ECodeStorageUnavailable, Message: "The object store is unavailable; try again shortly.", RetryAfterSeconds: 5}

// storageError maps a store failure: unreachable is 503, the rest internal.
func storageError(err error) error {
	if errors.Is(err, blob.ErrUnavailable) {
		return errStorageDown
	}
	return err
}

type authorizeUploadRequest struct {
	Filename    string  `json:"filename"`
	ContentType string  `json:"content_type"`
	Size        int64   `json:"size"`
	SHA256      *string `json:"sha256"`
}

type uploadView struct {
	UploadID  string            `json:"upload_id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expires_at"`
}

func (s *Server) authorizeUpload(w http.ResponseWriter, r *http.Request) error {
	var req authorizeUploadRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	name, err := wmory.ValidateFilename(req.Filename)
	if err != nil {
		return err
	}
	ct, _, err := mime.ParseMediaType(req.ContentType)
	kind, ok := wmory.AllowedTypes[ct]
	if err != nil || !ok {
		return wmory.Errorf(wmory.ECodeUnsupportedMedia, "content_type: %q is not an allowed photo or video type.", req.ContentType)
	}
	if req.Size <= 0 {
		return wmory.Invalid("size", "must be the file's size in bytes, above 0.")
	}
	limits, err := s.db.Limits(r.Context(), caller(r).user.ID, s.cfg.Limits)
	if err != nil {
		return err
	}
	limit := limits.MaxPhotoBytes
	if kind == wmory.KindVideo {
		limit = limits.MaxVideoBytes
	}
	if req.Size > limit {
		return wmory.Errorf(wmory.ECodeFileTooLarge, "size: %ss may be at most %d bytes.", kind, limit)
	}
	var sum string
	if req.SHA256 != nil {
		if b, err := hex.DecodeString(*req.SHA256); err != nil || len(b) != 32 {
			return wmory.Invalid("sha256", "must be 64 hexadecimal digits.")
		}
		sum = strings.ToLower(*req.SHA256)
	}
	gid := r.PathValue("gid")
	if !validID(gid) {
		return wmory.NotFound("Group")
	}
	// Signing works offline; without this check a dead store would hand out
	// URLs that fail and reservations that linger until they expire.
	if err := s.storeHealthy(r.Context()); err != nil {
		return err
	}
	// The object key is the server's alone: the group and a fresh id.
	id := wmory.NewID(s.now())
	u := &wmory.Upload{ID: id, GroupID: gid, ObjectKey: wmory.UploadPrefix + gid + "/" + id, Filename: name, ContentType: ct, Size: req.Size, SHA256: sum}
	if err := s.db.AuthorizeUpload(r.Context(), s.actor(r), u, limits); err != nil {
		if wmory.ErrorCode(err) == wmory.ECodeQuotaExceeded {
			s.metrics.QuotaRefusals.Inc()
		}
		return err
	}
	s.metrics.Uploads.WithLabelValues("authorized", "").Inc()
	signed, err := s.store.PresignPut(r.Context(), u.ObjectKey, blob.PutOptions{Size: u.Size, ContentType: ct, TTL: wmory.UploadTTL, SHA256: sum})
	if err != nil {
		if rerr := s.db.RejectUpload(context.WithoutCancel(r.Context()), s.actor(r), u.ID, "presign_failed"); rerr != nil {
			// The pending row is the durable record: the clean-up releases its
			// reservation when it expires.
			s.log.Error("release the reservation of an unsigned upload", "upload", u.ID, "err", rerr, "request_id", requestID(r.Context()))
		}
		return storageError(err)
	}
	return writeJSON(w, http.StatusCreated, uploadView{UploadID: id, Method: signed.Method, URL: signed.URL, Headers: signed.Headers, ExpiresAt: signed.ExpiresAt})
}

// rejectUpload ends an upload that failed verification and returns the
// refusal for the client.
func (s *Server) rejectUpload(r *http.Request, u *wmory.Upload, reason string, refusal error) error {
	if err := s.db.RejectUpload(context.WithoutCancel(r.Context()), s.actor(r), u.ID, reason); err != nil {
		return err
	}
	s.metrics.Uploads.WithLabelValues("rejected", reason).Inc()
	return refusal
}

func rejected(msg string) error { return wmory.Errorf(wmory.ECodeUploadRejected, "%s", msg) }

func (s *Server) completeUpload(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, err := s.db.Upload(ctx, s.actor(r), r.PathValue("upload_id"))
	if err != nil {
		return err
	}
	var etag string
	if u.Status == "pending" {
		if !u.ExpiresAt.After(s.db.Now()) {
			return wmory.Errorf(wmory.ECodeUploadExpired, "This upload expired; authorize it again.")
		}
		if etag, err = s.verifyUpload(r, u); err != nil {
			return err
		}
	}
	m, err := s.db.CompleteUpload(ctx, s.actor(r), u.ID, etag)
	if errors.Is(err, sqldb.ErrNoLongerMember) {
		return s.rejectUpload(r, u, "not_member", wmory.NotFound("Upload"))
	}
	if wmory.ErrorCode(err) == wmory.ECodeDuplicate {
		return s.rejectUpload(r, u, "duplicate", err)
	}
	if err != nil {
		return err
	}
	if u.Status == "pending" {
		s.metrics.Uploads.WithLabelValues("completed", "").Inc()
	}
	v, err := s.viewMedia(ctx, m, false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, v)
}

// verifyUpload checks what the client stored against what it declared: the
// exact size, and the real type by magic bytes. It returns the object's ETag,
// which the worker checks again before processing.
func (s *Server) verifyUpload(r *http.Request, u *wmory.Upload) (string, error) {
	ctx := r.Context()
	member, err := s.db.IsMember(ctx, u.UserID, u.GroupID)
	if err != nil {
		return "", err
	}
	if !member {
		return "", s.rejectUpload(r, u, "not_member", wmory.NotFound("Upload"))
	}
	info, err := s.store.Stat(ctx, u.ObjectKey)
	if errors.Is(err, blob.ErrNotFound) {
		return "", wmory.Errorf(wmory.ECodeUploadMissing, "Nothing was stored for this upload yet: send the file to the upload URL first.")
	}
	if err != nil {
		return "", storageError(err)
	}
	if info.Size != u.Size {
		return "", s.rejectUpload(r, u, "size_mismatch", rejected("The stored file's size differs from the declared size."))
	}
	head, err := s.store.ReadHead(ctx, u.ObjectKey, wmory.SniffLen)
	if err != nil {
		return "", storageError(err)
	}
	sniffed := wmory.Sniff(head)
	if sniffed == "" {
		return "", s.rejectUpload(r, u, "not_media", rejected("The file is not an allowed photo or video type."))
	}
	if !wmory.SameType(u.ContentType, sniffed) {
		return "", s.rejectUpload(r, u, "type_mismatch", rejected("The file is "+sniffed+", not the declared "+u.ContentType+"."))
	}
	return info.ETag, nil
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
	UploadedAt  time.Time    `json:"uploaded_at"`
	Status      string       `json:"status"`
	// FailureReason says why a failed item failed, as a code.
	FailureReason *string `json:"failure_reason"`
	ThumbnailURL  string  `json:"thumbnail_url,omitempty"`
	PreviewURL    string  `json:"preview_url,omitempty"`
	OriginalURL   string  `json:"original_url,omitempty"`
}

func (s *Server) viewMedia(ctx context.Context, m *wmory.Media, original bool) (mediaView, error) {
	v := mediaView{ID: m.ID, GroupID: m.GroupID, Uploader: uploaderView{ID: m.UploaderID, Name: m.UploaderName}, Kind: string(m.Kind),
		ContentType: m.ContentType, Filename: m.Filename, Size: m.Size, Width: m.Width, Height: m.Height, DurationMS: m.DurationMS,
		TakenAt: m.TakenAt, UploadedAt: m.UploadedAt, Status: m.Status}
	if m.FailureReason != "" {
		reason := string(m.FailureReason)
		v.FailureReason = &reason
	}
	var err error
	if m.Status == wmory.StatusReady {
		if v.ThumbnailURL, err = s.store.PresignGet(ctx, m.ThumbnailKey(), blob.GetOptions{ContentType: "image/webp", Disposition: "inline", TTL: derivedURLTTL}); err != nil {
			return v, storageError(err)
		}
		if v.PreviewURL, err = s.store.PresignGet(ctx, m.PreviewKey(), blob.GetOptions{ContentType: "image/webp", Disposition: "inline", TTL: derivedURLTTL}); err != nil {
			return v, storageError(err)
		}
	}
	// A withdrawn original is gone; whatever downloads, downloads under a name
	// that says what it is.
	if original && !(m.Status == wmory.StatusFailed && m.FailureReason.Withdrawn()) {
		if v.OriginalURL, err = s.store.PresignGet(ctx, m.ObjectKey, blob.GetOptions{ContentType: m.ContentType,
			Disposition: AttachmentDisposition(wmory.DownloadName(m.Filename, m.ContentType)), TTL: originalURLTTL}); err != nil {
			return v, storageError(err)
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
	list, next, err := s.db.Gallery(r.Context(), s.actor(r), r.PathValue("gid"), p.after, p.limit)
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

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) error {
	m, err := s.db.Media(r.Context(), s.actor(r), r.PathValue("mid"))
	if err != nil {
		return err
	}
	v, err := s.viewMedia(r.Context(), m, true)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) deleteMedia(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.DeleteMedia(r.Context(), s.actor(r), r.PathValue("mid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
