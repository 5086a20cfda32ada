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

// DownloadLife is how long a download's link works.
const DownloadLife = time.Hour

// MaxDownloadSelection is the most items a download names one by one; more
// go through an album or the whole group.
const MaxDownloadSelection = 2000

// Download is a link to a ZIP of a group's items, and what it holds now.
type Download struct {
	Token     string
	ExpiresAt time.Time
	Count     int
	Bytes     int64
}

// Archive is what a download's link puts in its archive, for whom.
type Archive struct {
	UserID, GroupID string
	AlbumID         string   // an album's items
	MediaIDs        []string // a selection; neither: the whole group
	Name            string   // the archive's, without ".zip"
	moderator       bool     // sees what reports hid
	uploaderID      string   // the caller's own items only (an export)
}

// ArchiveItem is one item to put in an archive.
type ArchiveItem struct {
	ID, GroupID, GroupName string
	Filename, ContentType  string
	ObjectKey              string
	Size                   int64
	TakenAt                time.Time
	TakenOffset            *int // minutes east, when the camera said
	UploadedAt             time.Time
	SHA256                 string
}

// where keeps what an archive may hold: items not in the trash whose original
// was verified (ready or still processing; never failed), that the member
// sees.
func (a *Archive) where() (string, []any) {
	q := `m.group_id = ? AND ` + notTrashed("m") + ` AND m.status IN ('ready', 'processing')`
	args := []any{a.GroupID}
	if a.uploaderID != "" {
		q = `m.uploader_id = ? AND ` + notTrashed("m") + ` AND m.status IN ('ready', 'processing')`
		args = []any{a.uploaderID}
	}
	if !a.moderator && a.uploaderID == "" {
		q += ` AND ` + visibleToMembers("m")
	}
	if a.AlbumID != "" {
		q += ` AND EXISTS (SELECT 1 FROM album_media am WHERE am.album_id = ? AND am.media_id = m.id)`
		args = append(args, a.AlbumID)
	}
	if len(a.MediaIDs) > 0 {
		q += ` AND m.id IN (?` + strings.Repeat(", ?", len(a.MediaIDs)-1) + `)`
		for _, id := range a.MediaIDs {
			args = append(args, id)
		}
	}
	return q, args
}

