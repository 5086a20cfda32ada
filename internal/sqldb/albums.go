package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/wmory/wmory"
)

// albumColumns include what every member sees of an album: the items in it
// that members see (not trashed, not hidden by reports), and its cover, the
// newest ready one of them.
func albumColumns() string {
	inAlbum := `FROM album_media am JOIN media m ON m.id = am.media_id JOIN "groups" g ON g.id = m.group_id
		WHERE am.album_id = a.id AND ` + notTrashed("m") + ` AND ` + visibleToMembers("m")
	return `a.id, a.group_id, a.name, COALESCE(a.created_by, ''), a.created_at, (SELECT COUNT(*) ` + inAlbum + `),
		(SELECT m.object_key ` + inAlbum + ` AND m.status = 'ready' ORDER BY m.taken_at DESC, m.id DESC LIMIT 1)`
}

func scanAlbum(row scanner) (*wmory.Album, error) {
	var a wmory.Album
	var created int64
	var cover sql.NullString
	if err := row.Scan(&a.ID, &a.GroupID, &a.Name, &a.CreatedBy, &created, &a.MediaCount, &cover); err != nil {
		return nil, err
	}
	a.CreatedAt, a.CoverKey = fromMS(created), cover.String
	return &a, nil
}

func (tx *Tx) album(ctx context.Context, id string) (*wmory.Album, error) {
	a, err := scanAlbum(tx.queryRow(ctx, `SELECT `+albumColumns()+` FROM albums a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wmory.NotFound("Album")
	}
	return a, err
}

// CreateAlbum makes an album in a group; any member may, and the group's
// activity tells of it.
func (db *DB) CreateAlbum(ctx context.Context, actor wmory.Actor, groupID, name string) (*wmory.Album, error) {
	name, err := wmory.ValidateName("name", name)
	if err != nil {
		return nil, err
	}
	var a *wmory.Album
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewGroup, wmory.RoleNone); err != nil {
			return err
		}
		id := wmory.NewID(tx.now)
		if _, err := tx.exec(ctx, `INSERT INTO albums (id, group_id, name, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, groupID, name, actor.UserID, ms(tx.now)); err != nil {
			return err
		}
		if err := tx.addActivity(ctx, groupID, actor.UserID, wmory.ActivityAlbum, nil, activityAbout{albumID: id}); err != nil {
			return err
		}
		if err := tx.audit(ctx, actor, groupID, wmory.AuditAlbumCreate, wmory.AuditTargetAlbum, id, map[string]any{"name": name}); err != nil {
			return err
		}
		a, err = tx.album(ctx, id)
		return err
	})
	return a, err
}

// Albums lists a group's albums, newest first.
func (db *DB) Albums(ctx context.Context, actor wmory.Actor, groupID, after string, limit int) ([]wmory.Album, string, error) {
	var out []wmory.Album
	err := db.read(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewGroup, wmory.RoleNone); err != nil {
			return err
		}
		q := `SELECT ` + albumColumns() + ` FROM albums a WHERE a.group_id = ?`
		args := []any{groupID}
		if after != "" {
			at, id, err := parseTimeCursor(after)
			if err != nil {
				return err
			}
			q += ` AND (a.created_at < ? OR (a.created_at = ? AND a.id < ?))`
			args = append(args, at, at, id)
		}
		rows, err := tx.query(ctx, q+` ORDER BY a.created_at DESC, a.id DESC LIMIT ?`, append(args, pageSize(limit))...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanAlbum)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	items, next := trimPage(out, limit, func(a wmory.Album) string { return timeCursor(a.CreatedAt, a.ID) })
	return items, next, nil
}

// albumForChange locks an album of a group the actor belongs to. Filling an
// album is every member's; renaming or deleting it is its creator's and the
// group's owner and admins'.
func (tx *Tx) albumForChange(ctx context.Context, actor wmory.Actor, id string, edit bool) (groupID string, role wmory.Role, err error) {
	var createdBy sql.NullString
	err = tx.queryRow(ctx, `SELECT group_id, created_by FROM albums WHERE id = ?`+tx.forUpdate(), id).Scan(&groupID, &createdBy)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", wmory.NotFound("Album")
	}
	if err != nil {
		return "", "", err
	}
	role, _, err = tx.membership(ctx, actor.UserID, groupID, false)
	if err != nil {
		return "", "", err
	}
	if role == wmory.RoleNone {
		return "", "", wmory.NotFound("Album")
	}
	if edit && createdBy.String != actor.UserID {
		if err := wmory.Authorize(role, wmory.ActEditAlbum, wmory.RoleNone, wmory.GroupSettings{}); err != nil {
			return "", "", err
		}
	}
	return groupID, role, nil
}

