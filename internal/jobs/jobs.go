// Package jobs runs wmory's durable background work: it claims jobs from the
// database queue with a lease, runs their handler, and retries failures with
// capped exponential backoff. Handlers must be idempotent: a job whose worker
// dies runs again when its lease expires.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/metrics"
	"github.com/wmory/wmory/internal/sqldb"
)

// Handler does one job.
type Handler func(ctx context.Context, job *sqldb.Job) error

// Worker runs jobs and the periodic clean-up.
type Worker struct {
	id          string // names this worker in leases
	db          *sqldb.DB
	log         *slog.Logger
	handlers    map[sqldb.JobKind]Handler
	Concurrency int
	Lease       time.Duration
	Poll        time.Duration
	MaxAttempts int
	// CleanupEvery is how often expired pending uploads are ended (and old
	// audit entries pruned).
	CleanupEvery time.Duration
	// AuditRetention prunes audit entries older than this; 0 keeps them forever.
	AuditRetention time.Duration
	// SweepArrivals, when set, completes the pending uploads whose bytes are
	// in the store though nobody said so, before they would expire.
	SweepArrivals func(ctx context.Context, limit int) (int, error)
	// ReconcileEvery is how often the store's upload prefix is compared with
	// the database, across all processes.
	ReconcileEvery time.Duration
	store          blob.Store
	// Metrics, when set, counts jobs and processing times.
	Metrics *metrics.Metrics
	// OnIdle, when set, runs when the queue runs dry after work: the moment to
	// give memory held since the burst back to the system.
	OnIdle func()
	// After is the timer of the idle wait between polls (time.After); tests
	// replace it to decide when the worker polls again.
	After func(time.Duration) <-chan time.Time
	wake  chan struct{}
	apart map[sqldb.JobKind]int // kinds with runners of their own, and how many
	// sendDigests, set with the mail flow, queues the daily digests due.
	sendDigests func(ctx context.Context, limit int) (int, error)
}

// Wake tells an idle worker that a job was queued, so that it does not wait
// for its next poll.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// New returns a worker with the handlers that need only storage.
func New(db *sqldb.DB, store blob.Store, log *slog.Logger) *Worker {
	w := &Worker{id: wmory.NewID(db.Now()), db: db, log: log, handlers: map[sqldb.JobKind]Handler{}, Concurrency: 2, Lease: 5 * time.Minute,
		Poll: time.Second, MaxAttempts: 10, CleanupEvery: time.Minute, ReconcileEvery: time.Hour, store: store,
		After: time.After, wake: make(chan struct{}, 1), apart: map[sqldb.JobKind]int{}}
	w.Handle(sqldb.JobDeleteObjects, deleteObjects(store))
	w.Handle(sqldb.JobAbortMultipart, abortMultipart(store))
	return w
}

// Handle registers the handler of a job kind.
func (w *Worker) Handle(kind sqldb.JobKind, h Handler) { w.handlers[kind] = h }

// Apart runs a kind of job on runners of its own, at most runners at once in
// this process (0: none here, for another process to run), so that a long
// kind (video renditions) never holds the others up behind it. Such a job is
// not bound by one lease: its lease is renewed while it runs, and its handler
// sets its own deadline.
func (w *Worker) Apart(kind sqldb.JobKind, runners int) { w.apart[kind] = runners }