// CreateDownload makes the link to a ZIP of a group's items: a selection of
// them, an album, or (neither) all of them. Every item selected must be one
// the member sees, or there is no link.
func (db *DB) CreateDownload(ctx context.Context, actor wmory.Actor, groupID, albumID string, mediaIDs []string) (*Download, error) {
	if len(mediaIDs) > MaxDownloadSelection {
		return nil, wmory.Invalid("media_ids", "may name at most 2000 items; download an album or the whole group instead.")
	}
	if len(mediaIDs) > 0 && albumID != "" {
		return nil, wmory.Invalid("album_id", "goes without media_ids.")
	}
	ids, err := uniqueIDs(mediaIDs)
	if err != nil {
		return nil, err
	}
	d := &Download{Token: wmory.NewToken()}
	err = db.inTx(ctx, func(tx *Tx) error {
		role, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewGroup, wmory.RoleNone)
		if err != nil {
			return err
		}
		a := &Archive{GroupID: groupID, AlbumID: albumID, MediaIDs: ids,
			moderator: wmory.Authorize(role, wmory.ActModerate, wmory.RoleNone, wmory.GroupSettings{}) == nil}
		if err := tx.queryRow(ctx, `SELECT name FROM "groups" WHERE id = ?`, groupID).Scan(&a.Name); err != nil {
			return err
		}
		if albumID != "" {
			var album string
			err := tx.queryRow(ctx, `SELECT name FROM albums WHERE id = ? AND group_id = ?`, albumID, groupID).Scan(&album)
			if errors.Is(err, sql.ErrNoRows) {
				return wmory.NotFound("Album")
			}
			if err != nil {
				return err
			}
			a.Name += " - " + album
		}
		where, args := a.where()
		if err := tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(m.size), 0) FROM media m JOIN "groups" g ON g.id = m.group_id WHERE `+where, args...).
			Scan(&d.Count, &d.Bytes); err != nil {
			return err
		}
		if len(ids) > 0 && d.Count != len(ids) {
			return wmory.Invalid("media_ids", "must all be items of this group that you see, not in the trash and not failed.")
		}
		js, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		d.ExpiresAt = fromMS(ms(tx.now.Add(DownloadLife)))
		_, err = tx.exec(ctx, `INSERT INTO downloads (token_hash, user_id, group_id, album_id, media_ids, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			wmory.HashToken(d.Token), actor.UserID, groupID, nullString(albumID), string(js), a.Name, ms(tx.now), ms(d.ExpiresAt))
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// uniqueIDs checks a list of item ids and drops repeats.
func uniqueIDs(ids []string) ([]string, error) {
	seen := make(map[string]bool, len(ids))
	var out []string
	for _, id := range ids {
		if id == "" || len(id) > 64 {
			return nil, wmory.Invalid("media_ids", "must be item ids.")
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// OpenDownload reads what a download's link puts in its archive. The link is
// the credential, for its hour; the member's access is the one they have
// now: one who left the group has a dead link.
func (db *DB) OpenDownload(ctx context.Context, token string) (*Archive, error) {
	a := &Archive{}
	err := db.read(ctx, func(tx *Tx) error {
		var album sql.NullString
		var ids string
		err := tx.queryRow(ctx, `SELECT user_id, group_id, album_id, media_ids, name FROM downloads WHERE token_hash = ? AND expires_at > ?`,
			wmory.HashToken(token), ms(tx.now)).Scan(&a.UserID, &a.GroupID, &album, &ids, &a.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return errInvalidToken
		}
		if err != nil {
			return err
		}
		a.AlbumID = album.String
		if err := json.Unmarshal([]byte(ids), &a.MediaIDs); err != nil {
			return err
		}
		role, err := tx.authorize(ctx, a.UserID, a.GroupID, wmory.ActViewGroup, wmory.RoleNone)
		if wmory.ErrorCode(err) == wmory.ECodeNotFound {
			return errInvalidToken
		}
		if err != nil {
			return err
		}
		var suspended sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT suspended_at FROM users WHERE id = ?`, a.UserID).Scan(&suspended); err != nil || suspended.Valid {
			return errors.Join(err, errInvalidToken)
		}
		a.moderator = wmory.Authorize(role, wmory.ActModerate, wmory.RoleNone, wmory.GroupSettings{}) == nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// ExportArchive is what an account's export holds: every item it uploaded,
// in every group, not in the trash.
func ExportArchive(userID string) *Archive {
	return &Archive{UserID: userID, uploaderID: userID, Name: "wmory export"}
}

// ArchivePage lists the next items of an archive after the cursor, oldest
// first by capture time: an archive is written a page at a time, so that no
// transaction stays open while it streams and memory does not grow with it.
func (db *DB) ArchivePage(ctx context.Context, a *Archive, after string, limit int) ([]ArchiveItem, string, error) {
	where, args := a.where()
	q := `SELECT m.id, m.group_id, g.name, m.filename, m.content_type, m.object_key, m.size, m.taken_at, m.taken_offset, m.uploaded_at, COALESCE(m.sha256, '')
		FROM media m JOIN "groups" g ON g.id = m.group_id WHERE ` + where
	if after != "" {
		at, id, err := parseTimeCursor(after)
		if err != nil {
			return nil, "", err
		}
		q += ` AND (m.taken_at > ? OR (m.taken_at = ? AND m.id > ?))`
		args = append(args, at, at, id)
	}
	rows, err := db.sql.QueryContext(ctx, db.rebind(q+` ORDER BY m.taken_at, m.id LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, "", db.domainError(err)
	}
	defer rows.Close()
	var out []ArchiveItem
	for rows.Next() {
		var it ArchiveItem
		var taken, uploaded int64
		var offset sql.NullInt64
		if err := rows.Scan(&it.ID, &it.GroupID, &it.GroupName, &it.Filename, &it.ContentType, &it.ObjectKey, &it.Size, &taken, &offset, &uploaded, &it.SHA256); err != nil {
			return nil, "", db.domainError(err)
		}
		it.TakenAt, it.UploadedAt = fromMS(taken), fromMS(uploaded)
		if offset.Valid {
			o := int(offset.Int64)
			it.TakenOffset = &o
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, "", db.domainError(err)
	}
	if len(out) < limit {
		return out, "", nil
	}
	last := out[len(out)-1]
	return out, timeCursor(last.TakenAt, last.ID), nil
}
