package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
)

// beginMultipart starts the store's multipart upload of a resumable upload.
func (s *Service) beginMultipart(ctx context.Context, u *wmory.Upload) error {
	u.PartSize = wmory.PartSize
	if u.PartCount() > wmory.MaxParts {
		return wmory.Errorf(wmory.ECodeFileTooLarge, "A file sent in parts can be at most %s.", wmory.FormatBytes(wmory.MaxParts*wmory.PartSize))
	}
	id, err := s.store.CreateMultipart(ctx, u.ObjectKey, u.ContentType)
	if err != nil {
		return StorageError(err)
	}
	u.MultipartID = id
	return nil
}

// abortMultipart ends the store's multipart upload of an upload that was
// never recorded; what fails here, the reconciliation of stores removes.
func (s *Service) abortMultipart(ctx context.Context, u *wmory.Upload) {
	if err := s.store.AbortMultipart(context.WithoutCancel(ctx), u.ObjectKey, u.MultipartID); err != nil {
		s.log.Warn("abort a multipart upload that was never recorded", "key", u.ObjectKey, "err", err)
	}
}

// SignedPart is where the client sends one part.
type SignedPart struct {
	Number int
	blob.SignedRequest
}

// SignParts signs the URLs of the given parts of the actor's resumable
// upload, each for exactly its part's length, valid for an hour (or until the
// upload ends, if sooner).
func (s *Service) SignParts(ctx context.Context, actor wmory.Actor, uploadID string, numbers []int) ([]SignedPart, error) {
	u, err := s.resumable(ctx, actor, uploadID)
	if err != nil {
		return nil, err
	}
	if len(numbers) == 0 || len(numbers) > wmory.MaxPartsPerSigning {
		return nil, wmory.Invalid("numbers", fmt.Sprintf("name 1 to %d parts.", wmory.MaxPartsPerSigning))
	}
	ttl := min(wmory.PartURLTTL, u.ExpiresAt.Sub(s.db.Clock()))
	var out []SignedPart
	for _, n := range numbers {
		if n < 1 || n > u.PartCount() {
			return nil, wmory.Invalid("numbers", fmt.Sprintf("part %d is not a part of this upload: it has parts 1 to %d.", n, u.PartCount()))
		}
		if slices.ContainsFunc(out, func(p SignedPart) bool { return p.Number == n }) {
			continue
		}
		req, err := s.store.PresignPart(ctx, u.ObjectKey, u.MultipartID, n, u.PartLength(n), ttl)
		if err != nil {
			return nil, StorageError(err)
		}
		out = append(out, SignedPart{Number: n, SignedRequest: req})
	}
	return out, nil
}

// resumable returns the actor's resumable upload that still takes parts.
func (s *Service) resumable(ctx context.Context, actor wmory.Actor, uploadID string) (*wmory.Upload, error) {
	u, err := s.db.Upload(ctx, actor, uploadID)
	if err != nil {
		return nil, err
	}
	if !u.Resumable() {
		return nil, wmory.Errorf(wmory.ECodeInvalidRequest, "This upload is sent in one request to its URL, not in parts.")
	}
	switch {
	case u.Status == wmory.UploadCompleted:
		return nil, wmory.Errorf(wmory.ECodeConflict, "This upload is complete: its item is in the group.")
	case u.Status != wmory.UploadPending || !u.ExpiresAt.After(s.db.Clock()):
		return nil, wmory.Errorf(wmory.ECodeUploadExpired, "This upload has ended; authorize it again.")
	}
	return u, nil
}

// Progress returns the actor's upload and, while a resumable one is pending,
// the parts the store holds: a client resumes by sending the others.
func (s *Service) Progress(ctx context.Context, actor wmory.Actor, uploadID string) (*wmory.Upload, []blob.Part, error) {
	u, err := s.db.Upload(ctx, actor, uploadID)
	if err != nil || !u.Resumable() || u.Status != wmory.UploadPending {
		return u, nil, err
	}
	parts, err := s.store.ListParts(ctx, u.ObjectKey, u.MultipartID)
	if errors.Is(err, blob.ErrNoUpload) {
		return u, nil, nil // assembled, or aborted, a moment ago
	}
	if err != nil {
		return nil, nil, StorageError(err)
	}
	return u, parts, nil
}

