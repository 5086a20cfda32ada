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

// ErrNoLongerMember: the uploader left the group between authorizing and
// completing; the caller rejects the upload.
var ErrNoLongerMember = wmory.NotFound("Upload")

// AuthorizeUpload records a pending upload and reserves its bytes and one file
// of the uploader's daily quota in the same transaction. The reservation is a
// guarded update, so concurrent authorizations can never overshoot the quota.
func (db *DB) AuthorizeUpload(ctx context.Context, actor wmory.Actor, u *wmory.Upload, limits wmory.Limits) error {
	// The caller has applied the per-user overrides (Limits) already.
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, u.GroupID, wmory.ActViewGroup, wmory.RoleNone); err != nil {
			return err
		}
		if err := tx.checkDuplicate(ctx, u.GroupID, u.SHA256); err != nil {
			return err
		}
		day := wmory.QuotaDay(tx.now)
		reserve := func() (int64, error) {
			res, err := tx.exec(ctx, `UPDATE quota_days SET bytes = bytes + ?, files = files + 1
				WHERE user_id = ? AND day = ? AND bytes + ? <= ? AND files + 1 <= ?`,
				u.Size, actor.UserID, day, u.Size, limits.DailyBytesLimit, limits.DailyFilesLimit)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		}
		// The guarded update comes first: inserting the day's row up front would
		// take a shared lock on it, and two such transactions upgrading to the
		// update's exclusive lock deadlock on MySQL.
		n, err := reserve()
		if err != nil {
			return err
		}
		if n == 0 {
			// No row matched: either the day's row is missing, or the quota is
			// spent. Make sure the row exists (another transaction may have just
			// created it) and try once more; only then is the quota spent.
			var exists int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM quota_days WHERE user_id = ? AND day = ?`, actor.UserID, day).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				if _, err := tx.insertIgnore(ctx, `quota_days`, `user_id, day, bytes, files`, `?, ?, 0, 0`, actor.UserID, day); err != nil {
					return err
				}
			}
			if n, err = reserve(); err != nil {
				return err
			}
		}
		if n == 0 {
			resets := wmory.QuotaResetsAt(tx.now)
			return &wmory.Error{Code: wmory.ECodeQuotaExceeded, RetryAfterSeconds: int(resets.Sub(tx.now).Seconds()) + 1,
				Message: "This upload would exceed your daily quota; it resets at " + resets.Format(time.RFC3339) + "."}
		}
		life := 2 * wmory.UploadTTL
		if u.Resumable() {
			life = wmory.ResumableTTL
		}
		u.ExpiresAt = fromMS(ms(tx.now.Add(life)))
		u.Status, u.UserID = wmory.UploadPending, actor.UserID
		if _, err := tx.exec(ctx, `INSERT INTO uploads (id, user_id, group_id, object_key, filename, content_type, size, quota_day, status, created_at, expires_at, sha256, multipart_id, part_size, time_zone)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, actor.UserID, u.GroupID, u.ObjectKey, u.Filename, u.ContentType, u.Size, day,
			wmory.UploadPending, ms(tx.now), ms(u.ExpiresAt), nullString(u.SHA256), nullString(u.MultipartID), u.PartSize, nullString(u.TimeZone)); err != nil {
			return err
		}
		return tx.audit(ctx, actor, u.GroupID, wmory.AuditUploadAuthorize, wmory.AuditTargetUpload, u.ID,
			map[string]any{"content_type": u.ContentType, "size": u.Size})
	})
}

const uploadColumns = `id, user_id, group_id, object_key, filename, content_type, size, status, media_id, expires_at, sha256, multipart_id, part_size`

func scanUpload(row scanner) (*wmory.Upload, error) {
	var u wmory.Upload
	var mediaID, sum, multipart sql.NullString
	var exp int64
	if err := row.Scan(&u.ID, &u.UserID, &u.GroupID, &u.ObjectKey, &u.Filename, &u.ContentType, &u.Size, &u.Status, &mediaID, &exp, &sum,
		&multipart, &u.PartSize); err != nil {
		return nil, err
	}
	u.MediaID, u.ExpiresAt, u.SHA256, u.MultipartID = mediaID.String, fromMS(exp), sum.String, multipart.String
	return &u, nil
}

