package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/mail"
)

// JobNotify tells a batch by e-mail once it has ended (its payload names the
// notice). A batch that grew since the job was queued queues its next look.
const JobNotify JobKind = "notify"

// NoticePayload names a notice to tell.
type NoticePayload struct {
	ID string `json:"id"`
}

// UnsubscribeTokenLife is how long the unsubscribe link of an e-mail works.
const UnsubscribeTokenLife = 365 * 24 * time.Hour

// batchGap is how far apart two events of one batch may be, and how long
// after its last one the batch is told.
func (db *DB) batchGap() time.Duration {
	if db.BatchGap > 0 {
		return db.BatchGap
	}
	return wmory.UploadBatchGap
}

// noteForMail adds an event to the running batch of its kind about a member
// (an uploader, or the uploader of a commented item), or starts one whose
// telling is queued for when it would end. Concurrent first events of one
// batch meet on the notice's unique key: one inserts, the other extends.
func (tx *Tx) noteForMail(ctx context.Context, groupID string, kind wmory.NoticeKind, userID string) error {
	id := wmory.NewID(tx.now)
	inserted, err := tx.insertIgnore(ctx, `notices`, `id, group_id, kind, user_id, since, last_at`, `?, ?, ?, ?, ?, ?`,
		id, groupID, string(kind), userID, ms(tx.now), ms(tx.now))
	if err != nil {
		return err
	}
	if inserted {
		return tx.enqueueAt(ctx, JobNotify, NoticePayload{ID: id}, tx.now.Add(tx.db.batchGap()))
	}
	_, err = tx.exec(ctx, `UPDATE notices SET last_at = ? WHERE group_id = ? AND kind = ? AND user_id = ?`,
		ms(tx.now), groupID, string(kind), userID)
	return err
}

