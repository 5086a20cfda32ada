package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wmory/wmory"
)

// An item deleted from a group goes to its trash: out of every member's
// sight (gallery, albums, counts, comments, downloads) but still stored and
// counted, until its uploader or a moderator restores it, or it is purged
// (now on request, or by the sweep once its days are over).

// notTrashed keeps the items that are not in the trash.
func notTrashed(media string) string { return media + `.trashed_at IS NULL` }

// trashFor is how long an item stays in the trash.
func (db *DB) trashFor() time.Duration {
	if db.TrashFor > 0 {
		return db.TrashFor
	}
	return wmory.DefaultTrashDays * 24 * time.Hour
}

// TrashedMedia is an item in a group's trash.
type TrashedMedia struct {
	wmory.Media
	TrashedAt     time.Time
	TrashedByID   string // "" once the account is gone
	TrashedByName string
	PurgeAt       time.Time
}

// mediaForChange locks an item of a group the actor belongs to, in the trash
// or not as asked, and checks that the actor may change it: its uploader, or
// the group's moderators.
func (tx *Tx) mediaForChange(ctx context.Context, actor wmory.Actor, id string, trashed bool) (groupID, uploaderID string, err error) {
	cond := notTrashed("m")
	if trashed {
		cond = `m.trashed_at IS NOT NULL`
	}
	err = tx.queryRow(ctx, `SELECT m.group_id, m.uploader_id FROM media m WHERE m.id = ? AND `+cond+tx.forUpdate(), id).Scan(&groupID, &uploaderID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", wmory.NotFound("Media")
	}
	if err != nil {
		return "", "", err
	}
	role, settings, err := tx.membership(ctx, actor.UserID, groupID, true)
	if err != nil {
		return "", "", err
	}
	if role == wmory.RoleNone {
		return "", "", wmory.NotFound("Media")
	}
	if uploaderID != actor.UserID {
		if err := wmory.Authorize(role, wmory.ActDeleteMedia, wmory.RoleNone, settings); err != nil {
			return "", "", err
		}
	}
	return groupID, uploaderID, nil
}

// TrashMedia moves an item to its group's trash: its uploader may, and the
// group's owner and admins. An uploader whose item someone else trashed is
// told by e-mail, once per run of such changes.
func (db *DB) TrashMedia(ctx context.Context, actor wmory.Actor, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		groupID, uploaderID, err := tx.mediaForChange(ctx, actor, id, false)
		if err != nil {
			return err
		}
		return tx.trash(ctx, actor, groupID, uploaderID, `id = ?`, id)
	})
}

