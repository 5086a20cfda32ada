package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/wmory/wmory"
)

// CreateUser makes a verified account directly (the admin command line).
func (db *DB) CreateUser(ctx context.Context, actor wmory.Actor, email, name, passwordHash string, admin bool) (*wmory.User, error) {
	var u *wmory.User
	err := db.inTx(ctx, func(tx *Tx) error {
		id := wmory.NewID(tx.now)
		if _, err := tx.exec(ctx, `INSERT INTO users (id, email, name, password_hash, email_verified_at, is_admin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, email, name, passwordHash, ms(tx.now), admin, ms(tx.now), ms(tx.now)); err != nil {
			if isUniqueViolation(err) {
				return wmory.Errorf(wmory.ECodeConflict, "An account with this e-mail already exists.")
			}
			return err
		}
		u = &wmory.User{ID: id, Email: email, Name: name, EmailVerified: true, IsAdmin: admin, CreatedAt: fromMS(ms(tx.now))}
		return tx.audit(ctx, actor, "", wmory.AuditAdminUserCreate, wmory.AuditTargetUser, id, map[string]any{"admin": admin})
	})
	return u, err
}

// SetAdmin grants or takes instance administration.
func (db *DB) SetAdmin(ctx context.Context, actor wmory.Actor, email string, admin bool) (*wmory.User, error) {
	var u *wmory.User
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		u, err = scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = ?`, email))
		if errors.Is(err, sql.ErrNoRows) {
			return wmory.NotFound("User")
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET is_admin = ?, updated_at = ? WHERE id = ?`, admin, ms(tx.now), u.ID); err != nil {
			return err
		}
		u.IsAdmin = admin
		return tx.audit(ctx, actor, "", wmory.AuditAdminPromote, wmory.AuditTargetUser, u.ID, map[string]any{"admin": admin})
	})
	return u, err
}

// UserSummary is a row of the instance admin's user list.
type UserSummary struct {
	wmory.User
	DailyBytesUsed int64
	StoredBytes    int64 // the originals the user uploaded
	// RenditionBytes is what the instance made of them to play (videos'
	// playback renditions): storage, but no allowance of the user's.
	RenditionBytes int64
}

// Users lists accounts whose e-mail or name contains q, oldest first.
func (db *DB) Users(ctx context.Context, q, after string, limit int) ([]UserSummary, string, error) {
	// '!' escapes LIKE's wildcards the same way on every engine.
	pattern := "%" + strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(strings.ToLower(q)) + "%"
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT `+userColumns+`,
		COALESCE((SELECT qd.bytes FROM quota_days qd WHERE qd.user_id = u.id AND qd.day = ?), 0),
		COALESCE((SELECT SUM(m.size) FROM media m WHERE m.uploader_id = u.id), 0),
		COALESCE((SELECT SUM(m.playback_bytes) FROM media m WHERE m.uploader_id = u.id), 0)
		FROM users u WHERE (LOWER(u.email) LIKE ? ESCAPE '!' OR LOWER(u.name) LIKE ? ESCAPE '!') AND u.id > ? ORDER BY u.id LIMIT ?`),
		wmory.QuotaDay(db.Now()), pattern, pattern, after, pageSize(limit))
	if err != nil {
		return nil, "", db.domainError(err)
	}
	defer rows.Close()
	var out []UserSummary
	for rows.Next() {
		var s UserSummary
		u, err := scanUser(rows, &s.DailyBytesUsed, &s.StoredBytes, &s.RenditionBytes)
		if err != nil {
			return nil, "", err
		}
		s.User = *u
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, "", db.domainError(err)
	}
	items, next := trimPage(out, limit, func(s UserSummary) string { return s.ID })
	return items, next, nil
}

// LimitsPatch sets per-user overrides; a nil field goes back to the default.
type LimitsPatch struct {
	DailyBytesLimit, DailyFilesLimit, MaxPhotoBytes, MaxVideoBytes *int64
}