// assemble turns the parts of a resumable upload into its object, unless a
// completion before this one did. Parts missing (or of another length than
// theirs) are a conflict that names them: the client sends those and
// completes again.
func (s *Service) assemble(ctx context.Context, u *wmory.Upload) error {
	if _, err := s.store.Stat(ctx, u.ObjectKey); err == nil {
		return nil
	} else if !errors.Is(err, blob.ErrNotFound) {
		return StorageError(err)
	}
	parts, err := s.store.ListParts(ctx, u.ObjectKey, u.MultipartID)
	if err != nil && !errors.Is(err, blob.ErrNoUpload) {
		return StorageError(err)
	}
	var have []blob.Part
	var missing []int
	for n := 1; n <= u.PartCount(); n++ {
		i := slices.IndexFunc(parts, func(p blob.Part) bool { return p.Number == n && p.Size == u.PartLength(n) })
		if i < 0 {
			missing = append(missing, n)
			continue
		}
		have = append(have, parts[i])
	}
	if errors.Is(err, blob.ErrNoUpload) || len(missing) > 0 {
		if _, serr := s.store.Stat(ctx, u.ObjectKey); serr == nil {
			return nil // a concurrent completion assembled it meanwhile
		}
		return &wmory.Error{Code: wmory.ECodeUploadMissing, Message: fmt.Sprintf("%d of %d parts are missing: send them, then complete again.", len(missing), u.PartCount()),
			Extra: map[string]any{"missing": missing}}
	}
	err = s.store.CompleteMultipart(ctx, u.ObjectKey, u.MultipartID, have)
	if errors.Is(err, blob.ErrNoUpload) {
		if _, serr := s.store.Stat(ctx, u.ObjectKey); serr == nil {
			return nil // a concurrent completion won
		}
	}
	return StorageError(err)
}

// sha256Of reads an object through and returns its SHA-256 (hex), never
// holding more than a buffer of it.
func (s *Service) sha256Of(ctx context.Context, key string) (string, error) {
	rc, err := s.store.Open(ctx, key)
	if err != nil {
		return "", StorageError(err)
	}
	defer rc.Close()
	h := sha256.New()
	start := time.Now()
	if _, err := io.CopyBuffer(h, rc, make([]byte, 1<<20)); err != nil {
		return "", StorageError(err)
	}
	s.log.Debug("hashed an assembled upload", "key", key, "seconds", time.Since(start).Seconds())
	return hex.EncodeToString(h.Sum(nil)), nil
}

// assemblingLease bounds how long one completion may hold a resumable
// upload; a process that dies while assembling lets the next one in after it.
const assemblingLease = 5 * time.Minute

// assembling makes the completions of one resumable upload take turns: the
// store may report an assembly in progress as neither parts nor object. It
// returns once this completion holds the upload, or once another ended it
// (u is then read again, and the completion answers as that one did).
func (s *Service) assembling(ctx context.Context, actor wmory.Actor, u *wmory.Upload) (release func(), err error) {
	name, holder := "assemble:"+u.ID, wmory.NewID(s.db.Clock())
	for {
		held, err := s.db.TryLease(ctx, name, holder, assemblingLease)
		if err != nil {
			return nil, err
		}
		if held {
			return func() {
				if err := s.db.ReleaseLease(context.WithoutCancel(ctx), name, holder); err != nil {
					s.log.Warn("release an assembly lease", "upload", u.ID, "err", err)
				}
			}, nil
		}
		// Another completion holds it: wait for its outcome.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		now, err := s.db.Upload(ctx, actor, u.ID)
		if err != nil {
			return nil, err
		}
		if now.Status != wmory.UploadPending {
			*u = *now
			return func() {}, nil
		}
	}
}