// trash moves the group's items that match where to the trash, by the actor.
func (tx *Tx) trash(ctx context.Context, actor wmory.Actor, groupID, uploaderID, where string, arg string) error {
	ids, err := tx.strings(ctx, `SELECT id FROM media WHERE group_id = ? AND trashed_at IS NULL AND `+where, groupID, arg)
	if err != nil || len(ids) == 0 {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE media SET trashed_at = ?, trashed_by = ? WHERE group_id = ? AND trashed_at IS NULL AND `+where,
		ms(tx.now), actor.UserID, groupID, arg); err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.audit(ctx, actor, groupID, wmory.AuditMediaTrash, wmory.AuditTargetMedia, id, nil); err != nil {
			return err
		}
	}
	if uploaderID != actor.UserID {
		return tx.noteForMail(ctx, groupID, wmory.NoticeTrashed, uploaderID)
	}
	return nil
}

// RestoreMedia takes an item out of the trash, back where it was: its
// uploader may (while a member), and the group's owner and admins.
func (db *DB) RestoreMedia(ctx context.Context, actor wmory.Actor, id string) (*wmory.Media, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		groupID, _, err := tx.mediaForChange(ctx, actor, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE media SET trashed_at = NULL, trashed_by = NULL WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor, groupID, wmory.AuditMediaRestore, wmory.AuditTargetMedia, id, nil)
	})
	if err != nil {
		return nil, err
	}
	return db.Media(ctx, actor, id)
}

// PurgeMedia deletes an item now, in the trash or not: its row goes and its
// objects are queued for deletion. Its uploader may, and the group's owner
// and admins.
func (db *DB) PurgeMedia(ctx context.Context, actor wmory.Actor, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		groupID, _, err := tx.mediaForChange(ctx, actor, id, false)
		if wmory.ErrorCode(err) == wmory.ECodeNotFound {
			groupID, _, err = tx.mediaForChange(ctx, actor, id, true)
		}
		if err != nil {
			return err
		}
		return tx.removeMedia(ctx, actor, groupID, id, map[string]any{"permanent": true})
	})
}

// Trash lists a group's trash, most recently trashed first: all of it for
// the group's owner and admins, one's own items for everyone else.
func (db *DB) Trash(ctx context.Context, actor wmory.Actor, groupID, after string, limit int) ([]TrashedMedia, string, error) {
	var out []TrashedMedia
	err := db.read(ctx, func(tx *Tx) error {
		out = nil
		role, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewGroup, wmory.RoleNone)
		if err != nil {
			return err
		}
		q := `SELECT ` + mediaColumns + `, m.trashed_at, COALESCE(t.id, ''), COALESCE(t.name, ?)
			FROM media m JOIN users u ON u.id = m.uploader_id LEFT JOIN users t ON t.id = m.trashed_by
			WHERE m.group_id = ? AND m.trashed_at IS NOT NULL`
		args := []any{wmory.DeletedUserName, groupID}
		if wmory.Authorize(role, wmory.ActDeleteMedia, wmory.RoleNone, wmory.GroupSettings{}) != nil {
			q += ` AND m.uploader_id = ?`
			args = append(args, actor.UserID)
		}
		if after != "" {
			at, id, err := parseTimeCursor(after)
			if err != nil {
				return err
			}
			q += ` AND (m.trashed_at < ? OR (m.trashed_at = ? AND m.id < ?))`
			args = append(args, at, at, id)
		}
		rows, err := tx.query(ctx, q+` ORDER BY m.trashed_at DESC, m.id DESC LIMIT ?`, append(args, pageSize(limit))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var item TrashedMedia
			var at int64
			m, err := scanMediaExtra(rows, &at, &item.TrashedByID, &item.TrashedByName)
			if err != nil {
				return err
			}
			item.Media, item.TrashedAt = *m, fromMS(at)
			item.PurgeAt = item.TrashedAt.Add(db.trashFor())
			out = append(out, item)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	items, next := trimPage(out, limit, func(m TrashedMedia) string { return timeCursor(m.TrashedAt, m.ID) })
	return items, next, nil
}

// PurgeTrash purges up to limit items whose days in the trash are over; it
// returns how many it purged.
func (db *DB) PurgeTrash(ctx context.Context, limit int) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, group_id FROM media WHERE trashed_at < ? ORDER BY trashed_at LIMIT ?`+tx.skipLocked(),
			ms(tx.now.Add(-db.trashFor())), limit)
		if err != nil {
			return err
		}
		var ids, groups []string
		for rows.Next() {
			var id, g string
			if err := rows.Scan(&id, &g); err != nil {
				rows.Close()
				return err
			}
			ids, groups = append(ids, id), append(groups, g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i, id := range ids {
			if err := tx.removeMedia(ctx, wmory.Actor{}, groups[i], id, map[string]any{"trash_expired": true}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// trashedByOthers counts a member's items in a group that others trashed in
// a time window (inclusive) and are still in the trash, and names who did.
func (tx *Tx) trashedByOthers(ctx context.Context, groupID, uploaderID string, from, to int64) (int, []string, error) {
	rows, err := tx.query(ctx, `SELECT COALESCE(t.name, ?), COUNT(*) FROM media m LEFT JOIN users t ON t.id = m.trashed_by
		WHERE m.group_id = ? AND m.uploader_id = ? AND m.trashed_by <> ? AND m.trashed_at >= ? AND m.trashed_at <= ?
		GROUP BY m.trashed_by, t.name ORDER BY COUNT(*) DESC`, wmory.DeletedUserName, groupID, uploaderID, uploaderID, from, to)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	total := 0
	var names []string
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return 0, nil, err
		}
		total += n
		names = append(names, name)
	}
	return total, names, rows.Err()
}