// SendNotice tells an ended batch to those who chose to hear of each batch:
// an uploader's run of uploads to the group's other members, comments on a
// member's items to that member. The notice is deleted in the transaction
// that queues the messages, so a batch is told once whichever worker runs its
// job, and however often. A batch still running is looked at again when it
// would end.
func (db *DB) SendNotice(ctx context.Context, id string, letters mail.Letters) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var groupID, kind, userID string
		var since, lastAt int64
		err := tx.queryRow(ctx, `SELECT group_id, kind, user_id, since, last_at FROM notices WHERE id = ?`+tx.forUpdate(), id).
			Scan(&groupID, &kind, &userID, &since, &lastAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // told already, or its group or member is gone
		}
		if err != nil {
			return err
		}
		if due := fromMS(lastAt).Add(db.batchGap()); due.After(tx.now) {
			return tx.enqueueAt(ctx, JobNotify, NoticePayload{ID: id}, due)
		}
		if _, err := tx.exec(ctx, `DELETE FROM notices WHERE id = ?`, id); err != nil {
			return err
		}
		news := mail.News{GroupID: groupID}
		var recipients []recipient
		switch wmory.NoticeKind(kind) {
		case wmory.NoticeUploads:
			if news.Added, err = tx.added(ctx, groupID, userID, "=", since, lastAt); err != nil || len(news.Added) == 0 {
				return err
			}
			recipients, err = tx.recipients(ctx, groupID, `gm.user_id <> ?`, userID)
		case wmory.NoticeComments:
			if news.Said, news.MoreSaid, err = tx.said(ctx, groupID, userID, since, lastAt); err != nil || len(news.Said) == 0 {
				return err
			}
			recipients, err = tx.recipients(ctx, groupID, `gm.user_id = ?`, userID)
		case wmory.NoticeTrashed:
			return tx.tellTrashed(ctx, letters, groupID, userID, since, lastAt)
		}
		if err != nil || len(recipients) == 0 {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT name FROM "groups" WHERE id = ?`, groupID).Scan(&news.GroupName); err != nil {
			return err
		}
		for _, r := range recipients {
			if err := tx.queueNews(ctx, letters, r, news); err != nil {
				return err
			}
		}
		return nil
	})
}

// tellTrashed tells a member which of their items others moved to the
// trash, and until when they can be restored: whatever the member's choice
// of news, as long as they are a member in good standing.
func (tx *Tx) tellTrashed(ctx context.Context, letters mail.Letters, groupID, userID string, since, lastAt int64) error {
	count, by, err := tx.trashedByOthers(ctx, groupID, userID, since, lastAt)
	if err != nil || count == 0 {
		return err
	}
	var to, name, group string
	err = tx.queryRow(ctx, `SELECT u.email, u.name, g.name FROM group_members gm JOIN users u ON u.id = gm.user_id JOIN "groups" g ON g.id = gm.group_id
		WHERE gm.group_id = ? AND gm.user_id = ? AND u.email_verified_at IS NOT NULL AND u.suspended_at IS NULL`, groupID, userID).Scan(&to, &name, &group)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	days := int(tx.db.trashFor() / (24 * time.Hour))
	return tx.enqueue(ctx, JobSendMail, SendMailPayload{Message: letters.Trashed(to, name, groupID, group, by, count, days)})
}

// recipient is a member who hears of a group's news by e-mail.
type recipient struct {
	userID, name, email string
	groupID             string
}

// recipients are the group's members matching the condition who chose to
// hear of each batch, with a verified address and an account in good standing.
func (tx *Tx) recipients(ctx context.Context, groupID, condition string, args ...any) ([]recipient, error) {
	rows, err := tx.query(ctx, `SELECT u.id, u.name, u.email FROM group_members gm JOIN users u ON u.id = gm.user_id
		WHERE gm.group_id = ? AND gm.email = ? AND u.email_verified_at IS NOT NULL AND u.suspended_at IS NULL AND `+condition+` ORDER BY u.id`,
		append([]any{groupID, string(wmory.EmailBatched)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recipient
	for rows.Next() {
		r := recipient{groupID: groupID}
		if err := rows.Scan(&r.userID, &r.name, &r.email); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// added counts what members added to a group between two times (inclusive),
// by uploader, most first: the uploader named (op "=") or everyone else ("<>").
// Items members cannot see are not told.
func (tx *Tx) added(ctx context.Context, groupID, uploaderID, op string, from, to int64) ([]mail.Added, error) {
	rows, err := tx.query(ctx, `SELECT u.name, SUM(CASE WHEN m.kind = 'video' THEN 0 ELSE 1 END), SUM(CASE WHEN m.kind = 'video' THEN 1 ELSE 0 END)
		FROM media m JOIN users u ON u.id = m.uploader_id JOIN "groups" g ON g.id = m.group_id
		WHERE m.group_id = ? AND m.uploader_id `+op+` ? AND m.uploaded_at >= ? AND m.uploaded_at <= ? AND `+notTrashed("m")+` AND `+visibleToMembers("m")+`
		GROUP BY m.uploader_id, u.name ORDER BY COUNT(*) DESC, u.name`, groupID, uploaderID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mail.Added
	for rows.Next() {
		var a mail.Added
		if err := rows.Scan(&a.Name, &a.Photos, &a.Videos); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// said lists what others wrote on a member's items in a group between two
// times (inclusive), oldest first: the first mail.QuotedComments, and how many more.
func (tx *Tx) said(ctx context.Context, groupID, uploaderID string, from, to int64) ([]mail.Said, int, error) {
	rows, err := tx.query(ctx, `SELECT u.name, c.text FROM comments c JOIN media m ON m.id = c.media_id JOIN users u ON u.id = c.author_id
		WHERE c.group_id = ? AND m.uploader_id = ? AND c.author_id <> ? AND c.created_at >= ? AND c.created_at <= ? AND `+notTrashed("m")+`
		ORDER BY c.created_at, c.id`, groupID, uploaderID, uploaderID, from, to)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []mail.Said
	more := 0
	for rows.Next() {
		var s mail.Said
		if err := rows.Scan(&s.Name, &s.Text); err != nil {
			return nil, 0, err
		}
		if len(out) < mail.QuotedComments {
			out = append(out, s)
		} else {
			more++
		}
	}
	return out, more, rows.Err()
}

// queueNews queues a message about a group's news to one member, with a link
// of its own that turns their e-mail about the group off. Such messages are
// members' news, not answers to public forms: the hourly cap of those does
// not apply, and they do not use it up.
func (tx *Tx) queueNews(ctx context.Context, letters mail.Letters, r recipient, news mail.News) error {
	token := wmory.NewToken()
	if _, err := tx.exec(ctx, `INSERT INTO unsubscribe_tokens (token_hash, user_id, group_id, created_at) VALUES (?, ?, ?, ?)`,
		wmory.HashToken(token), r.userID, r.groupID, ms(tx.now)); err != nil {
		return err
	}
	return tx.enqueue(ctx, JobSendMail, SendMailPayload{Message: letters.News(r.email, r.name, news, token)})
}

// SendDigests sends the daily digests that are due: to each member who chose
// one and whose last digest of the group is a day old, what others added and
// what they said about the member's items since then. A member whose day held
// no news gets nothing, and is looked at again a day later. It returns how
// many members it looked at; fewer than limit means none is left.
func (db *DB) SendDigests(ctx context.Context, letters mail.Letters, limit int) (int, error) {
	type due struct{ groupID, userID string }
	var members []due
	err := db.read(ctx, func(tx *Tx) error {
		members = nil
		rows, err := tx.query(ctx, `SELECT group_id, user_id FROM group_members WHERE email = ? AND digest_through <= ? ORDER BY digest_through LIMIT ?`,
			string(wmory.EmailDaily), ms(tx.now.Add(-wmory.DigestEvery)), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.groupID, &d.userID); err != nil {
				return err
			}
			members = append(members, d)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	for _, m := range members {
		if err := db.sendDigest(ctx, letters, m.groupID, m.userID); err != nil {
			return 0, err
		}
	}
	return len(members), nil
}

// sendDigest tells one member a day of a group's news, once: the member's row
// is locked and its digest time moved on in the transaction that queues the
// message, so another process that picked the same member finds it not due.
func (db *DB) sendDigest(ctx context.Context, letters mail.Letters, groupID, userID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var since int64
		var choice string
		err := tx.queryRow(ctx, `SELECT digest_through, email FROM group_members WHERE group_id = ? AND user_id = ?`+tx.forUpdate(), groupID, userID).Scan(&since, &choice)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if wmory.EmailChoice(choice) != wmory.EmailDaily || fromMS(since).Add(wmory.DigestEvery).After(tx.now) {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE group_members SET digest_through = ? WHERE group_id = ? AND user_id = ?`, ms(tx.now), groupID, userID); err != nil {
			return err
		}
		news := mail.News{GroupID: groupID, Daily: true}
		// Bounds are inclusive: what happened at the last digest's instant
		// was in it, so this one starts just after.
		if news.Added, err = tx.added(ctx, groupID, userID, "<>", since+1, ms(tx.now)); err != nil {
			return err
		}
		if news.Said, news.MoreSaid, err = tx.said(ctx, groupID, userID, since+1, ms(tx.now)); err != nil {
			return err
		}
		if len(news.Added) == 0 && len(news.Said) == 0 {
			return nil
		}
		var r recipient
		err = tx.queryRow(ctx, `SELECT u.id, u.name, u.email, g.name FROM users u JOIN "groups" g ON g.id = ?
			WHERE u.id = ? AND u.email_verified_at IS NOT NULL AND u.suspended_at IS NULL`, groupID, userID).Scan(&r.userID, &r.name, &r.email, &news.GroupName)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		r.groupID = groupID
		return tx.queueNews(ctx, letters, r, news)
	})
}

