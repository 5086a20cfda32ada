package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/wmory/wmory"
)

// Job is one unit of durable background work.
type Job struct {
	ID       string
	Kind     JobKind
	Payload  []byte
	Attempts int
}

// JobKind names what a job does; a worker handles the kinds it registered.
type JobKind string

// Job kinds.
const (
	JobDeleteObjects JobKind = "delete_objects"
	JobProcessMedia  JobKind = "process_media"
	// JobPlaybackRendition makes a video's playback rendition, queued when
	// its poster and previews are done: long, so it runs apart.
	JobPlaybackRendition JobKind = "playback_rendition"
	// JobAbortMultipart removes the parts of a resumable upload that ended.
	JobAbortMultipart JobKind = "abort_multipart"
)

// AbortMultipartPayload names a multipart upload to abort in the store.
type AbortMultipartPayload struct {
	Key      string `json:"key"`
	UploadID string `json:"upload_id"`
}

// ProcessMediaPayload names the item to process; the job's subject is its
// original's object key.
type ProcessMediaPayload struct {
	MediaID string `json:"media_id"`
}

// RenditionPayload names the video whose rendition to make, with what
// processing learned of its streams (opaque here: the media lifecycle wrote
// it and reads it), so that they are not probed twice.
type RenditionPayload struct {
	MediaID string          `json:"media_id"`
	Source  json.RawMessage `json:"source,omitempty"`
}

// DeleteObjectsPayload lists object keys to delete.
type DeleteObjectsPayload struct {
	Keys []string `json:"keys"`
}

// enqueue writes a job in the caller's transaction: the change and the work it
// implies are committed together or not at all.
func (tx *Tx) enqueue(ctx context.Context, kind JobKind, payload any) error {
	return tx.enqueueAt(ctx, kind, payload, tx.now)
}

// enqueueAbout writes a job that ClaimJobAbout can find by its subject.
func (tx *Tx) enqueueAbout(ctx context.Context, kind JobKind, subject string, payload any) error {
	return tx.insertJob(ctx, kind, subject, payload, tx.now)
}

// enqueueAt writes a job that is not due before runAt.
func (tx *Tx) enqueueAt(ctx context.Context, kind JobKind, payload any, runAt time.Time) error {
	return tx.insertJob(ctx, kind, "", payload, runAt)
}

func (tx *Tx) insertJob(ctx context.Context, kind JobKind, subject string, payload any, runAt time.Time) error {
	js, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO jobs (id, kind, subject, payload, attempts, run_at, locked_until, last_error, created_at) VALUES (?, ?, ?, ?, 0, ?, 0, '', ?)`,
		wmory.NewID(tx.now), kind, subject, string(js), ms(runAt), ms(tx.now))
	tx.enqueued = tx.enqueued || (err == nil && !runAt.After(tx.now))
	return err
}

// enqueueDeletes queues the deletion of objects, in batches.
func (tx *Tx) enqueueDeletes(ctx context.Context, keys []string) error {
	return tx.enqueueDeletesAt(ctx, keys, tx.now)
}

func (tx *Tx) enqueueDeletesAt(ctx context.Context, keys []string, at time.Time) error {
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := tx.enqueueAt(ctx, JobDeleteObjects, DeleteObjectsPayload{Keys: keys[:n]}, at); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// deleteUploadedObject queues the deletion of an original now and, while an
// upload URL signed for it may still store bytes (S3 cannot be told that the
// upload ended), once more after that URL is dead.
// Both jobs are about the key, so that the door that saw the bytes arrive can
// run the first itself.
func (tx *Tx) deleteUploadedObject(ctx context.Context, key string, uploadCreated time.Time) error {
	payload := DeleteObjectsPayload{Keys: []string{key}}
	if err := tx.insertJob(ctx, JobDeleteObjects, key, payload, tx.now); err != nil {
		return err
	}
	if deadline := wmory.UploadURLDeadline(uploadCreated); deadline.After(tx.now) {
		return tx.insertJob(ctx, JobDeleteObjects, key, payload, deadline)
	}
	return nil
}

// abortMultipart queues the abort of a resumable upload's multipart upload
// now and again once every part URL signed for it is dead: a part that was
// arriving during the first abort may still have been stored.
func (tx *Tx) abortMultipart(ctx context.Context, u *wmory.Upload) error {
	payload := AbortMultipartPayload{Key: u.ObjectKey, UploadID: u.MultipartID}
	if err := tx.insertJob(ctx, JobAbortMultipart, u.ObjectKey, payload, tx.now); err != nil {
		return err
	}
	return tx.insertJob(ctx, JobAbortMultipart, u.ObjectKey, payload, tx.now.Add(wmory.PartURLTTL+time.Minute))
}

// skipLocked lets concurrent claimers pass rows another one holds.
func (tx *Tx) skipLocked() string {
	if tx.db.dialect == SQLite {
		return ""
	}
	return " FOR UPDATE SKIP LOCKED"
}

// ClaimJob leases the oldest due job of the given kinds, or returns nil. A
// worker that dies leaves the lease to expire, and the job runs again.
func (db *DB) ClaimJob(ctx context.Context, kinds []JobKind, lease time.Duration) (*Job, error) {
	return db.claim(ctx, lease, func(now int64) (string, []any) {
		var args []any
		for _, k := range kinds {
			args = append(args, k)
		}
		return `kind IN (?` + strings.Repeat(", ?", len(kinds)-1) + `) AND run_at <= ?`, append(args, now)
	})
}

// ClaimJobAbout leases the due job of a kind about a subject (an item's
// job, by its original's key) if no one holds it: the door that saw its
// cause runs it now. It returns nil when there is none, or another process
// holds it.
func (db *DB) ClaimJobAbout(ctx context.Context, kind JobKind, subject string, lease time.Duration) (*Job, error) {
	return db.claim(ctx, lease, func(now int64) (string, []any) {
		return `kind = ? AND subject = ? AND run_at <= ?`, []any{kind, subject, now}
	})
}

// claim leases the first job, by due time, that the condition picks among
// those no one holds; the condition is given the transaction's time.
func (db *DB) claim(ctx context.Context, lease time.Duration, pick func(now int64) (string, []any)) (*Job, error) {
	var job *Job
	err := db.inTx(ctx, func(tx *Tx) error {
		job = nil
		where, params := pick(ms(tx.now))
		params = append(params, ms(tx.now))
		var j Job
		var payload string
		err := tx.queryRow(ctx, `SELECT id, kind, payload, attempts FROM jobs
			WHERE `+where+` AND locked_until <= ?
			ORDER BY run_at LIMIT 1`+tx.skipLocked(), params...).Scan(&j.ID, &j.Kind, &payload, &j.Attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE jobs SET locked_until = ?, attempts = attempts + 1 WHERE id = ?`, ms(tx.now.Add(lease)), j.ID); err != nil {
			return err
		}
		j.Payload, j.Attempts = []byte(payload), j.Attempts+1
		job = &j
		return nil
	})
	return job, err
}

