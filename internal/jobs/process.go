package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/sqldb"
)

// HandleMedia registers the processing of uploaded media: thumbnail and preview
// made and stored, then the item marked ready. A file the processor rejects
// (undecodable, too large, out of time) fails at once, for good: retrying it
// would only cost the same again. Other errors are retried.
func (w *Worker) HandleMedia(store blob.Store, proc *imaging.Processor) {
	w.Handle(sqldb.JobProcessMedia, func(ctx context.Context, job *sqldb.Job) error {
		var p struct {
			MediaID string `json:"media_id"`
		}
		if err := json.Unmarshal(job.Payload, &p); err != nil {
			return err
		}
		err := w.processMedia(ctx, store, proc, p.MediaID)
		if reason := imaging.ReasonOf(err); reason != "" {
			// The detail (tool output, library errors) is for the log only.
			w.log.Warn("media failed", "media", p.MediaID, "reason", reason, "detail", err.Error())
			return w.db.MediaFailed(context.WithoutCancel(ctx), p.MediaID, reason)
		}
		if err != nil && job.Attempts >= w.MaxAttempts {
			w.log.Error("media processing kept failing", "media", p.MediaID, "err", err)
			if ferr := w.db.MediaFailed(context.WithoutCancel(ctx), p.MediaID, wmory.FailProcessing); ferr != nil {
				return errors.Join(err, ferr)
			}
		}
		return err
	})
}

func (w *Worker) processMedia(ctx context.Context, store blob.Store, proc *imaging.Processor, id string) error {
	m, etag, err := w.db.MediaToProcess(ctx, id)
	if wmory.ErrorCode(err) == wmory.ECodeNotFound {
		return nil // deleted before its turn: nothing to do
	}
	if err != nil {
		return err
	}
	if m.Status != wmory.StatusProcessing {
		return nil // a duplicate delivery of a finished job
	}
	// The bytes must be the ones verified at completion: a signed URL reused
	// to replace them afterwards is caught here.
	info, err := store.Stat(ctx, m.ObjectKey)
	if errors.Is(err, blob.ErrNotFound) {
		return &imaging.Rejection{Reason: wmory.FailOriginalMissing, Detail: "no object under " + m.ObjectKey}
	}
	if err != nil {
		return err
	}
	if info.Size != m.Size || (etag != "" && info.ETag != etag) {
		return &imaging.Rejection{Reason: wmory.FailOriginalChanged, Detail: "size or ETag differ from the verified ones"}
	}
	rc, err := store.Open(ctx, m.ObjectKey)
	if err != nil {
		return err
	}
	defer rc.Close()

	var res *imaging.Result
	start := time.Now()
	if m.Kind == wmory.KindVideo {
		res, err = processVideo(ctx, proc, rc)
	} else {
		var data []byte
		if data, err = io.ReadAll(io.LimitReader(rc, m.Size+1)); err != nil {
			return err
		}
		res, err = proc.Photo(ctx, data)
	}
	if err != nil {
		return err
	}
	if w.Metrics != nil {
		w.Metrics.ProcessingTime.WithLabelValues(string(m.Kind)).Observe(time.Since(start).Seconds())
	}
	for key, b := range map[string][]byte{m.ThumbnailKey(): res.Thumbnail, m.PreviewKey(): res.Preview} {
		if err := store.Put(ctx, key, bytes.NewReader(b), int64(len(b)), "image/webp"); err != nil {
			return fmt.Errorf("store derived image: %w", err)
		}
	}
	err = w.db.MediaProcessed(ctx, id, sqldb.Processed{Width: res.Width, Height: res.Height, TakenAt: res.TakenAt, DurationMS: res.DurationMS})
	if wmory.ErrorCode(err) == wmory.ECodeNotFound {
		// Deleted while it was being processed: its derived images must not
		// outlive it. What cannot be deleted now is queued.
		keys := []string{m.ThumbnailKey(), m.PreviewKey()}
		if derr := errors.Join(store.Delete(ctx, keys[0]), store.Delete(ctx, keys[1])); derr != nil {
			return w.db.QueueDeletes(context.WithoutCancel(ctx), keys)
		}
		return nil
	}
	return err
}

// processVideo copies the original to a temporary file: ffmpeg needs to seek.
func processVideo(ctx context.Context, proc *imaging.Processor, r io.Reader) (*imaging.Result, error) {
	f, err := os.CreateTemp("", "wmory-video-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return proc.Video(ctx, f.Name())
}
