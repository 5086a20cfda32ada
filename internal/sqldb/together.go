package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/wmory/wmory"
)

// visibleMedia returns the group of an item the actor may see (a member; an
// item hidden by reports only for moderators), read in the transaction.
func (tx *Tx) visibleMedia(ctx context.Context, actor wmory.Actor, mediaID string) (groupID, uploaderID string, role wmory.Role, err error) {
	var visible bool
	err = tx.queryRow(ctx, `SELECT m.group_id, m.uploader_id, gm.role, CASE WHEN `+visibleToMembers("m")+` THEN 1 ELSE 0 END
		FROM media m JOIN "groups" g ON g.id = m.group_id JOIN group_members gm ON gm.group_id = m.group_id AND gm.user_id = ?
		WHERE m.id = ? AND `+notTrashed("m"), actor.UserID, mediaID).Scan(&groupID, &uploaderID, &role, &visible)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible && wmory.Authorize(role, wmory.ActModerate, wmory.RoleNone, wmory.GroupSettings{}) != nil) {
		return "", "", "", wmory.NotFound("Media")
	}
	return groupID, uploaderID, role, err
}

// SetLike records or withdraws the actor's like of an item; doing either
// twice changes nothing.
func (db *DB) SetLike(ctx context.Context, actor wmory.Actor, mediaID string, liked bool) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, _, _, err := tx.visibleMedia(ctx, actor, mediaID); err != nil {
			return err
		}
		if !liked {
			_, err := tx.exec(ctx, `DELETE FROM likes WHERE media_id = ? AND user_id = ?`, mediaID, actor.UserID)
			return err
		}
		_, err := tx.insertIgnore(ctx, `likes`, `media_id, user_id, created_at`, `?, ?, ?`, mediaID, actor.UserID, ms(tx.now))
		return err
	})
}

const commentColumns = `c.id, c.media_id, c.group_id, c.author_id, u.name, c.text, c.created_at`