// SetUserLimits replaces a user's overrides.
func (db *DB) SetUserLimits(ctx context.Context, actor wmory.Actor, userID string, p LimitsPatch) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM user_limits WHERE user_id = ?`, userID); err != nil {
			return err
		}
		if p != (LimitsPatch{}) {
			if _, err := tx.exec(ctx, `INSERT INTO user_limits (user_id, daily_bytes_limit, daily_files_limit, max_photo_bytes, max_video_bytes) VALUES (?, ?, ?, ?, ?)`,
				userID, p.DailyBytesLimit, p.DailyFilesLimit, p.MaxPhotoBytes, p.MaxVideoBytes); err != nil {
				return err
			}
		}
		return tx.audit(ctx, actor, "", wmory.AuditAdminLimits, wmory.AuditTargetUser, userID, nil)
	})
}

// Limits returns a user's effective limits: overrides over the defaults.
func (db *DB) Limits(ctx context.Context, userID string, defaults wmory.Limits) (wmory.Limits, error) {
	var b, f, p, v sql.NullInt64
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT daily_bytes_limit, daily_files_limit, max_photo_bytes, max_video_bytes FROM user_limits WHERE user_id = ?`),
		userID).Scan(&b, &f, &p, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return defaults, nil
	}
	if err != nil {
		return defaults, db.domainError(err)
	}
	pick := func(n sql.NullInt64, d int64) int64 {
		if n.Valid {
			return n.Int64
		}
		return d
	}
	return wmory.Limits{DailyBytesLimit: pick(b, defaults.DailyBytesLimit), DailyFilesLimit: pick(f, defaults.DailyFilesLimit),
		MaxPhotoBytes: pick(p, defaults.MaxPhotoBytes), MaxVideoBytes: pick(v, defaults.MaxVideoBytes)}, nil
}

// EscalatedReports lists the instance's queue: open reports that group
// moderators escalated, and open reports in groups whose owner is suspended.
func (db *DB) EscalatedReports(ctx context.Context, after string, limit int) ([]wmory.Report, string, error) {
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT `+reportColumns+` FROM reports r WHERE r.status = 'open' AND r.id > ? AND (r.escalated_at IS NOT NULL
		OR EXISTS (SELECT 1 FROM group_members gm JOIN users u ON u.id = gm.user_id WHERE gm.group_id = r.group_id AND gm.role = 'owner' AND u.suspended_at IS NOT NULL))
		ORDER BY r.id LIMIT ?`), after, pageSize(limit))
	if err != nil {
		return nil, "", db.domainError(err)
	}
	out, err := collect(rows, scanReport)
	if err != nil {
		return nil, "", db.domainError(err)
	}
	items, next := trimPage(out, limit, func(r wmory.Report) string { return r.ID })
	return items, next, nil
}

// AuditFilter narrows the instance-wide audit search; empty fields match all.
type AuditFilter struct {
	ActorID, GroupID, Action string
	Since, Until             time.Time
}

// SearchAudit lists audit entries, newest first.
func (db *DB) SearchAudit(ctx context.Context, f AuditFilter, after string, limit int) ([]wmory.AuditEntry, string, error) {
	q := `SELECT a.id, a.at, a.actor_id, u.name, a.group_id, a.action, a.target_type, a.target_id, a.ip, a.user_agent, a.request_id, a.details
		FROM audit_logs a LEFT JOIN users u ON u.id = a.actor_id WHERE 1 = 1`
	var args []any
	for _, c := range []struct{ col, val string }{{"a.actor_id", f.ActorID}, {"a.group_id", f.GroupID}, {"a.action", f.Action}} {
		if c.val != "" {
			q += ` AND ` + c.col + ` = ?`
			args = append(args, c.val)
		}
	}
	if !f.Since.IsZero() {
		q += ` AND a.at >= ?`
		args = append(args, ms(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND a.at < ?`
		args = append(args, ms(f.Until))
	}
	if after != "" {
		q += ` AND a.id < ?`
		args = append(args, after)
	}
	rows, err := db.sql.QueryContext(ctx, db.rebind(q+` ORDER BY a.id DESC LIMIT ?`), append(args, pageSize(limit))...)
	if err != nil {
		return nil, "", db.domainError(err)
	}
	defer rows.Close()
	var out []wmory.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", db.domainError(err)
	}
	items, next := trimPage(out, limit, func(e wmory.AuditEntry) string { return e.ID })
	return items, next, nil
}

// PruneAudit deletes entries older than the retention, in batches; it is the
// only code that deletes audit entries.
func (db *DB) PruneAudit(ctx context.Context, olderThan time.Time) (int64, error) {
	var total int64
	for {
		var n int64
		err := db.inTx(ctx, func(tx *Tx) error {
			ids, err := tx.strings(ctx, `SELECT id FROM audit_logs WHERE at < ? ORDER BY at LIMIT 500`, ms(olderThan))
			if err != nil || len(ids) == 0 {
				n = 0
				return err
			}
			args := make([]any, len(ids))
			for i, id := range ids {
				args[i] = id
			}
			res, err := tx.exec(ctx, `DELETE FROM audit_logs WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < 500 {
			return total, nil
		}
	}
}
