package media

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/imaging"
)

// RereadCaptureTimes reads again, from their files, the capture times of a
// page of items processed before wmory read the camera's UTC offset: where
// the file has an offset, the item moves to its true place in the gallery.
// It returns the cursor of the next page, "" when this was the last. A file
// that cannot be read keeps the time it has.
func (p *Processor) RereadCaptureTimes(ctx context.Context, after string, limit int) (string, error) {
	s := p.svc
	items, err := s.db.CaptureRereads(ctx, after, limit)
	if err != nil {
		return "", err
	}
	for _, m := range items {
		taken, offset, err := p.captureTime(ctx, &m)
		switch {
		case errors.Is(err, blob.ErrNotFound) || imaging.ReasonOf(err) != "":
			s.log.Warn("capture time not read again", "media", m.ID, "err", err)
			continue
		case err != nil:
			return "", err // the store or ffprobe failed: the page runs again
		}
		// Without an offset the file says what it said when it was processed.
		if taken == nil || (offset == nil && m.TakenAtSource == wmory.TakenFromCamera) {
			continue
		}
		if err := s.db.SetCaptureTime(ctx, m.ID, *taken, offset); err != nil {
			return "", err
		}
	}
	if len(items) < limit {
		return "", nil
	}
	return items[len(items)-1].ID, nil
}

func (p *Processor) captureTime(ctx context.Context, m *wmory.Media) (*time.Time, *int, error) {
	rc, err := p.svc.store.Open(ctx, m.ObjectKey)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	var taken *time.Time
	var offset *int
	if m.Kind == wmory.KindVideo {
		err = withLocalCopy(rc, func(path string) (err error) {
			taken, offset, err = p.proc.VideoCaptureTime(ctx, path)
			return err
		})
		return taken, offset, err
	}
	data, err := io.ReadAll(io.LimitReader(rc, m.Size+1))
	if err != nil {
		return nil, nil, err
	}
	return imaging.PhotoCaptureTime(data)
}
