package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/imaging/videotest"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/jobs"
	"github.com/wmory/wmory/internal/media"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

func (f *fixture) addClip(t *testing.T, c videotest.Clip) *wmory.Media {
	t.Helper()
	b, err := os.ReadFile(videotest.MakeClip(t, t.TempDir(), c))
	if err != nil {
		t.Fatal(err)
	}
	return f.add(t, string(c), "video/mp4", b)
}

// A video is ready with its poster first; its rendition follows, is stored
// beside it, counted, and deleted with it.
func TestPlaybackRenditionFollowsAndGoesWithItsVideo(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	m := f.addClip(t, videotest.H264AAC)
	if m.Playback != wmory.PlaybackPending {
		t.Fatalf("a new video's playback is %q; want pending", m.Playback)
	}
	f.w.RunOne(ctx) // the poster and previews
	got := f.media(t, m.ID)
	if got.Status != wmory.StatusReady || got.Playback != wmory.PlaybackPending {
		t.Fatalf("after the poster: status %s, playback %s; want ready, pending", got.Status, got.Playback)
	}
	if n, _ := f.db.PendingJobs(ctx, sqldb.JobPlaybackRendition); n != 1 {
		t.Fatalf("%d rendition jobs queued; want 1", n)
	}
	// The job carries what the poster's probe found: the video is not
	// probed twice. (A lease of nothing leaves it to the worker.)
	job, err := f.db.ClaimJobAbout(ctx, sqldb.JobPlaybackRendition, m.ObjectKey, 0)
	var payload sqldb.RenditionPayload
	if err != nil || job == nil || json.Unmarshal(job.Payload, &payload) != nil || payload.MediaID != m.ID || !bytes.Contains(payload.Source, []byte(`"codec_name":"h264"`)) {
		t.Fatalf("the rendition job %+v (%s), %v", job, job.Payload, err)
	}
	f.drain()
	got = f.media(t, m.ID)
	info, err := f.store.Stat(ctx, got.PlaybackKey())
	if got.Playback != wmory.PlaybackReady || err != nil || got.PlaybackBytes != info.Size || info.Size == 0 {
		t.Fatalf("playback %s of %d bytes; stored %+v, %v", got.Playback, got.PlaybackBytes, info, err)
	}
	if err := f.db.PurgeMedia(ctx, f.actor, m.ID); err != nil {
		t.Fatal(err)
	}
	f.drain()
	if _, err := f.store.Stat(ctx, got.PlaybackKey()); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("the rendition outlived its video: %v", err)
	}
}