// RenameAlbum gives an album a new name.
func (db *DB) RenameAlbum(ctx context.Context, actor wmory.Actor, id, name string) (*wmory.Album, error) {
	name, err := wmory.ValidateName("name", name)
	if err != nil {
		return nil, err
	}
	var a *wmory.Album
	err = db.inTx(ctx, func(tx *Tx) error {
		groupID, _, err := tx.albumForChange(ctx, actor, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE albums SET name = ? WHERE id = ?`, name, id); err != nil {
			return err
		}
		if err := tx.audit(ctx, actor, groupID, wmory.AuditAlbumRename, wmory.AuditTargetAlbum, id, map[string]any{"name": name}); err != nil {
			return err
		}
		a, err = tx.album(ctx, id)
		return err
	})
	return a, err
}

// DeleteAlbum deletes an album, and no item: they stay in the group.
func (db *DB) DeleteAlbum(ctx context.Context, actor wmory.Actor, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		groupID, _, err := tx.albumForChange(ctx, actor, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM albums WHERE id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM activity WHERE album_id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor, groupID, wmory.AuditAlbumDelete, wmory.AuditTargetAlbum, id, nil)
	})
}

// ChangeAlbum adds items to an album, or takes them out, by reference. Every
// item added must be one of the group's that the actor sees, or nothing is
// added; taking out an item that is not in the album changes nothing.
func (db *DB) ChangeAlbum(ctx context.Context, actor wmory.Actor, id string, mediaIDs []string, add bool) (*wmory.Album, error) {
	ids, err := albumBatch(mediaIDs)
	if err != nil {
		return nil, err
	}
	var a *wmory.Album
	err = db.inTx(ctx, func(tx *Tx) error {
		groupID, role, err := tx.albumForChange(ctx, actor, id, false)
		if err != nil {
			return err
		}
		in := `(?` + strings.Repeat(", ?", len(ids)-1) + `)`
		args := []any{id}
		for _, mid := range ids {
			args = append(args, mid)
		}
		if add {
			q := `SELECT COUNT(*) FROM media m JOIN "groups" g ON g.id = m.group_id WHERE m.group_id = ? AND ` + notTrashed("m") + ` AND m.id IN ` + in
			if wmory.Authorize(role, wmory.ActModerate, wmory.RoleNone, wmory.GroupSettings{}) != nil {
				q += ` AND ` + visibleToMembers("m")
			}
			var found int
			if err := tx.queryRow(ctx, q, append([]any{groupID}, args[1:]...)...).Scan(&found); err != nil {
				return err
			}
			if found != len(ids) {
				return wmory.Invalid("media_ids", "must all be items of this album's group.")
			}
			for _, mid := range ids {
				if _, err := tx.insertIgnore(ctx, `album_media`, `album_id, media_id, added_at`, `?, ?, ?`, id, mid, ms(tx.now)); err != nil {
					return err
				}
			}
		} else if _, err := tx.exec(ctx, `DELETE FROM album_media WHERE album_id = ? AND media_id IN `+in, args...); err != nil {
			return err
		}
		change := "removed"
		if add {
			change = "added"
		}
		if err := tx.audit(ctx, actor, groupID, wmory.AuditAlbumChange, wmory.AuditTargetAlbum, id, map[string]any{change: len(ids)}); err != nil {
			return err
		}
		a, err = tx.album(ctx, id)
		return err
	})
	return a, err
}

// albumBatch checks the items of one change to an album: 1 to
// wmory.MaxAlbumBatch, each named once.
func albumBatch(ids []string) ([]string, error) {
	if len(ids) == 0 || len(ids) > wmory.MaxAlbumBatch {
		return nil, wmory.Invalid("media_ids", "must name 1 to 500 items.")
	}
	return uniqueIDs(ids)
}