// checkDuplicate refuses a hash the group already holds as verified media.
func (tx *Tx) checkDuplicate(ctx context.Context, groupID, sum string) error {
	if sum == "" {
		return nil
	}
	var existing string
	var trashed sql.NullInt64
	err := tx.queryRow(ctx, `SELECT id, trashed_at FROM media WHERE group_id = ? AND sha256 = ?`, groupID, sum).Scan(&existing, &trashed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if trashed.Valid {
		return &wmory.Error{Code: wmory.ECodeDuplicate, Message: "This file is in the group's trash: restore it from there.",
			Extra: map[string]any{"media_id": existing, "trashed": true}}
	}
	return &wmory.Error{Code: wmory.ECodeDuplicate, Message: "This group already has this file.", Extra: map[string]any{"media_id": existing}}
}

// Upload returns one of the actor's own uploads; anyone else's is not found.
func (db *DB) Upload(ctx context.Context, actor wmory.Actor, id string) (*wmory.Upload, error) {
	u, err := scanUpload(db.sql.QueryRowContext(ctx, db.rebind(`SELECT `+uploadColumns+` FROM uploads WHERE id = ? AND user_id = ?`), id, actor.UserID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wmory.NotFound("Upload")
	}
	return u, db.domainError(err)
}

// PendingUpload returns the pending upload whose object is stored under key;
// none is not found.
func (db *DB) PendingUpload(ctx context.Context, key string) (*wmory.Upload, error) {
	u, err := scanUpload(db.sql.QueryRowContext(ctx, db.rebind(`SELECT `+uploadColumns+` FROM uploads WHERE object_key = ? AND status = ?`), key, wmory.UploadPending))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wmory.NotFound("Upload")
	}
	return u, db.domainError(err)
}

// UploadsPastTheirURL returns the keys of up to limit pending uploads whose
// signed URL can no longer store anything, oldest first: whatever they will
// ever hold is in the store now.
func (db *DB) UploadsPastTheirURL(ctx context.Context, limit int) ([]string, error) {
	deadline := wmory.UploadURLDeadline(db.Now()).Sub(db.Now())
	// Resumable uploads are not among them: their object exists only once
	// their complete has assembled it.
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT object_key FROM uploads WHERE status = ? AND created_at <= ? AND multipart_id IS NULL ORDER BY created_at LIMIT ?`),
		wmory.UploadPending, ms(db.Now().Add(-deadline)), limit)
	if err != nil {
		return nil, db.domainError(err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, db.domainError(err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	return keys, db.domainError(rows.Err())
}

// IsMember reports whether the user belongs to the group now.
func (db *DB) IsMember(ctx context.Context, userID, groupID string) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM group_members WHERE group_id = ? AND user_id = ?`), groupID, userID).Scan(&n)
	return n > 0, db.domainError(err)
}

// Stored is what the store said of an original when it was verified: its
// ETag, which processing checks again, and when its bytes were stored.
type Stored struct {
	ETag string
	At   time.Time
}

// CompleteUpload records the media of a verified upload with its processing
// job, in one transaction. Completing twice returns the same media. The
// caller has checked the stored object; membership is checked here again.
// A video's rendition starts as playback (pending, or none when renditions
// are off); a photo has none.
func (db *DB) CompleteUpload(ctx context.Context, actor wmory.Actor, uploadID string, stored Stored, playback wmory.PlaybackStatus) (*wmory.Media, error) {
	var mediaID string
	err := db.inTx(ctx, func(tx *Tx) error {
		u, err := tx.lockOwnUpload(ctx, actor, uploadID)
		if err != nil {
			return err
		}
		switch u.Status {
		case wmory.UploadCompleted:
			mediaID = u.MediaID
			return nil
		case wmory.UploadRejected:
			return tx.refusal(ctx, u.ID)
		case wmory.UploadExpired:
			return wmory.Errorf(wmory.ECodeUploadExpired, "This upload expired; authorize it again.")
		case wmory.UploadAbandoned:
			return wmory.Errorf(wmory.ECodeUploadExpired, "This upload was abandoned; authorize it again.")
		}
		if !u.ExpiresAt.After(tx.now) {
			return wmory.Errorf(wmory.ECodeUploadExpired, "This upload expired; authorize it again.")
		}
		if role, _, err := tx.membership(ctx, actor.UserID, u.GroupID, true); err != nil {
			return err
		} else if role == wmory.RoleNone {
			return ErrNoLongerMember
		}
		// Another upload of the same file may have completed meanwhile.
		if err := tx.checkDuplicate(ctx, u.GroupID, u.SHA256); err != nil {
			return err
		}
		mediaID = wmory.NewID(tx.now)
		kind, _ := wmory.KindOf(u.ContentType) // checked at authorization
		if kind != wmory.KindVideo {
			playback = wmory.PlaybackNone
		}
		var storedAt sql.NullInt64
		if !stored.At.IsZero() {
			storedAt = sql.NullInt64{Int64: ms(stored.At), Valid: true}
		}
		if _, err := tx.exec(ctx, `INSERT INTO media (id, group_id, uploader_id, upload_id, kind, content_type, filename, size, etag, object_key, taken_at, uploaded_at, status, sha256, stored_at, playback_status)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, mediaID, u.GroupID, actor.UserID, u.ID, string(kind), u.ContentType, u.Filename, u.Size,
			stored.ETag, u.ObjectKey, ms(tx.now), ms(tx.now), wmory.StatusProcessing, nullString(u.SHA256), storedAt, playback); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE uploads SET status = ?, media_id = ? WHERE id = ?`, wmory.UploadCompleted, mediaID, u.ID); err != nil {
			return err
		}
		if err := tx.enqueueAbout(ctx, JobProcessMedia, u.ObjectKey, ProcessMediaPayload{MediaID: mediaID}); err != nil {
			return err
		}
		if err := tx.recordUpload(ctx, u.GroupID, actor.UserID, mediaID); err != nil {
			return err
		}
		return tx.audit(ctx, actor, u.GroupID, wmory.AuditUploadComplete, wmory.AuditTargetMedia, mediaID, map[string]any{"upload_id": u.ID})
	})
	if err != nil {
		return nil, err
	}
	return db.media(ctx, mediaID)
}

