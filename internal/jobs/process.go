package jobs

import (
	"context"
	"encoding/json"

	"github.com/wmory/wmory/internal/media"
	"github.com/wmory/wmory/internal/sqldb"
)

// HandleMedia registers the processing of uploaded media, the lifecycle's
// last steps: the job carries the item, the lifecycle does the work. Videos'
// playback renditions run apart, on renditions runners, so that photos are
// never stuck behind a long transcode. Capture times read before offsets were
// are read again a page at a time.
func (w *Worker) HandleMedia(p *media.Processor, renditions int) {
	w.Handle(sqldb.JobProcessMedia, func(ctx context.Context, job *sqldb.Job) error {
		var payload sqldb.ProcessMediaPayload
		if err := json.Unmarshal(job.Payload, &payload); err != nil {
			return err
		}
		return p.Process(ctx, payload.MediaID, job.Attempts < w.MaxAttempts)
	})
	w.Handle(sqldb.JobPlaybackRendition, func(ctx context.Context, job *sqldb.Job) error {
		var payload sqldb.RenditionPayload
		if err := json.Unmarshal(job.Payload, &payload); err != nil {
			return err
		}
		return p.MakePlayback(ctx, payload.MediaID, payload.Source, job.Attempts < w.MaxAttempts)
	})
	w.Apart(sqldb.JobPlaybackRendition, renditions)
	w.Handle(sqldb.JobRereadCapture, func(ctx context.Context, job *sqldb.Job) error {
		var payload sqldb.RereadCapturePayload
		if err := json.Unmarshal(job.Payload, &payload); err != nil {
			return err
		}
		next, err := p.RereadCaptureTimes(ctx, payload.After, 100)
		if err != nil || next == "" {
			return err
		}
		// Should this job's end go unrecorded, the page runs again: harmless.
		return w.db.QueueCaptureReread(ctx, next)
	})
}