// EmailChoice is how the actor hears about a group by e-mail.
func (db *DB) EmailChoice(ctx context.Context, actor wmory.Actor, groupID string) (wmory.EmailChoice, error) {
	var choice string
	err := db.read(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewGroup, wmory.RoleNone); err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT email FROM group_members WHERE group_id = ? AND user_id = ?`, groupID, actor.UserID).Scan(&choice)
	})
	return wmory.EmailChoice(choice), err
}

// SetEmailChoice changes how the actor hears about a group by e-mail. A
// member who turns to the daily digest gets the first a day later, telling
// that day: what came before was told, or was chosen not to be.
func (db *DB) SetEmailChoice(ctx context.Context, actor wmory.Actor, groupID string, choice wmory.EmailChoice) error {
	if _, err := wmory.ParseEmailChoice(string(choice)); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActViewGroup, wmory.RoleNone); err != nil {
			return err
		}
		return tx.setEmailChoice(ctx, groupID, actor.UserID, choice)
	})
}

func (tx *Tx) setEmailChoice(ctx context.Context, groupID, userID string, choice wmory.EmailChoice) error {
	_, err := tx.exec(ctx, `UPDATE group_members SET digest_through = CASE WHEN email = ? THEN digest_through ELSE ? END, email = ?
		WHERE group_id = ? AND user_id = ?`, string(wmory.EmailDaily), ms(tx.now), string(choice), groupID, userID)
	return err
}

// Unsubscribe turns off the e-mail about a group for the member an e-mail's
// link was made for, without a session: the link is the credential (RFC
// 8058). It returns the group's name, to say what was turned off. A link
// works again and again (mail clients may send it twice), until it expires.
func (db *DB) Unsubscribe(ctx context.Context, token string) (string, error) {
	var groupName string
	err := db.inTx(ctx, func(tx *Tx) error {
		var userID, groupID string
		err := tx.queryRow(ctx, `SELECT t.user_id, t.group_id, g.name FROM unsubscribe_tokens t JOIN "groups" g ON g.id = t.group_id
			WHERE t.token_hash = ? AND t.created_at > ?`, wmory.HashToken(token), ms(tx.now.Add(-UnsubscribeTokenLife))).Scan(&userID, &groupID, &groupName)
		if errors.Is(err, sql.ErrNoRows) {
			return errInvalidToken
		}
		if err != nil {
			return err
		}
		// A former member gets no e-mail about the group anyway: nothing to change.
		return tx.setEmailChoice(ctx, groupID, userID, wmory.EmailOff)
	})
	return groupName, err
}
