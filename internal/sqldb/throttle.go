package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wmory/wmory"
)

// ThrottleRule limits failures per key: at Max failures within Window the key is
// locked for Lock.
type ThrottleRule struct {
	Key    string
	Max    int
	Window time.Duration
	Lock   time.Duration
}

// insertIgnore is the dialect's "insert unless the key exists"; it reports
// whether it inserted.
func (tx *Tx) insertIgnore(ctx context.Context, table, columns, placeholders string, args ...any) (bool, error) {
	var q string
	switch tx.db.dialect {
	case MySQL:
		q = `INSERT IGNORE INTO ` + table + ` (` + columns + `) VALUES (` + placeholders + `)`
	default:
		q = `INSERT INTO ` + table + ` (` + columns + `) VALUES (` + placeholders + `) ON CONFLICT DO NOTHING`
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Locked returns how long the longest lock among keys still lasts (0: none).
func (db *DB) Locked(ctx context.Context, keys ...string) (time.Duration, error) {
	now := db.Now()
	var longest time.Duration
	for _, k := range keys {
		var until sql.NullInt64
		err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT locked_until FROM login_throttle WHERE throttle_key = ?`), k).Scan(&until)
		if err != nil && err != sql.ErrNoRows {
			return 0, db.domainError(err)
		}
		if d := fromMS(until.Int64).Sub(now); until.Valid && d > longest {
			longest = d
		}
	}
	return longest, nil
}

// RecordFailure counts a failed attempt against each rule's key and audits it;
// it reports whether any key became locked by this failure.
func (db *DB) RecordFailure(ctx context.Context, actor wmory.Actor, action wmory.AuditAction, targetType wmory.AuditTarget, targetID string, rules ...ThrottleRule) (bool, error) {
	var lockedNow bool
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if lockedNow, err = tx.count(ctx, rules); err != nil {
			return err
		}
		if err := tx.audit(ctx, actor, "", action, targetType, targetID, nil); err != nil {
			return err
		}
		if lockedNow {
			return tx.audit(ctx, actor, "", wmory.AuditLoginLock, targetType, targetID, nil)
		}
		return nil
	})
	return lockedNow, err
}

// CountAttempt counts an attempt that is limited whether or not it succeeds
// (sign-ups per client address, say) against each rule's key.
func (db *DB) CountAttempt(ctx context.Context, rules ...ThrottleRule) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.count(ctx, rules)
		return err
	})
}

// count adds one to each rule's key within its window and locks the keys that
// reach their maximum; it reports whether one became locked.
func (tx *Tx) count(ctx context.Context, rules []ThrottleRule) (bool, error) {
	lockedNow := false
	for _, r := range rules {
		if _, err := tx.insertIgnore(ctx, `login_throttle`, `throttle_key, failures, window_start, locked_until`, `?, 0, ?, 0`, r.Key, ms(tx.now)); err != nil {
			return false, err
		}
		windowOpen := ms(tx.now.Add(-r.Window))
		if _, err := tx.exec(ctx, `UPDATE login_throttle
			SET failures = CASE WHEN window_start <= ? THEN 1 ELSE failures + 1 END,
			    window_start = CASE WHEN window_start <= ? THEN ? ELSE window_start END
			WHERE throttle_key = ?`, windowOpen, windowOpen, ms(tx.now), r.Key); err != nil {
			return false, err
		}
		var failures int
		var lockedUntil int64
		if err := tx.queryRow(ctx, `SELECT failures, locked_until FROM login_throttle WHERE throttle_key = ?`, r.Key).Scan(&failures, &lockedUntil); err != nil {
			return false, err
		}
		if failures >= r.Max && lockedUntil <= ms(tx.now) {
			if _, err := tx.exec(ctx, `UPDATE login_throttle SET locked_until = ?, failures = 0, window_start = ? WHERE throttle_key = ?`,
				ms(tx.now.Add(r.Lock)), ms(tx.now), r.Key); err != nil {
				return false, err
			}
			lockedNow = true
		}
	}
	return lockedNow, nil
}

// FailedRecently reports whether a key has counted a failure within window, or
// is locked now.
func (db *DB) FailedRecently(ctx context.Context, key string, window time.Duration) (bool, error) {
	now := db.Now()
	var failures int
	var start, until int64
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT failures, window_start, locked_until FROM login_throttle WHERE throttle_key = ?`), key).Scan(&failures, &start, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, db.domainError(err)
	}
	return until > ms(now) || (failures > 0 && start > ms(now.Add(-window))), nil
}