// storedRefusal is a refusal as the uploads table keeps it.
type storedRefusal struct {
	Code    wmory.Code     `json:"code"`
	Message string         `json:"message"`
	Extra   map[string]any `json:"extra,omitempty"`
}

// refusal is the answer a refused upload got, for a completion that comes
// after it (the client's, after the server refused the bytes on arrival).
func (tx *Tx) refusal(ctx context.Context, uploadID string) error {
	var js sql.NullString
	if err := tx.queryRow(ctx, `SELECT refusal FROM uploads WHERE id = ?`, uploadID).Scan(&js); err != nil {
		return err
	}
	var r storedRefusal
	if !js.Valid || json.Unmarshal([]byte(js.String), &r) != nil || r.Code == "" {
		return wmory.Errorf(wmory.ECodeUploadRejected, "This upload was rejected.")
	}
	return &wmory.Error{Code: r.Code, Message: r.Message, Extra: r.Extra}
}

// RejectUpload ends a pending upload that failed verification: its quota is
// given back and its object queued for deletion, with an audit entry saying why.
// refusal, when set, is kept as the answer to any later completion of it.
func (db *DB) RejectUpload(ctx context.Context, actor wmory.Actor, uploadID, reason string, refusal *wmory.Error) error {
	return db.inTx(ctx, func(tx *Tx) error {
		u, err := scanUpload(tx.queryRow(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = ?`+tx.forUpdate(), uploadID))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil || u.Status != wmory.UploadPending {
			return err
		}
		if err := tx.endUpload(ctx, u, wmory.UploadRejected); err != nil {
			return err
		}
		if refusal != nil {
			js, err := json.Marshal(storedRefusal{Code: refusal.Code, Message: refusal.Message, Extra: refusal.Extra})
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE uploads SET refusal = ? WHERE id = ?`, string(js), u.ID); err != nil {
				return err
			}
		}
		return tx.audit(ctx, actor, u.GroupID, wmory.AuditUploadRejected, wmory.AuditTargetUpload, u.ID, map[string]any{"reason": reason})
	})
}

// AbandonUpload ends the actor's pending upload at the client's request: its
// quota is given back at once and whatever it stored is queued for deletion
// (and deleted again once its URL has expired, should a PUT still land).
// Abandoning an upload that has already ended does nothing; one that became
// media is a conflict.
func (db *DB) AbandonUpload(ctx context.Context, actor wmory.Actor, uploadID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		u, err := tx.lockOwnUpload(ctx, actor, uploadID)
		if err != nil {
			return err
		}
		switch u.Status {
		case wmory.UploadPending:
		case wmory.UploadCompleted:
			return wmory.Errorf(wmory.ECodeConflict, "This upload is complete: its item is in the group (delete the item instead).")
		default:
			return nil
		}
		if err := tx.endUpload(ctx, u, wmory.UploadAbandoned); err != nil {
			return err
		}
		return tx.audit(ctx, actor, u.GroupID, wmory.AuditUploadAbandon, wmory.AuditTargetUpload, u.ID, nil)
	})
}