func scanComment(row scanner) (*wmory.Comment, error) {
	var c wmory.Comment
	var created int64
	if err := row.Scan(&c.ID, &c.MediaID, &c.GroupID, &c.AuthorID, &c.AuthorName, &c.Text, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// Comments lists an item's comments, oldest first, after the cursor (a
// comment's id, which sorts as it was made).
func (db *DB) Comments(ctx context.Context, actor wmory.Actor, mediaID, after string, limit int) ([]wmory.Comment, string, error) {
	var out []wmory.Comment
	err := db.read(ctx, func(tx *Tx) error {
		out = nil
		if _, _, _, err := tx.visibleMedia(ctx, actor, mediaID); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+commentColumns+` FROM comments c JOIN users u ON u.id = c.author_id
			WHERE c.media_id = ? AND c.id > ? ORDER BY c.id LIMIT ?`, mediaID, after, pageSize(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanComment(rows)
			if err != nil {
				return err
			}
			out = append(out, *c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	items, next := trimPage(out, limit, func(c wmory.Comment) string { return c.ID })
	return items, next, nil
}

// AddComment records a member's comment on an item, with its entry in the
// group's activity. A member writes at most CommentsPerWindow comments in
// CommentWindow.
func (db *DB) AddComment(ctx context.Context, actor wmory.Actor, mediaID, text string) (*wmory.Comment, error) {
	text, err := wmory.ValidateComment(text)
	if err != nil {
		return nil, err
	}
	var id string
	err = db.inTx(ctx, func(tx *Tx) error {
		groupID, uploaderID, _, err := tx.visibleMedia(ctx, actor, mediaID)
		if err != nil {
			return err
		}
		var recent int
		var oldest sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT COUNT(*), MIN(created_at) FROM comments WHERE author_id = ? AND created_at > ?`,
			actor.UserID, ms(tx.now.Add(-wmory.CommentWindow))).Scan(&recent, &oldest); err != nil {
			return err
		}
		if recent >= wmory.CommentsPerWindow {
			wait := fromMS(oldest.Int64).Add(wmory.CommentWindow).Sub(tx.now)
			return &wmory.Error{Code: wmory.ECodeRateLimited, Message: "You have written many comments in a short time; try again in a few minutes.",
				RetryAfterSeconds: int(wait.Seconds()) + 1}
		}
		id = wmory.NewID(tx.now)
		if _, err := tx.exec(ctx, `INSERT INTO comments (id, media_id, group_id, author_id, text, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, mediaID, groupID, actor.UserID, text, ms(tx.now)); err != nil {
			return err
		}
		if err := tx.addActivity(ctx, groupID, actor.UserID, wmory.ActivityCommented, []string{mediaID}, activityAbout{commentID: id}); err != nil {
			return err
		}
		if uploaderID != actor.UserID {
			if err := tx.noteForMail(ctx, groupID, wmory.NoticeComments, uploaderID); err != nil {
				return err
			}
		}
		// The words stay out of the audit log: they are the member's, not an event.
		return tx.audit(ctx, actor, groupID, wmory.AuditCommentCreate, wmory.AuditTargetComment, id, map[string]any{"media_id": mediaID})
	})
	if err != nil {
		return nil, err
	}
	c, err := scanComment(db.sql.QueryRowContext(ctx, db.rebind(`SELECT `+commentColumns+` FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = ?`), id))
	return c, db.domainError(err)
}

// DeleteComment removes a comment, and its entry in the activity: its author
// may, and the group's owner and admins.
func (db *DB) DeleteComment(ctx context.Context, actor wmory.Actor, commentID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var mediaID, groupID, authorID string
		err := tx.queryRow(ctx, `SELECT media_id, group_id, author_id FROM comments WHERE id = ?`+tx.forUpdate(), commentID).Scan(&mediaID, &groupID, &authorID)
		if errors.Is(err, sql.ErrNoRows) {
			return wmory.NotFound("Comment")
		}
		if err != nil {
			return err
		}
		if _, _, role, err := tx.visibleMedia(ctx, actor, mediaID); err != nil {
			return wmory.NotFound("Comment")
		} else if authorID != actor.UserID {
			if err := wmory.Authorize(role, wmory.ActModerate, wmory.RoleNone, wmory.GroupSettings{}); err != nil {
				return err
			}
		}
		return tx.removeComment(ctx, actor, groupID, mediaID, commentID, nil)
	})
}

// removeComment deletes a comment and its entry in the activity; reports
// still open about it are settled, the comment being gone.
func (tx *Tx) removeComment(ctx context.Context, actor wmory.Actor, groupID, mediaID, commentID string, details map[string]any) error {
	if _, err := tx.exec(ctx, `DELETE FROM comments WHERE id = ?`, commentID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM activity WHERE comment_id = ?`, commentID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE reports SET status = ?, action = ?, resolved_at = ?, resolved_by = ?, open_key = NULL WHERE comment_id = ? AND status = ?`,
		wmory.ReportResolved, "remove_media", ms(tx.now), actor.UserID, commentID, wmory.ReportOpen); err != nil {
		return err
	}
	if details == nil {
		details = map[string]any{}
	}
	details["media_id"] = mediaID
	return tx.audit(ctx, actor, groupID, wmory.AuditCommentDelete, wmory.AuditTargetComment, commentID, details)
}

// activityAbout is what an entry of the activity is about, besides items:
// a comment, an album.
type activityAbout struct{ commentID, albumID string }

// addActivity writes an entry of a group's activity.
func (tx *Tx) addActivity(ctx context.Context, groupID, actorID string, kind wmory.ActivityType, mediaIDs []string, about activityAbout) error {
	js, err := json.Marshal(append([]string{}, mediaIDs...))
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO activity (id, group_id, actor_id, type, at, count, media_ids, comment_id, album_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		wmory.NewID(tx.now), groupID, nullString(actorID), string(kind), ms(tx.now), len(mediaIDs), string(js), nullString(about.commentID), nullString(about.albumID))
	return err
}

// recordUpload adds an item to its uploader's batch in the group's activity
// and in what the other members will be told by e-mail: the entry of their
// last upload, if no more than the batch gap ago, grows; else a new one begins.
func (tx *Tx) recordUpload(ctx context.Context, groupID, uploaderID, mediaID string) error {
	if err := tx.noteForMail(ctx, groupID, wmory.NoticeUploads, uploaderID); err != nil {
		return err
	}
	var id, ids string
	err := tx.queryRow(ctx, `SELECT id, media_ids FROM activity WHERE group_id = ? AND actor_id = ? AND type = ? AND at >= ?
		ORDER BY at DESC LIMIT 1`+tx.forUpdate(), groupID, uploaderID, string(wmory.ActivityUploaded), ms(tx.now.Add(-tx.db.batchGap()))).Scan(&id, &ids)
	if errors.Is(err, sql.ErrNoRows) {
		return tx.addActivity(ctx, groupID, uploaderID, wmory.ActivityUploaded, []string{mediaID}, activityAbout{})
	}
	if err != nil {
		return err
	}
	var shown []string
	if json.Unmarshal([]byte(ids), &shown) == nil && len(shown) < wmory.ActivityMediaShown {
		shown = append(shown, mediaID)
		b, _ := json.Marshal(shown)
		ids = string(b)
	}
	_, err = tx.exec(ctx, `UPDATE activity SET count = count + 1, at = ?, media_ids = ? WHERE id = ?`, ms(tx.now), ids, id)
	return err
}

// Activity lists a group's activity, newest first, after the cursor.
func (db *DB) Activity(ctx context.Context, actor wmory.Actor, groupID, after string, limit int) ([]wmory.Activity, string, error) {
	var out []wmory.Activity
	err := db.read(ctx, func(tx *Tx) error {
		out = nil
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewGroup, wmory.RoleNone); err != nil {
			return err
		}
		q := `SELECT a.id, a.at, a.type, COALESCE(a.actor_id, ''), COALESCE(u.name, ?), a.count, a.media_ids, COALESCE(a.comment_id, ''), COALESCE(a.album_id, '')
			FROM activity a LEFT JOIN users u ON u.id = a.actor_id WHERE a.group_id = ?`
		args := []any{wmory.DeletedUserName, groupID}
		if after != "" {
			at, id, err := parseTimeCursor(after)
			if err != nil {
				return err
			}
			q += ` AND (a.at < ? OR (a.at = ? AND a.id < ?))`
			args = append(args, at, at, id)
		}
		rows, err := tx.query(ctx, q+` ORDER BY a.at DESC, a.id DESC LIMIT ?`, append(args, pageSize(limit))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a wmory.Activity
			var at int64
			var ids string
			if err := rows.Scan(&a.ID, &at, &a.Type, &a.ActorID, &a.ActorName, &a.Count, &ids, &a.CommentID, &a.AlbumID); err != nil {
				return err
			}
			a.At = fromMS(at)
			json.Unmarshal([]byte(ids), &a.MediaIDs)
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	items, next := trimPage(out, limit, func(a wmory.Activity) string { return timeCursor(a.At, a.ID) })
	return items, next, nil
}

// MarkSeen records that the actor has looked at everything in the group so far.
func (db *DB) MarkSeen(ctx context.Context, actor wmory.Actor, groupID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewGroup, wmory.RoleNone); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE group_members SET seen_at = ? WHERE group_id = ? AND user_id = ?`, ms(tx.now), groupID, actor.UserID)
		return err
	})
}

// CommentsBy lists every comment an account wrote, oldest first: what its
// export carries.
func (db *DB) CommentsBy(ctx context.Context, userID string) ([]wmory.Comment, error) {
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT `+commentColumns+` FROM comments c JOIN users u ON u.id = c.author_id
		WHERE c.author_id = ? ORDER BY c.created_at, c.id`), userID)
	if err != nil {
		return nil, db.domainError(err)
	}
	out, err := collect(rows, scanComment)
	return out, db.domainError(err)
}
