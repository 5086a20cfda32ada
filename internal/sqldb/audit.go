package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/wmory/wmory"
)

// audit writes one entry inside the transaction of the change it records, so a
// change without its entry (or the reverse) cannot exist.
func (tx *Tx) audit(ctx context.Context, actor wmory.Actor, groupID string, action wmory.AuditAction, targetType wmory.AuditTarget, targetID string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	js, err := json.Marshal(details)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_logs (id, at, actor_id, group_id, action, target_type, target_id, ip, user_agent, request_id, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		wmory.NewID(tx.now), ms(tx.now), nullString(actor.UserID), nullString(groupID), action, targetType, targetID,
		truncate(actor.IP, 64), truncate(actor.UserAgent, 512), truncate(actor.RequestID, 64), string(js))
	return err
}

// Audit records an event that changes nothing else (a failed login, a refused
// request) in a transaction of its own.
func (db *DB) Audit(ctx context.Context, actor wmory.Actor, groupID string, action wmory.AuditAction, targetType wmory.AuditTarget, targetID string, details map[string]any) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, actor, groupID, action, targetType, targetID, details)
	})
}

// GroupAudit lists a group's audit entries, newest first, after the cursor key.
// The caller must be the group's owner or an admin.
func (db *DB) GroupAudit(ctx context.Context, actor wmory.Actor, groupID, after string, limit int) ([]wmory.AuditEntry, string, error) {
	var out []wmory.AuditEntry
	err := db.read(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewAudit, wmory.RoleNone); err != nil {
			return err
		}
		q := `SELECT a.id, a.at, a.actor_id, u.name, a.group_id, a.action, a.target_type, a.target_id, a.ip, a.user_agent, a.request_id, a.details
			FROM audit_logs a LEFT JOIN users u ON u.id = a.actor_id
			WHERE a.group_id = ?`
		args := []any{groupID}
		if after != "" {
			q += ` AND a.id < ?`
			args = append(args, after)
		}
		q += ` ORDER BY a.id DESC LIMIT ?`
		args = append(args, pageSize(limit))
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	items, next := trimPage(out, limit, func(e wmory.AuditEntry) string { return e.ID })
	return items, next, nil
}

func scanAudit(rows *sql.Rows) (wmory.AuditEntry, error) {
	var e wmory.AuditEntry
	var at int64
	var actorID, actorName, groupID sql.NullString
	var details string
	if err := rows.Scan(&e.ID, &at, &actorID, &actorName, &groupID, &e.Action, &e.TargetType, &e.TargetID,
		&e.IP, &e.UserAgent, &e.RequestID, &details); err != nil {
		return e, err
	}
	e.At = fromMS(at)
	e.ActorID, e.GroupID = actorID.String, groupID.String
	e.ActorName = actorName.String
	if actorID.Valid && !actorName.Valid {
		e.ActorName = wmory.DeletedUserName
	}
	if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
		e.Details = map[string]any{}
	}
	return e, nil
}

// AuditEntries lists every entry, oldest first: for tests and the instance admin.
func (db *DB) AuditEntries(ctx context.Context) ([]wmory.AuditEntry, error) {
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT a.id, a.at, a.actor_id, u.name, a.group_id, a.action, a.target_type, a.target_id, a.ip, a.user_agent, a.request_id, a.details
		FROM audit_logs a LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.id`))
	if err != nil {
		return nil, db.domainError(err)
	}
	defer rows.Close()
	var out []wmory.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary so the column stays valid UTF-8.
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}