// lockOwnUpload reads the actor's upload for update; anyone else's is not found.
func (tx *Tx) lockOwnUpload(ctx context.Context, actor wmory.Actor, uploadID string) (*wmory.Upload, error) {
	u, err := scanUpload(tx.queryRow(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = ? AND user_id = ?`+tx.forUpdate(), uploadID, actor.UserID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wmory.NotFound("Upload")
	}
	return u, err
}

func (tx *Tx) endUpload(ctx context.Context, u *wmory.Upload, status wmory.UploadStatus) error {
	var day, created int64
	if err := tx.queryRow(ctx, `SELECT quota_day, created_at FROM uploads WHERE id = ?`, u.ID).Scan(&day, &created); err != nil {
		return err
	}
	if err := tx.execOne(ctx, errors.New("upload is no longer pending"), `UPDATE uploads SET status = ? WHERE id = ? AND status = ?`, status, u.ID, wmory.UploadPending); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE quota_days SET bytes = bytes - ?, files = files - 1 WHERE user_id = ? AND day = ?`, u.Size, u.UserID, day); err != nil {
		return err
	}
	if u.Resumable() {
		if err := tx.abortMultipart(ctx, u); err != nil {
			return err
		}
	}
	return tx.deleteUploadedObject(ctx, u.ObjectKey, fromMS(created))
}

// LiveMultiparts returns which of the store's multipart upload ids belong to
// a pending upload; the others are orphans (an authorization that failed
// after the store began one, an abort that did not happen).
func (db *DB) LiveMultiparts(ctx context.Context, ids []string) (map[string]bool, error) {
	live := map[string]bool{}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		args := []any{wmory.UploadPending}
		for _, id := range batch {
			args = append(args, id)
		}
		rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT multipart_id FROM uploads WHERE status = ? AND multipart_id IN (?`+strings.Repeat(", ?", len(batch)-1)+`)`), args...)
		if err != nil {
			return nil, db.domainError(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, db.domainError(err)
			}
			live[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, db.domainError(err)
		}
	}
	return live, nil
}

// AcceptsBytes reports whether an object may still be stored under key: it
// belongs to an upload that is pending and unexpired. The local store asks
// before and after it writes, so that a signed URL does not outlive its upload.
func (db *DB) AcceptsBytes(ctx context.Context, key string) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM uploads WHERE object_key = ? AND status = ? AND expires_at > ?`),
		key, wmory.UploadPending, ms(db.Now())).Scan(&n)
	return n > 0, db.domainError(err)
}

// KeepsObject reports whether an object under key belongs to a pending upload
// or a media item.
func (db *DB) KeepsObject(ctx context.Context, key string) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT (SELECT COUNT(*) FROM uploads WHERE object_key = ? AND status = ?)
		+ (SELECT COUNT(*) FROM media WHERE object_key = ?)`), key, wmory.UploadPending, key).Scan(&n)
	return n > 0, db.domainError(err)
}

// LiveObjects returns which of the keys belong to a pending upload or to a
// media item (an original or one of its derived images); anything else under
// the upload prefix is an orphan.
func (db *DB) LiveObjects(ctx context.Context, keys []string) (map[string]bool, error) {
	live := map[string]bool{}
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 500)]
		keys = keys[len(batch):]
		originals := make([]any, 0, len(batch))
		for _, k := range batch {
			originals = append(originals, wmory.OriginalKey(k))
		}
		in := `(?` + strings.Repeat(", ?", len(originals)-1) + `)`
		args := append(append([]any{wmory.UploadPending}, originals...), originals...)
		rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT object_key FROM uploads WHERE status = ? AND object_key IN `+in+`
			UNION SELECT object_key FROM media WHERE object_key IN `+in), args...)
		if err != nil {
			return nil, db.domainError(err)
		}
		found := map[string]bool{}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, db.domainError(err)
			}
			found[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, db.domainError(err)
		}
		for _, k := range batch {
			if found[wmory.OriginalKey(k)] {
				live[k] = true
			}
		}
	}
	return live, nil
}

// ExpireUploads ends up to limit pending uploads whose time is up, releasing
// their quota and queueing their objects for deletion. Concurrent callers
// (several processes) take different rows.
func (db *DB) ExpireUploads(ctx context.Context, limit int) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		n = 0
		rows, err := tx.query(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE status = ? AND expires_at <= ? ORDER BY expires_at LIMIT ?`+tx.skipLocked(),
			wmory.UploadPending, ms(tx.now), limit)
		if err != nil {
			return err
		}
		var due []*wmory.Upload
		for rows.Next() {
			u, err := scanUpload(rows)
			if err != nil {
				rows.Close()
				return err
			}
			due = append(due, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, u := range due {
			if err := tx.endUpload(ctx, u, wmory.UploadExpired); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}

// StoredBytes is the size of everything the user uploaded that is kept.
func (db *DB) StoredBytes(ctx context.Context, userID string) (int64, error) {
	var n int64
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT COALESCE(SUM(size), 0) FROM media WHERE uploader_id = ?`), userID).Scan(&n)
	return n, db.domainError(err)
}

