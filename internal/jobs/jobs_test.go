package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/local"
	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/jobs"
	"github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/media"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

var ctx = context.Background()

type fixture struct {
	db    *sqldb.DB
	store blob.Store
	actor wmory.Actor
	gid   string
	w     *jobs.Worker
}

func newFixture(t *testing.T, e sqldbtest.Engine) *fixture {
	db := sqldbtest.Open(t, e)
	dir := t.TempDir()
	base, _ := url.Parse("http://localhost")
	store, err := local.Open(filepath.Join(dir, "blobs"), filepath.Join(dir, "key"), base)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := db.Register(ctx, wmory.Actor{}, sqldb.Registration{Email: "a@example.com", Name: "A", PasswordHash: "x"}, mail.Letters{Base: base})
	u, err := db.VerifyEmail(ctx, wmory.Actor{}, res.VerifyToken)
	if err != nil {
		t.Fatal(err)
	}
	actor := wmory.Actor{UserID: u.ID}
	g, _ := db.CreateGroup(ctx, actor, "G")
	w := jobs.New(db, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.HandleMedia(media.New(db, store, wmory.DefaultLimits, nil, slog.New(slog.NewTextHandler(io.Discard, nil))).Processor(imaging.New()), 1)
	return &fixture{db: db, store: store, actor: actor, gid: g.ID, w: w}
}

// add stores a file as a completed upload and returns its media.
func (f *fixture) add(t *testing.T, name, contentType string, data []byte) *wmory.Media {
	t.Helper()
	id := wmory.NewID(time.Now())
	u := &wmory.Upload{ID: id, GroupID: f.gid, ObjectKey: "o/" + f.gid + "/" + id, Filename: name, ContentType: contentType, Size: int64(len(data))}
	if err := f.db.AuthorizeUpload(ctx, f.actor, u, wmory.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Put(ctx, u.ObjectKey, bytes.NewReader(data), u.Size, contentType); err != nil {
		t.Fatal(err)
	}
	info, _ := f.store.Stat(ctx, u.ObjectKey)
	m, err := f.db.CompleteUpload(ctx, f.actor, id, sqldb.Stored{ETag: info.ETag, At: info.Modified}, wmory.PlaybackPending)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) drain() {
	for f.w.RunOne(ctx) {
	}
}

func (f *fixture) media(t *testing.T, id string) *wmory.Media {
	t.Helper()
	m, err := f.db.Media(ctx, f.actor, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func testfile(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "imaging", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestProcessing(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		heic := f.add(t, "IMG_0001.HEIC", "image/heic", testfile(t, "iphone7-gps.heic"))
		jpg := f.add(t, "camera.jpg", "image/jpeg", testfile(t, "camera.jpg"))
		broken := f.add(t, "broken.jpg", "image/jpeg", testfile(t, "camera.jpg")[:3000])
		f.drain()
		for _, m := range []*wmory.Media{heic, jpg} {
			got := f.media(t, m.ID)
			if got.Status != wmory.StatusReady || got.Width == nil || *got.Width == 0 {
				t.Fatalf("%s: %+v", m.Filename, got)
			}
			for _, k := range []string{got.ThumbnailKey(), got.PreviewKey()} {
				if _, err := f.store.Stat(ctx, k); err != nil {
					t.Errorf("%s: %s missing: %v", m.Filename, k, err)
				}
			}
		}
		if got := f.media(t, heic.ID); got.TakenAt.Format(time.RFC3339) != "2017-10-19T15:19:37Z" || *got.Width != 4032 {
			t.Errorf("heic: taken %v, width %d", got.TakenAt, *got.Width)
		}
		if got := f.media(t, broken.ID); got.Status != wmory.StatusFailed {
			t.Errorf("a truncated JPEG ended %q; want failed", got.Status)
		}
		if n, _ := f.db.PendingJobs(ctx, sqldb.JobProcessMedia); n != 0 {
			t.Errorf("%d processing jobs left", n)
		}
	})
}

// The same job delivered twice, at once, has one effect.
func TestDuplicateDeliveryIsHarmless(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	m := f.add(t, "a.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	payload := []byte(`{"media_id":"` + m.ID + `"}`)
	var wg sync.WaitGroup
	h := jobs.ProcessMediaForTest(f.w)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = h(ctx, &sqldb.Job{Kind: sqldb.JobProcessMedia, Payload: payload, Attempts: 1})
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if got := f.media(t, m.ID); got.Status != wmory.StatusReady {
		t.Fatalf("status %s", got.Status)
	}
}

// Media deleted while queued: the job does nothing and leaves nothing.
func TestDeletedBeforeProcessing(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	m := f.add(t, "a.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	if err := f.db.PurgeMedia(ctx, f.actor, m.ID); err != nil {
		t.Fatal(err)
	}
	f.drain()
	for _, k := range []string{m.ObjectKey, m.ThumbnailKey(), m.PreviewKey()} {
		if _, err := f.store.Stat(ctx, k); err == nil {
			t.Errorf("%s survived", k)
		}
	}
}

// Bytes replaced after completion (a reused upload URL) are not processed.
func TestReplacedOriginalFails(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	m := f.add(t, "a.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	other := testfile(t, "alpha.png")
	before, _ := f.store.Stat(ctx, m.ObjectKey)
	f.store.Delete(ctx, m.ObjectKey)
	f.store.Put(ctx, m.ObjectKey, bytes.NewReader(other), int64(len(other)), "image/png")
	if after, _ := f.store.Stat(ctx, m.ObjectKey); after.ETag == before.ETag {
		t.Fatal("the replaced object has the same ETag; the test proves nothing")
	}
	f.drain()
	if got := f.media(t, m.ID); got.Status != wmory.StatusFailed {
		t.Fatalf("status %s; want failed", got.Status)
	}
}

// A job whose handler keeps failing is retried with backoff, then given up.
func TestRetriesThenGivesUp(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	m := f.add(t, "a.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	now := time.Now()
	f.db.Now = func() time.Time { return now }
	calls := 0
	f.w.Handle(sqldb.JobProcessMedia, func(ctx context.Context, job *sqldb.Job) error {
		calls++
		return io.ErrUnexpectedEOF
	})
	f.w.MaxAttempts = 3
	for i := 0; i < 10; i++ {
		f.w.RunOne(ctx)
		now = now.Add(time.Hour) // past any backoff
	}
	if calls != 3 {
		t.Fatalf("handler ran %d times; want 3", calls)
	}
	if n, _ := f.db.PendingJobs(ctx, sqldb.JobProcessMedia); n != 0 {
		t.Fatalf("%d jobs left after giving up", n)
	}
	_ = m
}

// A worker that dies leaves its lease to expire; another worker then runs the job.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	f.add(t, "a.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	job, err := f.db.ClaimJob(ctx, []sqldb.JobKind{sqldb.JobProcessMedia}, time.Minute)
	if err != nil || job == nil {
		t.Fatal(job, err)
	}
	if again, _ := f.db.ClaimJob(ctx, []sqldb.JobKind{sqldb.JobProcessMedia}, time.Minute); again != nil {
		t.Fatal("a leased job was claimed twice")
	}
	now := time.Now().Add(2 * time.Minute)
	f.db.Now = func() time.Time { return now }
	again, _ := f.db.ClaimJob(ctx, []sqldb.JobKind{sqldb.JobProcessMedia}, time.Minute)
	if again == nil || again.ID != job.ID || again.Attempts != 2 {
		t.Fatalf("after the lease expired: %+v", again)
	}
}

func TestAuditRetention(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	before, _ := f.db.AuditEntries(ctx)
	if len(before) == 0 {
		t.Fatal("no audit entries to prune")
	}
	f.w.AuditRetention = 24 * time.Hour
	f.w.Cleanup(ctx) // everything is recent: nothing goes
	if kept, _ := f.db.AuditEntries(ctx); len(kept) != len(before) {
		t.Fatalf("recent entries pruned: %d of %d left", len(kept), len(before))
	}
	later := time.Now().Add(25 * time.Hour)
	f.db.Now = func() time.Time { return later }
	f.db.Audit(ctx, wmory.Actor{}, "", "recent_event", "user", "x", nil)
	f.w.Cleanup(ctx)
	left, _ := f.db.AuditEntries(ctx)
	if len(left) != 1 || left[0].Action != "recent_event" {
		t.Fatalf("after pruning: %+v", left)
	}
}

// Periodic clean-up runs in one process at a time: a second worker waits for
// the first one's lease to run out.
func TestCleanupLease(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		now := time.Now()
		f.db.Now = func() time.Time { return now }
		a, err := f.db.TryLease(ctx, "cleanup", "a", time.Minute)
		if err != nil || !a {
			t.Fatalf("first lease: %v %v", a, err)
		}
		if b, _ := f.db.TryLease(ctx, "cleanup", "b", time.Minute); b {
			t.Fatal("a second holder took a running lease")
		}
		if a, _ := f.db.TryLease(ctx, "cleanup", "a", time.Minute); !a {
			t.Fatal("the holder could not renew its lease")
		}
		now = now.Add(2 * time.Minute)
		if b, _ := f.db.TryLease(ctx, "cleanup", "b", time.Minute); !b {
			t.Fatal("an expired lease was not taken over")
		}
	})
}

// A worker that runs dry after work says so once (serve hands memory back then),
// and not again while it stays idle.
func TestOnIdleAfterWork(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	// Each tick the test sends is taken only by a worker waiting between
	// polls: when a send returns, the poll before it is over.
	tick := make(chan time.Time)
	f.w.Concurrency, f.w.After = 1, func(time.Duration) <-chan time.Time { return tick }
	idle := make(chan string, 10)
	m := f.add(t, "camera.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	f.w.OnIdle = func() { idle <- f.media(t, m.ID).Status }
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.w.Run(runCtx)
	}()
	select {
	case status := <-idle:
		if status != wmory.StatusReady {
			t.Errorf("idle before the work was done: %s", status)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("OnIdle was not called after the queue ran dry")
	}
	// Ten more empty polls, each over when the worker takes the next tick.
	for range 11 {
		tick <- time.Now()
	}
	cancel()
	<-done
	if len(idle) != 0 {
		t.Errorf("OnIdle called %d more times while idle", len(idle))
	}
}

// A photo that runs past its deadline is stopped and fails for good with the
// reason timeout: one attempt, no retry storm, and nothing but the code in
// the audit log.
func TestTimeoutIsFinal(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	proc := imaging.New()
	proc.Helper = []string{"sh", "-c", "sleep 30"} // a decoder that hangs
	proc.PhotoTimeout = 100 * time.Millisecond
	f.w.HandleMedia(media.New(f.db, f.store, wmory.DefaultLimits, nil, slog.New(slog.NewTextHandler(io.Discard, nil))).Processor(proc), 1)
	m := f.add(t, "slow.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	if !f.w.RunOne(ctx) {
		t.Fatal("no job ran")
	}
	if n, _ := f.db.PendingJobs(ctx, sqldb.JobProcessMedia); n != 0 {
		t.Fatalf("%d processing jobs left: a timeout is retried", n)
	}
	got := f.media(t, m.ID)
	if got.Status != wmory.StatusFailed || got.FailureReason != wmory.FailTimeout {
		t.Fatalf("status %s, reason %q; want failed, timeout", got.Status, got.FailureReason)
	}
	entries, _ := f.db.AuditEntries(ctx)
	for _, e := range entries {
		if e.Action == wmory.AuditMediaFailed && fmt.Sprint(e.Details) != "map[reason:timeout]" {
			t.Fatalf("audit details %v; want only the reason code", e.Details)
		}
	}
}

// A file that is not what it claimed is withdrawn: failed with its reason, its
// original deleted and its quota given back; the audit log has the code only.
func TestUndecodableOriginalsAreWithdrawn(t *testing.T) {
	f := newFixture(t, sqldbtest.Engines(t)[0])
	bad := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte("<script>alert(1)</script>"), 100)...)
	m := f.add(t, "x.html", "image/jpeg", bad)
	f.drain()
	got := f.media(t, m.ID)
	if got.Status != wmory.StatusFailed || got.FailureReason != wmory.FailUndecodable {
		t.Fatalf("status %s, reason %q", got.Status, got.FailureReason)
	}
	if _, err := f.store.Stat(ctx, m.ObjectKey); err == nil {
		t.Fatal("the undecodable original is still stored")
	}
	if bytes, files, _ := f.db.QuotaUsed(ctx, f.actor.UserID); bytes != 0 || files != 0 {
		t.Fatalf("quota used %d bytes, %d files; want it given back", bytes, files)
	}
	entries, _ := f.db.AuditEntries(ctx)
	found := false
	for _, e := range entries {
		if e.Action == wmory.AuditMediaFailed {
			found = true
			if e.Details["reason"] != "undecodable" || strings.Contains(fmt.Sprint(e.Details), "vips") {
				t.Fatalf("audit details %v", e.Details)
			}
		}
	}
	if !found {
		t.Fatal("no audit entry for the failure")
	}
}

// The door that saw an original arrive runs its item's job itself, once:
// only that job, only while no worker holds it, and a second call finds
// nothing left.
func TestRunJobAbout(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		a := f.add(t, "a.jpg", "image/jpeg", testfile(t, "camera.jpg"))
		b := f.add(t, "b.jpg", "image/jpeg", testfile(t, "camera.jpg"))
		if err := f.w.RunJobAbout(ctx, sqldb.JobProcessMedia, a.ObjectKey); err != nil {
			t.Fatal(err)
		}
		if got := f.media(t, a.ID).Status; got != wmory.StatusReady {
			t.Fatalf("a is %s after its job ran", got)
		}
		if got := f.media(t, b.ID).Status; got != wmory.StatusProcessing {
			t.Fatalf("b is %s: another item's job ran", got)
		}
		if n, _ := f.db.PendingJobs(ctx, sqldb.JobProcessMedia); n != 1 {
			t.Fatalf("%d processing jobs left; want b's", n)
		}
		if err := f.w.RunJobAbout(ctx, sqldb.JobProcessMedia, a.ObjectKey); err != nil {
			t.Fatalf("a second run: %v", err)
		}
		// A job a worker holds is left to it.
		held, err := f.db.ClaimJob(ctx, []sqldb.JobKind{sqldb.JobProcessMedia}, time.Minute)
		if err != nil || held == nil {
			t.Fatalf("claim = %v, %v", held, err)
		}
		if err := f.w.RunJobAbout(ctx, sqldb.JobProcessMedia, b.ObjectKey); err != nil {
			t.Fatal(err)
		}
		if got := f.media(t, b.ID).Status; got != wmory.StatusProcessing {
			t.Fatalf("b is %s: its job ran under another's lease", got)
		}
	})
}