// kinds are the kinds of job the shared runners take: all but those apart.
func (w *Worker) kinds() []sqldb.JobKind {
	var out []sqldb.JobKind
	for k := range w.handlers {
		if _, ok := w.apart[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// Run works until ctx ends; a job in progress then finishes or is released.
func (w *Worker) Run(ctx context.Context) {
	var wg sync.WaitGroup
	runners := func(n int, kinds []sqldb.JobKind) {
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.runUntilDone(ctx, kinds)
			}()
		}
	}
	runners(w.Concurrency, w.kinds())
	for kind, n := range w.apart {
		if w.handlers[kind] != nil {
			runners(n, []sqldb.JobKind{kind})
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(w.CleanupEvery)
		defer t.Stop()
		for {
			w.Cleanup(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	wg.Wait()
}

// Cleanup ends expired pending uploads, purges the trash past its days,
// prunes the audit log past its retention and sends the daily digests due. Only the process that holds the
// cleanup lease does it.
func (w *Worker) Cleanup(ctx context.Context) {
	held, err := w.db.TryLease(ctx, "cleanup", w.id, 2*w.CleanupEvery)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Error("cleanup lease", "err", err)
		}
		return
	}
	if !held {
		return
	}
	if err := w.db.PruneCounters(ctx); err != nil {
		w.log.Error("prune mail log and throttle counts", "err", err)
	}
	if w.AuditRetention > 0 {
		n, err := w.db.PruneAudit(ctx, w.db.Now().Add(-w.AuditRetention))
		if err != nil {
			w.log.Error("prune audit log", "err", err)
		} else if n > 0 {
			w.log.Info("pruned audit entries", "count", n)
		}
	}
	if w.SweepArrivals != nil {
		if n, err := w.SweepArrivals(ctx, 100); err != nil {
			w.log.Error("complete arrived uploads", "err", err)
		} else if n > 0 {
			w.log.Info("completed uploads whose bytes arrived", "count", n)
		}
	}
	for w.sendDigests != nil && ctx.Err() == nil {
		n, err := w.sendDigests(ctx, 100)
		if err != nil {
			w.log.Error("daily digests", "err", err)
			break
		}
		if n < 100 {
			break
		}
	}
	for ctx.Err() == nil {
		n, err := w.db.PurgeTrash(ctx, 100)
		if err != nil {
			w.log.Error("purge the trash", "err", err)
			break
		}
		if n > 0 {
			w.log.Info("purged items whose days in the trash were over", "count", n)
		}
		if n < 100 {
			break
		}
	}
	for ctx.Err() == nil {
		n, err := w.db.ExpireUploads(ctx, 100)
		if err != nil {
			w.log.Error("expire uploads", "err", err)
			return
		}
		if n > 0 {
			w.log.Info("expired pending uploads", "count", n)
		}
		if n < 100 {
			break
		}
	}
	// A fresh holder takes this lease only once the last run's has run out:
	// one reconciliation per period, whichever process does it.
	if due, err := w.db.TryLease(ctx, "reconcile", wmory.NewID(w.db.Now()), w.ReconcileEvery); err != nil {
		w.log.Error("reconcile lease", "err", err)
	} else if due {
		if n, err := w.Reconcile(ctx); err != nil {
			w.log.Error("reconcile store", "err", err, "deleted", n)
		} else if n > 0 {
			w.log.Warn("deleted orphan objects", "count", n)
		}
	}
}

// Reconcile deletes every object under the upload prefix that belongs to no
// pending upload and no media item, once it is older than any upload URL can
// be: bytes a reused URL stored after its upload ended, objects a crash left
// between a delete and its job. It returns how many it deleted.
func (w *Worker) Reconcile(ctx context.Context) (int, error) {
	cutoff := w.db.Now().Add(-wmory.UploadTTL - time.Minute)
	deleted := 0
	var batch []string
	flush := func() error {
		live, err := w.db.LiveObjects(ctx, batch)
		if err != nil {
			return err
		}
		for _, k := range batch {
			if live[k] {
				continue
			}
			if err := w.store.Delete(ctx, k); err != nil {
				return err
			}
			deleted++
		}
		batch = batch[:0]
		return nil
	}
	err := w.store.List(ctx, wmory.UploadPrefix, func(o blob.Object) error {
		if o.Modified.After(cutoff) {
			return nil // may belong to an upload that is being authorized now
		}
		batch = append(batch, o.Key)
		if len(batch) == 500 {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return deleted, err
	}
	aborted, err := w.reconcileMultiparts(ctx)
	return deleted + aborted, err
}

// reconcileMultiparts aborts the store's multipart uploads under the upload
// prefix that belong to no pending upload, once no authorization can be
// recording them any more: the parts of uploads whose abort was lost, and of
// authorizations that failed after the store began them.
func (w *Worker) reconcileMultiparts(ctx context.Context) (int, error) {
	cutoff := w.db.Now().Add(-time.Minute)
	var found []blob.Multipart
	err := w.store.ListMultiparts(ctx, wmory.UploadPrefix, func(m blob.Multipart) error {
		if m.Initiated.Before(cutoff) {
			found = append(found, m)
		}
		return nil
	})
	if err != nil || len(found) == 0 {
		return 0, err
	}
	ids := make([]string, len(found))
	for i, m := range found {
		ids[i] = m.UploadID
	}
	live, err := w.db.LiveMultiparts(ctx, ids)
	if err != nil {
		return 0, err
	}
	aborted := 0
	for _, m := range found {
		if live[m.UploadID] {
			continue
		}
		if err := w.store.AbortMultipart(ctx, m.Key, m.UploadID); err != nil {
			return aborted, err
		}
		aborted++
	}
	return aborted, nil
}

// runUntilDone is one runner: it runs jobs of the kinds while there are any,
// and waits for a wake-up or its next poll when there are none.
func (w *Worker) runUntilDone(ctx context.Context, kinds []sqldb.JobKind) {
	ran := false
	for ctx.Err() == nil {
		if w.runNext(ctx, kinds) {
			ran = true
			continue
		}
		if ran && w.OnIdle != nil {
			w.OnIdle()
			ran = false
		}
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-w.After(w.Poll):
		}
	}
}

// RunOne claims and runs one due job of any kind this worker handles; it
// reports whether there was one.
func (w *Worker) RunOne(ctx context.Context) bool {
	var all []sqldb.JobKind
	for k := range w.handlers {
		all = append(all, k)
	}
	return w.runNext(ctx, all)
}

func (w *Worker) runNext(ctx context.Context, kinds []sqldb.JobKind) bool {
	if len(kinds) == 0 {
		return false
	}
	job, err := w.db.ClaimJob(ctx, kinds, w.Lease)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Error("claim job", "err", err)
		}
		return false
	}
	if job == nil {
		return false
	}
	// One wake-up may stand for several jobs written at once: pass it on, so
	// that an idle peer looks for the next instead of waiting for its poll.
	w.Wake()
	// A job in progress finishes when the worker is asked to stop.
	w.run(context.WithoutCancel(ctx), job)
	return true
}

// RunJobAbout runs the job of a kind about a subject now, in this process,
// unless another holds it or there is none (then it returns nil at once): a
// door that saw the cause of a job need not wait for a worker, and a worker
// and that door never both run it. The error is the job's when it failed and
// will be retried; a job done, or given up on, is nil.
func (w *Worker) RunJobAbout(ctx context.Context, kind sqldb.JobKind, subject string) error {
	job, err := w.db.ClaimJobAbout(ctx, kind, subject, w.Lease)
	if err != nil || job == nil {
		return err
	}
	if err := w.run(ctx, job); err != nil && job.Attempts < w.MaxAttempts {
		return err
	}
	return nil
}

// run runs a claimed job within its lease and records the outcome; it
// returns the handler's error.
func (w *Worker) run(ctx context.Context, job *sqldb.Job) error {
	var jctx context.Context
	var cancel context.CancelFunc
	if _, apart := w.apart[job.Kind]; apart {
		jctx, cancel = w.renewing(ctx, job)
	} else {
		// The handler gets the lease minus a margin, so it stops before another
		// worker may take the job over.
		jctx, cancel = context.WithTimeout(ctx, w.Lease*9/10)
	}
	jobErr := w.safely(jctx, job)
	cancel()
	done := context.WithoutCancel(ctx)
	outcome := "done"
	var err error
	switch {
	case jobErr == nil:
		err = w.db.FinishJob(done, job.ID)
	case job.Attempts >= w.MaxAttempts:
		outcome = "failed"
		w.log.Error("job failed for good", "job", job.ID, "kind", job.Kind, "attempts", job.Attempts, "err", jobErr)
		err = w.db.FinishJob(done, job.ID)
	default:
		outcome = "retried"
		w.log.Warn("job failed; will retry", "job", job.ID, "kind", job.Kind, "attempts", job.Attempts, "err", jobErr)
		err = w.db.RetryJob(done, job.ID, Backoff(job.Attempts), jobErr)
	}
	if w.Metrics != nil {
		w.Metrics.Jobs.WithLabelValues(string(job.Kind), outcome).Inc()
	}
	if err != nil {
		w.log.Error("record job outcome", "job", job.ID, "err", err)
	}
	return jobErr
}

// renewing returns the context of a job that runs apart: its lease is renewed
// every third of a lease while the job runs, and the context ends when the
// claim is lost (another worker then has the job) or cannot be renewed in time.
// The returned stop ends the renewals, and returns once they have ended.
func (w *Worker) renewing(ctx context.Context, job *sqldb.Job) (context.Context, context.CancelFunc) {
	jctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	lastHeld := w.db.Now()
	go func() {
		defer close(done)
		for {
			select {
			case <-jctx.Done():
				return
			case <-w.After(w.Lease / 3):
			}
			held, err := w.db.RenewJob(jctx, job, w.Lease)
			switch {
			case err == nil && held:
				lastHeld = w.db.Now()
			case err == nil || w.db.Now().Sub(lastHeld) > w.Lease*9/10:
				w.log.Warn("job lease lost; stopping it", "job", job.ID, "kind", job.Kind, "err", err)
				cancel()
				return
			}
		}
	}()
	return jctx, func() { cancel(); <-done }
}

// safely runs a handler, turning a panic into an error: hostile input must not
// take the worker down.
func (w *Worker) safely(ctx context.Context, job *sqldb.Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return w.handlers[job.Kind](ctx, job)
}

// Backoff is full-jitter exponential: base 2 s, capped at 10 minutes.
func Backoff(attempt int) time.Duration {
	d := 2 * time.Second << min(attempt, 9)
	d = min(d, 10*time.Minute)
	return d/2 + rand.N(d/2)
}

func abortMultipart(store blob.Store) Handler {
	return func(ctx context.Context, job *sqldb.Job) error {
		var p sqldb.AbortMultipartPayload
		if err := json.Unmarshal(job.Payload, &p); err != nil {
			return err
		}
		return store.AbortMultipart(ctx, p.Key, p.UploadID)
	}
}

func deleteObjects(store blob.Store) Handler {
	return func(ctx context.Context, job *sqldb.Job) error {
		var p sqldb.DeleteObjectsPayload
		if err := json.Unmarshal(job.Payload, &p); err != nil {
			return err
		}
		var errs []error
		for _, k := range p.Keys {
			if err := store.Delete(ctx, k); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", k, err))
			}
		}
		return errors.Join(errs...)
	}
}