// QuotaUsed returns what the user has used (reservations included) today.
func (db *DB) QuotaUsed(ctx context.Context, userID string) (bytes, files int64, err error) {
	err = db.sql.QueryRowContext(ctx, db.rebind(`SELECT bytes, files FROM quota_days WHERE user_id = ? AND day = ?`),
		userID, wmory.QuotaDay(db.Now())).Scan(&bytes, &files)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return bytes, files, db.domainError(err)
}

const mediaColumns = `m.id, m.group_id, m.uploader_id, u.name, m.kind, m.content_type, m.filename, m.size, m.object_key,
	m.width, m.height, m.duration_ms, m.taken_at, m.taken_offset, m.uploaded_at, m.status, m.failure_reason,
	m.playback_status, m.playback_failure, m.playback_bytes, m.taken_at_source,
	(SELECT COUNT(*) FROM likes lk WHERE lk.media_id = m.id), (SELECT COUNT(*) FROM comments cm WHERE cm.media_id = m.id)`

func scanMedia(row scanner) (*wmory.Media, error) { return scanMediaExtra(row) }

// likedByCaller is a column saying whether the caller (its one argument)
// likes the item: an index lookup per row of the same query.
const likedByCaller = `CASE WHEN EXISTS (SELECT 1 FROM likes mine WHERE mine.media_id = m.id AND mine.user_id = ?) THEN 1 ELSE 0 END`

// scanCallersMedia reads mediaColumns followed by likedByCaller.
func scanCallersMedia(row scanner) (*wmory.Media, error) {
	var liked bool
	m, err := scanMediaExtra(row, &liked)
	if m != nil {
		m.LikedByMe = liked
	}
	return m, err
}

func scanMediaExtra(row scanner, extra ...any) (*wmory.Media, error) {
	var m wmory.Media
	var kind string
	var w, h, d, offset sql.NullInt64
	var taken, uploaded int64
	var reason, playbackFailure sql.NullString
	if err := row.Scan(append([]any{&m.ID, &m.GroupID, &m.UploaderID, &m.UploaderName, &kind, &m.ContentType, &m.Filename, &m.Size, &m.ObjectKey,
		&w, &h, &d, &taken, &offset, &uploaded, &m.Status, &reason, &m.Playback, &playbackFailure, &m.PlaybackBytes, &m.TakenAtSource,
		&m.LikeCount, &m.CommentCount}, extra...)...); err != nil {
		return nil, err
	}
	m.Kind, m.TakenAt, m.UploadedAt = wmory.MediaKind(kind), fromMS(taken), fromMS(uploaded)
	m.FailureReason, m.PlaybackFailure = wmory.FailureReason(reason.String), wmory.FailureReason(playbackFailure.String)
	if offset.Valid {
		x := int(offset.Int64)
		m.TakenOffset = &x
	}
	if w.Valid {
		x := int(w.Int64)
		m.Width = &x
	}
	if h.Valid {
		x := int(h.Int64)
		m.Height = &x
	}
	if d.Valid {
		m.DurationMS = &d.Int64
	}
	return &m, nil
}

