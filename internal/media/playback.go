package media

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/imaging"
)

// Renditions are an instance's settings for videos' playback renditions.
type Renditions struct {
	Off    bool // none are made; videos play as they were uploaded
	Height int  // the rendition's short side at most, in pixels (one of wmory.VideoHeights)
}

// initial is a new video's playback status.
func (r Renditions) initial() wmory.PlaybackStatus {
	if r.Off {
		return wmory.PlaybackNone
	}
	return wmory.PlaybackPending
}

// MakePlayback makes a video's playback rendition, the lifecycle's step
// after its poster and previews: the item is viewable before, and stays
// viewable as its original if this fails. source is what processing learned
// of its streams (Processed.RenditionSource), or empty to probe them again. A
// file the tools refuse fails the rendition at once, for good, with its
// reason; other errors are returned for the queue to retry, and attemptsLeft
// false makes them final too.
func (p *Processor) MakePlayback(ctx context.Context, id string, source json.RawMessage, attemptsLeft bool) error {
	s := p.svc
	var known *imaging.Source
	if len(source) > 0 && json.Unmarshal(source, &known) != nil {
		known = nil // probed again
	}
	err := p.makePlayback(ctx, id, known)
	reason := imaging.ReasonOf(err)
	switch {
	case reason != "":
		s.log.Warn("playback rendition failed", "media", id, "reason", reason, "detail", err.Error())
	case err != nil && !attemptsLeft:
		s.log.Error("playback rendition kept failing", "media", id, "err", err)
		reason = wmory.FailProcessing
	default:
		return err
	}
	ferr := s.db.PlaybackSettled(context.WithoutCancel(ctx), id, wmory.PlaybackFailed, reason, 0)
	if wmory.ErrorCode(ferr) == wmory.ECodeNotFound {
		ferr = nil // deleted meanwhile
	}
	if reason == wmory.FailProcessing {
		return errors.Join(err, ferr)
	}
	return ferr
}

func (p *Processor) makePlayback(ctx context.Context, id string, source *imaging.Source) error {
	s := p.svc
	m, stored, err := s.db.MediaToProcess(ctx, id)
	if wmory.ErrorCode(err) == wmory.ECodeNotFound {
		return nil // deleted before its turn
	}
	if err != nil {
		return err
	}
	if m.Playback != wmory.PlaybackPending {
		return nil // a duplicate delivery of a settled job
	}
	if s.Renditions.Off {
		return ignoreGone(s.db.PlaybackSettled(ctx, id, wmory.PlaybackNone, "", 0))
	}
	rc, err := p.openVerified(ctx, m, stored)
	if err != nil {
		return err
	}
	defer rc.Close()
	start := time.Now()
	var made imaging.Rendition
	var size int64
	err = withLocalCopy(rc, func(path string) error {
		out := path + ".mp4"
		defer os.Remove(out)
		var err error
		if made, err = p.proc.Playback(ctx, path, out, s.Renditions.Height, source); err != nil {
			return err
		}
		f, err := os.Open(out)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		size = info.Size()
		return s.store.Put(ctx, m.PlaybackKey(), f, size, "video/mp4")
	})
	if err != nil {
		return err
	}
	if s.metrics != nil {
		s.metrics.ProcessingTime.WithLabelValues("rendition").Observe(time.Since(start).Seconds())
	}
	err = s.db.PlaybackSettled(ctx, id, wmory.PlaybackReady, "", size)
	if wmory.ErrorCode(err) == wmory.ECodeNotFound {
		// Deleted (or settled by another delivery) meanwhile: a rendition
		// must not outlive its item. Another delivery's rendition is under
		// the same key, and its item keeps it.
		if now, _, err := s.db.MediaToProcess(ctx, id); err == nil && now.Playback == wmory.PlaybackReady {
			return nil
		}
		return s.removeMade(ctx, m.PlaybackKey())
	}
	if err == nil {
		s.log.Info("playback rendition made", "media", id, "video_copied", made.VideoCopied, "audio_copied", made.AudioCopied,
			"tone_mapped", made.ToneMapped, "bytes", size, "original_bytes", m.Size, "seconds", time.Since(start).Seconds())
	}
	return err
}

func ignoreGone(err error) error {
	if wmory.ErrorCode(err) == wmory.ECodeNotFound {
		return nil
	}
	return err
}