// FinishJob removes a job that is done (or given up on).
func (db *DB) FinishJob(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM jobs WHERE id = ?`, id)
		return err
	})
}

// RenewJob extends the lease of a job that is still running, for work that
// takes longer than one lease. It reports false when the claim is no longer
// the caller's (the job was finished, or another worker took it over): the
// claim is known by its attempt, which every claim counts up.
func (db *DB) RenewJob(ctx context.Context, job *Job, lease time.Duration) (bool, error) {
	var held bool
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE jobs SET locked_until = ? WHERE id = ? AND attempts = ? AND locked_until > ?`,
			ms(tx.now.Add(lease)), job.ID, job.Attempts, ms(tx.now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		held = n == 1
		return err
	})
	return held, err
}

// RetryJob releases a job to run again after backoff.
func (db *DB) RetryJob(ctx context.Context, id string, backoff time.Duration, cause error) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE jobs SET run_at = ?, locked_until = 0, last_error = ? WHERE id = ?`,
			ms(tx.now.Add(backoff)), truncate(cause.Error(), 1000), id)
		return err
	})
}

// PendingJobs counts jobs of a kind (tests and metrics).
func (db *DB) PendingJobs(ctx context.Context, kind JobKind) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM jobs WHERE kind = ?`), kind).Scan(&n)
	return n, db.domainError(err)
}

// QueueStats reports the queue for metrics: due jobs waiting, jobs under a
// lease, and how long the oldest due job has waited. Jobs not due yet (a
// batch's e-mail, a retry after its backoff) are no backlog: not counted.
func (db *DB) QueueStats(ctx context.Context) (queued, running int, oldest time.Duration, err error) {
	now := ms(db.Now())
	var minRun sql.NullInt64
	err = db.sql.QueryRowContext(ctx, db.rebind(`SELECT
		COALESCE(SUM(CASE WHEN locked_until <= ? AND run_at <= ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN locked_until > ? THEN 1 ELSE 0 END), 0),
		MIN(CASE WHEN locked_until <= ? AND run_at <= ? THEN run_at END) FROM jobs`), now, now, now, now, now).Scan(&queued, &running, &minRun)
	if minRun.Valid {
		oldest = time.Duration(now-minRun.Int64) * time.Millisecond
	}
	return queued, running, oldest, db.domainError(err)
}

// PoolStats reports the connection pool for metrics.
func (db *DB) PoolStats() (open, inUse, idle int, waitCount int64) {
	s := db.sql.Stats()
	return s.OpenConnections, s.InUse, s.Idle, s.WaitCount
}

// TryLease takes or renews the named lease for holder until now+d. It reports
// false while another holder's lease runs.
func (db *DB) TryLease(ctx context.Context, name, holder string, d time.Duration) (bool, error) {
	var ok bool
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.insertIgnore(ctx, `leases`, `name, holder, "until"`, `?, '', 0`, name); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE leases SET holder = ?, "until" = ? WHERE name = ? AND ("until" <= ? OR holder = ?)`,
			holder, ms(tx.now.Add(d)), name, ms(tx.now), holder)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}

// ReleaseLease gives up the holder's lease at once, for a task that is done
// before its lease would run out.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
}
