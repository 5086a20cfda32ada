// Package media owns the lifecycle of an upload and of the item it becomes:
// authorize, verify the stored bytes, complete, reject, and process. Every door
// into it — the API's handlers, the job queue, later the store's own events —
// calls these functions, so each rule (membership re-checked at completion,
// what a verified file is, what a failure withdraws) lives here once.
package media

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/metrics"
	"github.com/wmory/wmory/internal/sqldb"
)

// Records is what the lifecycle needs of the database.
type Records interface {
	Limits(ctx context.Context, userID string, defaults wmory.Limits) (wmory.Limits, error)
	AuthorizeUpload(ctx context.Context, actor wmory.Actor, u *wmory.Upload, limits wmory.Limits) error
	Upload(ctx context.Context, actor wmory.Actor, id string) (*wmory.Upload, error)
	IsMember(ctx context.Context, userID, groupID string) (bool, error)
	CompleteUpload(ctx context.Context, actor wmory.Actor, uploadID string, stored sqldb.Stored, playback wmory.PlaybackStatus) (*wmory.Media, error)
	RejectUpload(ctx context.Context, actor wmory.Actor, uploadID, reason string, refusal *wmory.Error) error
	AbandonUpload(ctx context.Context, actor wmory.Actor, uploadID string) error
	MediaToProcess(ctx context.Context, id string) (*wmory.Media, sqldb.Stored, error)
	TryLease(ctx context.Context, name, holder string, d time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	MediaProcessed(ctx context.Context, id string, p sqldb.Processed) error
	MediaFailed(ctx context.Context, id string, reason wmory.FailureReason) error
	PlaybackSettled(ctx context.Context, id string, status wmory.PlaybackStatus, failure wmory.FailureReason, bytes int64) error
	CaptureRereads(ctx context.Context, after string, limit int) ([]wmory.Media, error)
	ArchivePage(ctx context.Context, a *sqldb.Archive, after string, limit int) ([]sqldb.ArchiveItem, string, error)
	Groups(ctx context.Context, userID, after string, limit int) ([]wmory.Group, string, error)
	CommentsBy(ctx context.Context, userID string) ([]wmory.Comment, error)
	SetCaptureTime(ctx context.Context, id string, taken time.Time, offset *int) error
	QueueDeletes(ctx context.Context, keys []string) error
	PendingUpload(ctx context.Context, key string) (*wmory.Upload, error)
	UploadsPastTheirURL(ctx context.Context, limit int) ([]string, error)
	User(ctx context.Context, id string) (*wmory.User, error)
	Clock() time.Time
}

// Service runs the lifecycle.
type Service struct {
	db      Records
	store   blob.Store
	limits  wmory.Limits
	metrics *metrics.Metrics // may be nil
	log     *slog.Logger
	// Renditions are the instance's settings for videos' playback
	// renditions; set them before the service is used.
	Renditions Renditions

	// health caches the last store check for a moment, so that a dead store
	// refuses uploads quickly without a round trip per request.
	healthMu     sync.Mutex
	healthAt     time.Time
	healthResult error
}

// New returns the lifecycle over a database and a store, with the instance's
// default limits. m may be nil.
func New(db Records, store blob.Store, limits wmory.Limits, m *metrics.Metrics, log *slog.Logger) *Service {
	return &Service{db: db, store: store, limits: limits, metrics: m, log: log, Renditions: Renditions{Height: 720}}
}

// ErrStorageDown answers requests that need the store while it is unreachable.
var ErrStorageDown = &wmory.Error{Code: wmory.ECodeStorageUnavailable, Message: "The object store is unavailable; try again shortly.", RetryAfterSeconds: 5}

// StorageError maps a store failure: unreachable is storage_unavailable, the
// rest internal.
func StorageError(err error) error {
	if errors.Is(err, blob.ErrUnavailable) {
		return ErrStorageDown
	}
	return err
}

const storeHealthTTL = 2 * time.Second

// storeHealthy reports whether the store answered recently.
func (s *Service) storeHealthy(ctx context.Context) error {
	s.healthMu.Lock()
	if s.db.Clock().Sub(s.healthAt) < storeHealthTTL {
		defer s.healthMu.Unlock()
		return s.healthResult
	}
	s.healthMu.Unlock()
	return s.CheckStore(ctx)
}

// CheckStore asks the store now and remembers the answer.
func (s *Service) CheckStore(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var result error
	if err := s.store.Ping(pctx); err != nil {
		s.log.Warn("object store unavailable", "err", err)
		result = ErrStorageDown
	}
	s.healthMu.Lock()
	s.healthResult, s.healthAt = result, s.db.Clock()
	s.healthMu.Unlock()
	return result
}

// UploadRequest is what a client declares about a file it wants to send.
type UploadRequest struct {
	GroupID     string
	Filename    string
	ContentType string
	Size        int64
	SHA256      *string // hex, optional
	// Resumable asks to send the file in parts (see SignParts).
	Resumable bool
	// TimeZone is where the uploader is (IANA, such as Europe/Lisbon), when
	// the client says it: a camera clock without an offset is read in it.
	TimeZone string
}

// Authorize checks an upload request (type, size, the member's limits and
// quota), records it as pending with its quota reserved, and signs the URL the
// client sends the bytes to. validID tells ids the server could have made.
func (s *Service) Authorize(ctx context.Context, actor wmory.Actor, req UploadRequest, validID func(string) bool) (*wmory.Upload, blob.SignedRequest, error) {
	var none blob.SignedRequest
	name, err := wmory.ValidateFilename(req.Filename)
	if err != nil {
		return nil, none, err
	}
	ct, _, err := mime.ParseMediaType(req.ContentType)
	kind, ok := wmory.KindOf(ct)
	if err != nil || !ok {
		return nil, none, wmory.Errorf(wmory.ECodeUnsupportedMedia, "content_type: %q is not an allowed photo or video type.", req.ContentType)
	}
	if req.Size <= 0 {
		return nil, none, wmory.Invalid("size", "must be the file's size in bytes, above 0.")
	}
	limits, err := s.db.Limits(ctx, actor.UserID, s.limits)
	if err != nil {
		return nil, none, err
	}
	limit := limits.MaxPhotoBytes
	if kind == wmory.KindVideo {
		limit = limits.MaxVideoBytes
	}
	if req.Size > limit {
		size, most := wmory.FormatBytes(req.Size), wmory.FormatBytes(limit)
		if size == most { // just over: the sizes read the same
			return nil, none, wmory.Errorf(wmory.ECodeFileTooLarge, "This %s is just over the largest allowed, %s.", kind, most)
		}
		return nil, none, wmory.Errorf(wmory.ECodeFileTooLarge, "This %s is %s; %ss can be at most %s.", kind, size, kind, most)
	}
	var sum string
	if req.SHA256 != nil {
		if b, err := hex.DecodeString(*req.SHA256); err != nil || len(b) != 32 {
			return nil, none, wmory.Invalid("sha256", "must be 64 hexadecimal digits.")
		}
		sum = strings.ToLower(*req.SHA256)
	}
	if req.TimeZone != "" {
		if _, err := time.LoadLocation(req.TimeZone); err != nil || req.TimeZone == "Local" {
			return nil, none, wmory.Invalid("time_zone", "must be a time zone such as Europe/Lisbon.")
		}
	}
	if !validID(req.GroupID) {
		return nil, none, wmory.NotFound("Group")
	}
	// Signing works offline; without this check a dead store would hand out
	// URLs that fail and reservations that linger until they expire.
	if err := s.storeHealthy(ctx); err != nil {
		return nil, none, err
	}
	// The object key is the server's alone: the group and a fresh id.
	id := wmory.NewID(s.db.Clock())
	u := &wmory.Upload{ID: id, GroupID: req.GroupID, ObjectKey: wmory.UploadPrefix + req.GroupID + "/" + id, Filename: name,
		ContentType: ct, Size: req.Size, SHA256: sum, TimeZone: req.TimeZone}
	if req.Resumable {
		if err := s.beginMultipart(ctx, u); err != nil {
			return nil, none, err
		}
	}
	if err := s.db.AuthorizeUpload(ctx, actor, u, limits); err != nil {
		if wmory.ErrorCode(err) == wmory.ECodeQuotaExceeded && s.metrics != nil {
			s.metrics.QuotaRefusals.Inc()
		}
		if u.Resumable() {
			s.abortMultipart(ctx, u)
		}
		return nil, none, err
	}
	s.count("authorized", "")
	if u.Resumable() {
		return u, none, nil // its part URLs are signed as the client asks for them
	}
	signed, err := s.store.PresignPut(ctx, u.ObjectKey, blob.PutOptions{Size: u.Size, ContentType: ct, TTL: wmory.UploadTTL, SHA256: sum})
	if err != nil {
		if rerr := s.db.RejectUpload(context.WithoutCancel(ctx), actor, u.ID, "presign_failed", nil); rerr != nil {
			// The pending row is the durable record: the clean-up releases its
			// reservation when it expires.
			s.log.Error("release the reservation of an unsigned upload", "upload", u.ID, "err", rerr, "request_id", actor.RequestID)
		}
		return nil, none, StorageError(err)
	}
	return u, signed, nil
}

func (s *Service) count(outcome, reason string) {
	if s.metrics != nil {
		s.metrics.Uploads.WithLabelValues(outcome, reason).Inc()
	}
}

// Complete verifies what the actor stored for an upload and records the media
// with its processing job. Completing twice returns the same media.
func (s *Service) Complete(ctx context.Context, actor wmory.Actor, uploadID string) (*wmory.Media, error) {
	u, err := s.db.Upload(ctx, actor, uploadID)
	if err != nil {
		return nil, err
	}
	var stored sqldb.Stored
	if u.Status == wmory.UploadPending {
		if !u.ExpiresAt.After(s.db.Clock()) {
			return nil, wmory.Errorf(wmory.ECodeUploadExpired, "This upload expired; authorize it again.")
		}
		if u.Resumable() {
			release, err := s.assembling(ctx, actor, u)
			if err != nil {
				return nil, err
			}
			defer release()
			if u.Status == wmory.UploadPending {
				if err := s.assemble(ctx, u); err != nil {
					return nil, err
				}
			}
		}
	}
	if u.Status == wmory.UploadPending {
		if stored, err = s.verify(ctx, actor, u); err != nil {
			return nil, err
		}
	}
	m, err := s.db.CompleteUpload(ctx, actor, u.ID, stored, s.Renditions.initial())
	if errors.Is(err, sqldb.ErrNoLongerMember) {
		return nil, s.reject(ctx, actor, u, "not_member", wmory.NotFound("Upload"))
	}
	if wmory.ErrorCode(err) == wmory.ECodeDuplicate {
		return nil, s.reject(ctx, actor, u, "duplicate", err)
	}
	if err != nil {
		return nil, err
	}
	if u.Status == wmory.UploadPending {
		s.count("completed", "")
	}
	return m, nil
}

// Abandon ends the actor's pending upload at once, at the client's request
// (it gave up, or the person cancelled): the day's allowance it reserved is
// free again and nothing it stored stays.
func (s *Service) Abandon(ctx context.Context, actor wmory.Actor, uploadID string) error {
	if err := s.db.AbandonUpload(ctx, actor, uploadID); err != nil {
		return err
	}
	s.count("abandoned", "")
	return nil
}

// Where the arrival of an upload's bytes was seen, as metrics label it.
const (
	FromLocalStore = "local_store" // the local store, at the end of the PUT
	FromWebhook    = "webhook"     // the store's notification, posted to /events/s3
	FromNATS       = "nats"        // the store's notification, through NATS
	FromLambda     = "lambda"      // the store's notification, to the function
	FromSweep      = "sweep"       // the clean-up, before the upload would expire
)

// Arrived is the lifecycle's entry for "the bytes of object key are in the
// store", whoever noticed (source, one of the From constants): the upload
// they belong to is completed exactly as the client's complete would (the
// same checks, the same refusals, kept for the client's own complete), as its
// uploader's, and never for a suspended account. A key of no pending upload
// is ignored, and nothing stored yet is not an error. It returns the media,
// or nil.
func (s *Service) Arrived(ctx context.Context, source, key string) (*wmory.Media, error) {
	m, outcome, err := s.arrived(ctx, key)
	if err != nil {
		outcome = "error"
	}
	if s.metrics != nil {
		s.metrics.StoreEvents.WithLabelValues(source, outcome).Inc()
	}
	return m, err
}

func (s *Service) arrived(ctx context.Context, key string) (*wmory.Media, string, error) {
	if !strings.HasPrefix(key, wmory.UploadPrefix) || wmory.OriginalKey(key) != key {
		// Derived images are stored beside their originals: their own
		// notifications come here too, and are nobody's upload.
		return nil, "ignored", nil
	}
	u, err := s.db.PendingUpload(ctx, key)
	if wmory.ErrorCode(err) == wmory.ECodeNotFound {
		return nil, "ignored", nil // completed, refused or expired already, or not an upload's
	}
	if err != nil {
		return nil, "", err
	}
	actor := wmory.Actor{UserID: u.UserID, RequestID: "arrival"}
	owner, err := s.db.User(ctx, u.UserID)
	if err != nil {
		return nil, "", err
	}
	if owner.Suspended {
		return nil, "rejected", s.reject(ctx, actor, u, "suspended", wmory.NotFound("Upload"))
	}
	m, err := s.Complete(ctx, actor, u.ID)
	switch wmory.ErrorCode(err) {
	case wmory.ECodeUploadMissing:
		return nil, "missing", nil // the bytes are not there (yet)
	case wmory.ECodeUploadRejected, wmory.ECodeDuplicate, wmory.ECodeNotFound, wmory.ECodeUploadExpired:
		return nil, "rejected", nil // refused and cleaned up, as any completion would be
	}
	return m, "completed", err
}

// SweepArrivals completes the pending uploads whose signed URL is dead and
// whose bytes are in the store: with no event and no client's complete,
// nothing that arrived is lost. It returns how many it completed.
func (s *Service) SweepArrivals(ctx context.Context, limit int) (int, error) {
	keys, err := s.db.UploadsPastTheirURL(ctx, limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		m, err := s.Arrived(ctx, FromSweep, k)
		if err != nil {
			return n, err
		}
		if m != nil {
			n++
		}
	}
	return n, nil
}

// reject ends an upload that failed verification (its object deleted, its
// quota given back) and returns the refusal for the client.
func (s *Service) reject(ctx context.Context, actor wmory.Actor, u *wmory.Upload, reason string, refusal error) error {
	var kept *wmory.Error
	errors.As(refusal, &kept)
	if err := s.db.RejectUpload(context.WithoutCancel(ctx), actor, u.ID, reason, kept); err != nil {
		return err
	}
	s.count("rejected", reason)
	return refusal
}

func rejected(msg string) error { return wmory.Errorf(wmory.ECodeUploadRejected, "%s", msg) }

// verify checks what was stored against what was declared: the exact size,
// and the real type by magic bytes. It returns what the store said of the
// object: processing checks its ETag again.
func (s *Service) verify(ctx context.Context, actor wmory.Actor, u *wmory.Upload) (sqldb.Stored, error) {
	var none sqldb.Stored
	member, err := s.db.IsMember(ctx, u.UserID, u.GroupID)
	if err != nil {
		return none, err
	}
	if !member {
		return none, s.reject(ctx, actor, u, "not_member", wmory.NotFound("Upload"))
	}
	info, head, err := s.store.ReadHead(ctx, u.ObjectKey, wmory.SniffLen)
	if errors.Is(err, blob.ErrNotFound) {
		return none, wmory.Errorf(wmory.ECodeUploadMissing, "Nothing was stored for this upload yet: send the file to the upload URL first.")
	}
	if err != nil {
		return none, StorageError(err)
	}
	if info.Size != u.Size {
		return none, s.reject(ctx, actor, u, "size_mismatch", rejected("The stored file's size differs from the declared size."))
	}
	sniffed := wmory.Sniff(head)
	if sniffed == "" {
		return none, s.reject(ctx, actor, u, "not_media", rejected("The file is not an allowed photo or video type."))
	}
	if !wmory.SameType(u.ContentType, sniffed) {
		return none, s.reject(ctx, actor, u, "type_mismatch", rejected("The file is "+sniffed+", not the declared "+u.ContentType+"."))
	}
	// The store checked a declared hash on a single PUT; parts it cannot
	// check as one file, so the assembled bytes are read here: only a
	// verified hash makes the media a source of duplicates.
	if u.Resumable() && u.SHA256 != "" {
		sum, err := s.sha256Of(ctx, u.ObjectKey)
		if err != nil {
			return none, err
		}
		if sum != u.SHA256 {
			return none, s.reject(ctx, actor, u, "sha256_mismatch", rejected("The file's SHA-256 differs from the declared one."))
		}
	}
	return sqldb.Stored{ETag: info.ETag, At: info.Modified}, nil
}

// Processor makes an item's thumbnail and preview; it is the lifecycle's last
// step, run by the job queue.
type Processor struct {
	svc  *Service
	proc *imaging.Processor
}

// Processor returns the processing step with the given imaging limits.
func (s *Service) Processor(proc *imaging.Processor) *Processor {
	return &Processor{svc: s, proc: proc}
}

// Process makes an item's derived images and marks it ready. A file the
// processor rejects (undecodable, too large, out of time) fails at once, for
// good, with its reason; other errors are returned for the queue to retry, and
// attemptsLeft false makes them final too.
func (p *Processor) Process(ctx context.Context, id string, attemptsLeft bool) error {
	s := p.svc
	err := p.process(ctx, id)
	if reason := imaging.ReasonOf(err); reason != "" {
		// The detail (tool output, library errors) is for the log only.
		s.log.Warn("media failed", "media", id, "reason", reason, "detail", err.Error())
		return s.db.MediaFailed(context.WithoutCancel(ctx), id, reason)
	}
	if err != nil && !attemptsLeft {
		s.log.Error("media processing kept failing", "media", id, "err", err)
		if ferr := s.db.MediaFailed(context.WithoutCancel(ctx), id, wmory.FailProcessing); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	return err
}

func (p *Processor) process(ctx context.Context, id string) error {
	s := p.svc
	m, stored, err := s.db.MediaToProcess(ctx, id)
	if wmory.ErrorCode(err) == wmory.ECodeNotFound {
		return nil // deleted before its turn: nothing to do
	}
	if err != nil {
		return err
	}
	if m.Status != wmory.StatusProcessing {
		return nil // a duplicate delivery of a finished job
	}
	rc, err := p.openVerified(ctx, m, stored)
	if err != nil {
		return err
	}
	defer rc.Close()

	var res *imaging.Result
	start := time.Now()
	if m.Kind == wmory.KindVideo {
		err = withLocalCopy(rc, func(path string) (err error) {
			res, err = p.proc.Video(ctx, path)
			return err
		})
	} else {
		var data []byte
		if data, err = io.ReadAll(io.LimitReader(rc, m.Size+1)); err != nil {
			return err
		}
		res, err = p.proc.Photo(ctx, data)
	}
	if err != nil {
		return err
	}
	if s.metrics != nil {
		s.metrics.ProcessingTime.WithLabelValues(string(m.Kind)).Observe(time.Since(start).Seconds())
	}
	for key, b := range map[string][]byte{m.ThumbnailKey(): res.Thumbnail, m.PreviewKey(): res.Preview} {
		if err := s.store.Put(ctx, key, bytes.NewReader(b), int64(len(b)), "image/webp"); err != nil {
			return fmt.Errorf("store derived image: %w", err)
		}
	}
	if res.TakenAt != nil && res.TakenOffset == nil && m.UploadTimeZone != "" {
		res.TakenAt, res.TakenOffset = inZone(*res.TakenAt, m.UploadTimeZone)
	}
	processed := sqldb.Processed{Width: res.Width, Height: res.Height, TakenAt: res.TakenAt, TakenOffset: res.TakenOffset, DurationMS: res.DurationMS}
	if res.Source != nil {
		if processed.RenditionSource, err = json.Marshal(res.Source); err != nil {
			return err
		}
	}
	err = s.db.MediaProcessed(ctx, id, processed)
	if err == nil && s.metrics != nil && !stored.At.IsZero() {
		s.metrics.ReadyTime.Observe(s.db.Clock().Sub(stored.At).Seconds())
	}
	if wmory.ErrorCode(err) == wmory.ECodeNotFound {
		// Deleted while it was being processed: its derived images must not
		// outlive it.
		return s.removeMade(ctx, m.ThumbnailKey(), m.PreviewKey())
	}
	return err
}

// openVerified opens an item's original, which must still be the bytes
// verified at completion: a signed URL reused to replace them afterwards is
// caught here.
func (p *Processor) openVerified(ctx context.Context, m *wmory.Media, stored sqldb.Stored) (io.ReadCloser, error) {
	s := p.svc
	info, err := s.store.Stat(ctx, m.ObjectKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, &imaging.Rejection{Reason: wmory.FailOriginalMissing, Detail: "no object under " + m.ObjectKey}
	}
	if err != nil {
		return nil, err
	}
	if info.Size != m.Size || (stored.ETag != "" && info.ETag != stored.ETag) {
		return nil, &imaging.Rejection{Reason: wmory.FailOriginalChanged, Detail: "size or ETag differ from the verified ones"}
	}
	return s.store.Open(ctx, m.ObjectKey)
}

// removeMade deletes what processing stored for an item that was deleted
// meanwhile, so that nothing outlives it; what cannot be deleted now is
// queued.
func (s *Service) removeMade(ctx context.Context, keys ...string) error {
	var errs []error
	for _, k := range keys {
		errs = append(errs, s.store.Delete(ctx, k))
	}
	if errors.Join(errs...) != nil {
		return s.db.QueueDeletes(context.WithoutCancel(ctx), keys)
	}
	return nil
}

// withLocalCopy copies an original to a temporary file for fn, and removes
// it after: ffmpeg needs to seek.
func withLocalCopy(r io.Reader, fn func(path string) error) error {
	f, err := os.CreateTemp("", "wmory-video-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return fn(f.Name())
}

// inZone reads a camera clock the file gave without an offset (held as UTC)
// in the uploader's time zone: the instant it was there, and that offset.
func inZone(wall time.Time, zone string) (*time.Time, *int) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return &wall, nil
	}
	local := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), loc)
	_, seconds := local.Zone()
	minutes := seconds / 60
	at := local.UTC()
	return &at, &minutes
}