func (db *DB) media(ctx context.Context, id string) (*wmory.Media, error) {
	m, err := scanMedia(db.sql.QueryRowContext(ctx, db.rebind(`SELECT `+mediaColumns+` FROM media m JOIN users u ON u.id = m.uploader_id WHERE m.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wmory.NotFound("Media")
	}
	return m, db.domainError(err)
}

// Media returns one item of a group the actor belongs to. Items hidden by
// reports are not found, but for the group's moderators.
func (db *DB) Media(ctx context.Context, actor wmory.Actor, id string) (*wmory.Media, error) {
	var role string
	var visible, liked bool
	m, err := scanMediaExtra(db.sql.QueryRowContext(ctx, db.rebind(`SELECT `+mediaColumns+`, gm.role, CASE WHEN `+visibleToMembers("m")+` THEN 1 ELSE 0 END, `+likedByCaller+`
		FROM media m JOIN users u ON u.id = m.uploader_id JOIN "groups" g ON g.id = m.group_id
		JOIN group_members gm ON gm.group_id = m.group_id AND gm.user_id = ? WHERE m.id = ? AND `+notTrashed("m")), actor.UserID, actor.UserID, id), &role, &visible, &liked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wmory.NotFound("Media")
	}
	if err != nil {
		return nil, db.domainError(err)
	}
	if !visible && wmory.Authorize(wmory.Role(role), wmory.ActModerate, wmory.RoleNone, wmory.GroupSettings{}) != nil {
		return nil, wmory.NotFound("Media")
	}
	m.LikedByMe = liked
	return m, nil
}

// GalleryKey is the keyset position of an item: newest taken_at first, then id.
func GalleryKey(m wmory.Media) string {
	return timeCursor(m.TakenAt, m.ID)
}

// GalleryFilter narrows a gallery; its zero value is the whole gallery.
type GalleryFilter struct {
	UploaderID   string
	Kind         wmory.MediaKind
	Since, Until time.Time // taken_at in [Since, Until)
	// IDs asks for these items only: a client looking again at the items it
	// shows as processing, in one request.
	IDs []string
	// Liked keeps the items the caller likes.
	Liked bool
	// AlbumID keeps the items of one of the group's albums.
	AlbumID string
}

// Gallery lists a group's media newest first, after the cursor key.
func (db *DB) Gallery(ctx context.Context, actor wmory.Actor, groupID string, f GalleryFilter, after string, limit int) ([]wmory.Media, string, error) {
	var out []wmory.Media
	err := db.read(ctx, func(tx *Tx) error {
		out = nil
		role, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewGroup, wmory.RoleNone)
		if err != nil {
			return err
		}
		q := `SELECT ` + mediaColumns + `, ` + likedByCaller + ` FROM media m JOIN users u ON u.id = m.uploader_id JOIN "groups" g ON g.id = m.group_id WHERE m.group_id = ? AND ` + notTrashed("m")
		if wmory.Authorize(role, wmory.ActModerate, wmory.RoleNone, wmory.GroupSettings{}) != nil {
			q += ` AND ` + visibleToMembers("m")
		}
		args := []any{actor.UserID, groupID}
		if f.Liked {
			q += ` AND EXISTS (SELECT 1 FROM likes mine WHERE mine.media_id = m.id AND mine.user_id = ?)`
			args = append(args, actor.UserID)
		}
		if f.AlbumID != "" {
			q += ` AND EXISTS (SELECT 1 FROM album_media am WHERE am.album_id = ? AND am.media_id = m.id)`
			args = append(args, f.AlbumID)
		}
		if f.UploaderID != "" {
			q += ` AND m.uploader_id = ?`
			args = append(args, f.UploaderID)
		}
		if f.Kind != "" {
			q += ` AND m.kind = ?`
			args = append(args, string(f.Kind))
		}
		if !f.Since.IsZero() {
			q += ` AND m.taken_at >= ?`
			args = append(args, ms(f.Since))
		}
		if !f.Until.IsZero() {
			q += ` AND m.taken_at < ?`
			args = append(args, ms(f.Until))
		}
		if len(f.IDs) > 0 {
			q += ` AND m.id IN (?` + strings.Repeat(", ?", len(f.IDs)-1) + `)`
			for _, id := range f.IDs {
				args = append(args, id)
			}
		}
		if after != "" {
			taken, id, err := parseTimeCursor(after)
			if err != nil {
				return err
			}
			q += ` AND (m.taken_at < ? OR (m.taken_at = ? AND m.id < ?))`
			args = append(args, taken, taken, id)
		}
		rows, err := tx.query(ctx, q+` ORDER BY m.taken_at DESC, m.id DESC LIMIT ?`, append(args, pageSize(limit))...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanCallersMedia)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	items, next := trimPage(out, limit, GalleryKey)
	return items, next, nil
}

// MonthCount is how many of a gallery's items were taken in one month, as
// the camera's calendar had it.
type MonthCount struct {
	Month string // "2026-03"
	Count int
}

// GalleryMonths counts a group's items by the month they were taken (the
// camera's wall clock, as taken_at_local is), newest first: the index of a
// long gallery, to jump to a month of it.
func (db *DB) GalleryMonths(ctx context.Context, actor wmory.Actor, groupID string) ([]MonthCount, error) {
	var out []MonthCount
	err := db.read(ctx, func(tx *Tx) error {
		role, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewGroup, wmory.RoleNone)
		if err != nil {
			return err
		}
		month := db.monthOf(`m.taken_at + COALESCE(m.taken_offset, 0) * 60000`)
		q := `SELECT ` + month + ` AS month, COUNT(*) FROM media m JOIN "groups" g ON g.id = m.group_id WHERE m.group_id = ? AND ` + notTrashed("m")
		if wmory.Authorize(role, wmory.ActModerate, wmory.RoleNone, wmory.GroupSettings{}) != nil {
			q += ` AND ` + visibleToMembers("m")
		}
		rows, err := tx.query(ctx, q+` GROUP BY `+month+` ORDER BY month DESC`, groupID)
		if err != nil {
			return err
		}
		out, err = collect(rows, func(row scanner) (*MonthCount, error) {
			var c MonthCount
			return &c, row.Scan(&c.Month, &c.Count)
		})
		return err
	})
	return out, err
}

// monthOf is the dialect's "YYYY-MM" of a UTC time given in epoch
// milliseconds, by calendar arithmetic that no session time zone changes.
func (db *DB) monthOf(ms string) string {
	switch db.dialect {
	case MySQL:
		return `DATE_FORMAT(DATE_ADD('1970-01-01', INTERVAL (` + ms + `) DIV 1000 SECOND), '%Y-%m')`
	case Postgres:
		return `to_char(TIMESTAMP '1970-01-01' + ((` + ms + `) / 1000) * INTERVAL '1 second', 'YYYY-MM')`
	default:
		return `strftime('%Y-%m', (` + ms + `) / 1000, 'unixepoch')`
	}
}

// removeMedia deletes an item's row now and queues its objects for deletion.
func (tx *Tx) removeMedia(ctx context.Context, actor wmory.Actor, groupID, id string, details map[string]any) error {
	if err := tx.queueMediaDeletes(ctx, `id = ?`, id); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM media WHERE id = ?`, id); err != nil {
		return err
	}
	return tx.audit(ctx, actor, groupID, wmory.AuditMediaDelete, wmory.AuditTargetMedia, id, details)
}

// queueMediaDeletes queues the objects of every media item matching where
// (a group's, an uploader's) before the rows go.
func (tx *Tx) queueMediaDeletes(ctx context.Context, where string, arg string) error {
	rows, err := tx.query(ctx, `SELECT m.object_key, COALESCE(up.created_at, 0) FROM media m LEFT JOIN uploads up ON up.id = m.upload_id WHERE m.`+where, arg)
	if err != nil {
		return err
	}
	var all, recent []string
	deadline := tx.now
	for rows.Next() {
		var k string
		var created int64
		if err := rows.Scan(&k, &created); err != nil {
			rows.Close()
			return err
		}
		m := wmory.Media{ObjectKey: k}
		all = append(append(all, k), m.DerivedKeys()...)
		// The upload URL of an item deleted soon after it arrived may still
		// store bytes again: delete once more when it is dead.
		if d := wmory.UploadURLDeadline(fromMS(created)); d.After(tx.now) {
			recent = append(recent, k)
			deadline = maxTime(deadline, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := tx.enqueueDeletes(ctx, all); err != nil {
		return err
	}
	return tx.enqueueDeletesAt(ctx, recent, deadline)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// MediaToProcess returns an item and the ETag recorded at completion, for the
// worker; a deleted item is not found.
func (db *DB) MediaToProcess(ctx context.Context, id string) (*wmory.Media, Stored, error) {
	var stored Stored
	var storedAt sql.NullInt64
	var zone sql.NullString
	m, err := scanMediaExtra(db.sql.QueryRowContext(ctx, db.rebind(`SELECT `+mediaColumns+`, m.etag, m.stored_at, up.time_zone FROM media m JOIN users u ON u.id = m.uploader_id
		LEFT JOIN uploads up ON up.id = m.upload_id WHERE m.id = ?`), id),
		&stored.ETag, &storedAt, &zone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, stored, wmory.NotFound("Media")
	}
	if storedAt.Valid {
		stored.At = fromMS(storedAt.Int64)
	}
	if m != nil {
		m.UploadTimeZone = zone.String
	}
	return m, stored, db.domainError(err)
}

// Processed is what the worker learned about an item.
type Processed struct {
	Width, Height int
	TakenAt       *time.Time
	TakenOffset   *int // minutes east of UTC, when the file recorded it
	DurationMS    *int64
	// RenditionSource goes to a video's rendition job as it is.
	RenditionSource json.RawMessage
}

// MediaProcessed marks an item ready and, for a video whose rendition is
// pending, queues the job that makes it. It is not found if the item was
// deleted (or finished) meanwhile; the caller then removes what it made.
func (db *DB) MediaProcessed(ctx context.Context, id string, p Processed) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var key string
		var playback wmory.PlaybackStatus
		err := tx.queryRow(ctx, `SELECT object_key, playback_status FROM media WHERE id = ? AND status = ?`+tx.forUpdate(), id, wmory.StatusProcessing).Scan(&key, &playback)
		if errors.Is(err, sql.ErrNoRows) {
			return wmory.NotFound("Media")
		}
		if err != nil {
			return err
		}
		if playback == wmory.PlaybackPending {
			if err := tx.enqueueAbout(ctx, JobPlaybackRendition, key, RenditionPayload{MediaID: id, Source: p.RenditionSource}); err != nil {
				return err
			}
		}
		var duration sql.NullInt64
		if p.DurationMS != nil {
			duration = sql.NullInt64{Int64: *p.DurationMS, Valid: true}
		}
		q := `UPDATE media SET status = ?, width = ?, height = ?, duration_ms = ?`
		args := []any{wmory.StatusReady, p.Width, p.Height, duration}
		if p.TakenAt != nil {
			var offset sql.NullInt64
			if p.TakenOffset != nil {
				offset = sql.NullInt64{Int64: int64(*p.TakenOffset), Valid: true}
			}
			q += `, taken_at = ?, taken_offset = ?, taken_at_source = ?`
			args = append(args, ms(*p.TakenAt), offset, wmory.TakenFromCamera)
		}
		return tx.execOne(ctx, wmory.NotFound("Media"), q+` WHERE id = ? AND status = ?`, append(args, id, wmory.StatusProcessing)...)
	})
}

// MediaFailed marks an item that cannot be processed, with the reason code
// alone in the audit log. An item whose bytes are not what they claimed is
// withdrawn in the same transaction: its objects are queued for deletion and
// its upload's quota is given back.
func (db *DB) MediaFailed(ctx context.Context, id string, reason wmory.FailureReason) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var groupID, uploaderID, key, uploadID string
		var size int64
		err := tx.queryRow(ctx, `SELECT group_id, uploader_id, object_key, upload_id, size FROM media WHERE id = ? AND status = ?`+tx.forUpdate(),
			id, wmory.StatusProcessing).Scan(&groupID, &uploaderID, &key, &uploadID, &size)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // deleted, or finished by another delivery
		}
		if err != nil {
			return err
		}
		// Nothing to play: the rendition is given up with the item.
		if _, err := tx.exec(ctx, `UPDATE media SET status = ?, failure_reason = ?, playback_status = ? WHERE id = ?`, wmory.StatusFailed, string(reason), wmory.PlaybackNone, id); err != nil {
			return err
		}
		details := map[string]any{"reason": string(reason)}
		if reason.Withdrawn() {
			var day, created int64
			if err := tx.queryRow(ctx, `SELECT quota_day, created_at FROM uploads WHERE id = ?`, uploadID).Scan(&day, &created); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE quota_days SET bytes = bytes - ?, files = files - 1 WHERE user_id = ? AND day = ?`, size, uploaderID, day); err != nil {
				return err
			}
			m := wmory.Media{ObjectKey: key}
			if err := tx.enqueueDeletes(ctx, m.DerivedKeys()); err != nil {
				return err
			}
			if err := tx.deleteUploadedObject(ctx, key, fromMS(created)); err != nil {
				return err
			}
			details["withdrawn"] = true
		}
		return tx.audit(ctx, wmory.Actor{}, groupID, wmory.AuditMediaFailed, wmory.AuditTargetMedia, id, details)
	})
}

// PlaybackSettled records how a video's pending rendition ended: ready (with
// its size), failed (with the reason), or none (renditions turned off). It is
// not found when the item was deleted, or its rendition settled, meanwhile:
// the caller then removes what it made.
func (db *DB) PlaybackSettled(ctx context.Context, id string, status wmory.PlaybackStatus, failure wmory.FailureReason, bytes int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return tx.execOne(ctx, wmory.NotFound("Media"), `UPDATE media SET playback_status = ?, playback_failure = ?, playback_bytes = ? WHERE id = ? AND playback_status = ?`,
			status, nullString(string(failure)), bytes, id, wmory.PlaybackPending)
	})
}

// QueueDeletes queues the deletion of objects the caller could not delete
// itself, so that a failure there is retried instead of forgotten.
func (db *DB) QueueDeletes(ctx context.Context, keys []string) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.enqueueDeletes(ctx, keys) })
}