// Photos have no rendition, and with renditions off neither do videos.
func TestNoRenditions(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	photo := f.add(t, "a.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	video := f.addClip(t, videotest.H264Silent)
	// An instance that turned renditions off after the video was queued.
	svc := media.New(f.db, f.store, wmory.DefaultLimits, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc.Renditions.Off = true
	f.w.HandleMedia(svc.Processor(imaging.New()), 1)
	f.drain()
	for _, m := range []*wmory.Media{photo, video} {
		if got := f.media(t, m.ID); got.Status != wmory.StatusReady || got.Playback != wmory.PlaybackNone {
			t.Errorf("%s: status %s, playback %s; want ready, none", m.Filename, got.Status, got.Playback)
		}
		if _, err := f.store.Stat(ctx, m.PlaybackKey()); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%s has a rendition: %v", m.Filename, err)
		}
	}
}

// A rendition ffmpeg cannot make fails for good, with a reason, and leaves the
// video as viewable as it was.
func TestFailedRenditionLeavesTheVideoViewable(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	// The real ffmpeg, which fails when asked for a rendition (the only
	// command that writes MP4 with its index first).
	broken := filepath.Join(t.TempDir(), "ffmpeg")
	os.WriteFile(broken, []byte("#!/bin/sh\ncase \"$*\" in *faststart*) echo 'Invalid data found' >&2; exit 1;; esac\nexec ffmpeg \"$@\"\n"), 0o755)
	proc := imaging.New()
	proc.FFmpeg = broken
	f.w.HandleMedia(media.New(f.db, f.store, wmory.DefaultLimits, nil, slog.New(slog.NewTextHandler(io.Discard, nil))).Processor(proc), 1)
	m := f.addClip(t, videotest.VP9WebM)
	f.drain()
	got := f.media(t, m.ID)
	if got.Status != wmory.StatusReady || got.Playback != wmory.PlaybackFailed || got.PlaybackFailure != wmory.FailUndecodable {
		t.Fatalf("status %s, playback %s (%s); want ready, failed (undecodable)", got.Status, got.Playback, got.PlaybackFailure)
	}
	if n, _ := f.db.PendingJobs(ctx, sqldb.JobPlaybackRendition); n != 0 {
		t.Fatalf("%d rendition jobs left: a refusal is retried", n)
	}
	for _, k := range []string{got.ObjectKey, got.ThumbnailKey(), got.PreviewKey()} {
		if _, err := f.store.Stat(ctx, k); err != nil {
			t.Errorf("%s is gone: %v", k, err)
		}
	}
}

// Renditions run apart: a long one never holds photos up behind it, even
// with one shared runner.
func TestRenditionsDoNotHoldPhotosUp(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	f.w.Concurrency = 1
	started, release := make(chan struct{}), make(chan struct{})
	f.w.Handle(sqldb.JobPlaybackRendition, func(ctx context.Context, job *sqldb.Job) error {
		close(started)
		<-release
		return nil
	})
	process, processed := jobs.ProcessMediaForTest(f.w), make(chan string, 2)
	f.w.Handle(sqldb.JobProcessMedia, func(ctx context.Context, job *sqldb.Job) error {
		err := process(ctx, job)
		processed <- job.ID
		return err
	})
	video := f.addClip(t, videotest.H264Silent)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.w.Run(runCtx)
	}()
	defer func() { cancel(); <-done }()
	defer close(release)
	wait := func(what string, c <-chan struct{}) {
		select {
		case <-c:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s did not happen", what)
		}
	}
	wait("the rendition's start", started)
	<-processed // the video's poster, before its rendition
	photo := f.add(t, "a.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	f.w.Wake()
	photoDone := make(chan struct{})
	go func() { <-processed; close(photoDone) }()
	wait("the photo's processing, while the rendition runs", photoDone)
	if got := f.media(t, photo.ID); got.Status != wmory.StatusReady {
		t.Fatalf("the photo is %s", got.Status)
	}
	if got := f.media(t, video.ID); got.Playback != wmory.PlaybackPending {
		t.Fatalf("the video's playback is %s while its rendition runs", got.Playback)
	}
}

// A rendition that takes longer than a lease keeps its job: the lease is
// renewed while it runs, so no other worker starts it again.
func TestLongRenditionKeepsItsLease(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	var mu sync.Mutex
	now := time.Now()
	f.db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	later := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	f.w.Lease = time.Minute
	tick := make(chan time.Time)
	f.w.After = func(time.Duration) <-chan time.Time { return tick }
	running, release := make(chan struct{}), make(chan struct{})
	f.w.Handle(sqldb.JobPlaybackRendition, func(ctx context.Context, job *sqldb.Job) error {
		close(running)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	f.addClip(t, videotest.H264Silent)
	f.w.RunOne(ctx) // the poster; the rendition is queued
	done := make(chan bool)
	go func() { done <- f.w.RunOne(ctx) }()
	<-running
	for range 3 { // three leases long
		later(50 * time.Second)
		tick <- time.Time{} // the lease is renewed now…
		tick <- time.Time{} // …and the renewal is written once the next tick is taken
		if job, _ := f.db.ClaimJob(ctx, []sqldb.JobKind{sqldb.JobPlaybackRendition}, time.Minute); job != nil {
			t.Fatal("another worker took the rendition over while it ran")
		}
	}
	close(release)
	if !<-done {
		t.Fatal("no rendition ran")
	}
	if n, _ := f.db.PendingJobs(ctx, sqldb.JobPlaybackRendition); n != 0 {
		t.Fatalf("%d rendition jobs left after it was done", n)
	}
}

// storeThatRefusesPuts is the real store with its writes failing, as a store
// does while it is out.
type storeThatRefusesPuts struct{ blob.Store }

func (storeThatRefusesPuts) Put(context.Context, string, io.Reader, int64, string) error {
	return errors.New("store unavailable")
}

// A store that fails is retried with backoff, the rendition pending
// meanwhile; after the last attempt it fails as processing_failed.
func TestRenditionRetriesWhatCanPassLater(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	m := f.addClip(t, videotest.H264Silent)
	f.w.RunOne(ctx) // the poster, with the working store
	var mu sync.Mutex
	now := time.Now()
	f.db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	f.w.MaxAttempts = 2
	f.w.HandleMedia(media.New(f.db, storeThatRefusesPuts{f.store}, wmory.DefaultLimits, nil, slog.New(slog.NewTextHandler(io.Discard, nil))).Processor(imaging.New()), 1)
	f.drain()
	if got := f.media(t, m.ID); got.Playback != wmory.PlaybackPending {
		t.Fatalf("after a failed attempt the playback is %s; want pending", got.Playback)
	}
	if n, _ := f.db.PendingJobs(ctx, sqldb.JobPlaybackRendition); n != 1 {
		t.Fatalf("%d rendition jobs; want 1, waiting for its retry", n)
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	f.drain()
	if got := f.media(t, m.ID); got.Playback != wmory.PlaybackFailed || got.PlaybackFailure != wmory.FailProcessing || got.Status != wmory.StatusReady {
		t.Fatalf("after the last attempt: playback %s (%s), status %s", got.Playback, got.PlaybackFailure, got.Status)
	}
}
