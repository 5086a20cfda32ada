package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/mail"
)

const reportColumns = `r.id, r.media_id, r.group_id, r.reporter_id, r.reason, r.details, r.status, r.action, r.escalated_at, r.created_at, r.resolved_at, r.resolved_by, r.comment_id`

func scanReport(row scanner) (*wmory.Report, error) {
	var r wmory.Report
	var reporter, resolvedBy, comment sql.NullString
	var escalated, resolved sql.NullInt64
	var created int64
	if err := row.Scan(&r.ID, &r.MediaID, &r.GroupID, &reporter, &r.Reason, &r.Details, &r.Status, &r.Action, &escalated, &created, &resolved, &resolvedBy, &comment); err != nil {
		return nil, err
	}
	r.ReporterID, r.ResolvedBy, r.Escalated, r.CreatedAt, r.CommentID = reporter.String, resolvedBy.String, escalated.Valid, fromMS(created), comment.String
	if resolved.Valid {
		t := fromMS(resolved.Int64)
		r.ResolvedAt = &t
	}
	return &r, nil
}

// visibleToMembers is false for media that enough distinct members reported
// (the group's auto_hide_reports; 0 turns hiding off). Moderators still see it.
// Aliases: media for the media table's, g for groups.
func visibleToMembers(media string) string {
	return `(g.auto_hide_reports = 0 OR (SELECT COUNT(DISTINCT hr.reporter_id) FROM reports hr
	WHERE hr.media_id = ` + media + `.id AND hr.comment_id IS NULL AND hr.status = 'open') < g.auto_hide_reports)`
}

// CreateReport files a member's report on an item of its group. It returns the
// addresses to notify, at most once per group and hour.
func (db *DB) CreateReport(ctx context.Context, actor wmory.Actor, mediaID, reason, details string, letters mail.Letters) (*wmory.Report, []string, error) {
	return db.createReport(ctx, actor, mediaID, "", reason, details, letters)
}

// CreateCommentReport files a member's report on a comment, into the same
// queue; it never hides the item.
func (db *DB) CreateCommentReport(ctx context.Context, actor wmory.Actor, commentID, reason, details string, letters mail.Letters) (*wmory.Report, []string, error) {
	var mediaID string
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT media_id FROM comments WHERE id = ?`), commentID).Scan(&mediaID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, wmory.NotFound("Comment")
	}
	if err != nil {
		return nil, nil, db.domainError(err)
	}
	rep, notify, err := db.createReport(ctx, actor, mediaID, commentID, reason, details, letters)
	if wmory.ErrorCode(err) == wmory.ECodeNotFound {
		err = wmory.NotFound("Comment")
	}
	return rep, notify, err
}

func (db *DB) createReport(ctx context.Context, actor wmory.Actor, mediaID, commentID, reason, details string, letters mail.Letters) (*wmory.Report, []string, error) {
	var rep *wmory.Report
	var notify []string
	err := db.inTx(ctx, func(tx *Tx) error {
		notify = nil
		// Any member may report, an item hidden by others' reports included.
		var groupID string
		err := tx.queryRow(ctx, `SELECT m.group_id FROM media m JOIN group_members gm ON gm.group_id = m.group_id AND gm.user_id = ? WHERE m.id = ? AND `+notTrashed("m"),
			actor.UserID, mediaID).Scan(&groupID)
		if errors.Is(err, sql.ErrNoRows) {
			return wmory.NotFound("Media")
		}
		if err != nil {
			return err
		}
		what, openKey := "item", mediaID+":"+actor.UserID
		if commentID != "" {
			what, openKey = "comment", "c"+commentID+":"+actor.UserID
		}
		var open int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM reports WHERE open_key = ?`, openKey).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return wmory.Errorf(wmory.ECodeAlreadyReported, "You already reported this %s; a moderator will look at it.", what)
		}
		rep = &wmory.Report{ID: wmory.NewID(tx.now), MediaID: mediaID, CommentID: commentID, GroupID: groupID, ReporterID: actor.UserID, Reason: reason,
			Details: details, Status: wmory.ReportOpen, CreatedAt: fromMS(ms(tx.now))}
		if _, err := tx.exec(ctx, `INSERT INTO reports (id, media_id, comment_id, group_id, reporter_id, reason, details, status, action, open_key, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`, rep.ID, mediaID, nullString(commentID), groupID, actor.UserID, reason, details, wmory.ReportOpen,
			openKey, ms(tx.now)); err != nil {
			return err
		}
		target := map[string]any{"media_id": mediaID, "reason": reason}
		if commentID != "" {
			target["comment_id"] = commentID
		}
		if err := tx.audit(ctx, actor, groupID, wmory.AuditReportCreate, wmory.AuditTargetReport, rep.ID, target); err != nil {
			return err
		}
		// One notice per group and hour: claim the slot with a guarded write.
		if _, err := tx.insertIgnore(ctx, `report_notices`, `group_id, sent_at`, `?, 0`, groupID); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE report_notices SET sent_at = ? WHERE group_id = ? AND sent_at <= ?`, ms(tx.now), groupID, ms(tx.now.Add(-time.Hour)))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if notify, err = tx.strings(ctx, `SELECT u.email FROM group_members gm JOIN users u ON u.id = gm.user_id
				WHERE gm.group_id = ? AND gm.role IN ('owner', 'admin') AND u.suspended_at IS NULL`, groupID); err != nil {
				return err
			}
		}
		var groupName string
		if len(notify) > 0 {
			if err := tx.queryRow(ctx, `SELECT name FROM "groups" WHERE id = ?`, groupID).Scan(&groupName); err != nil {
				return err
			}
		}
		for _, to := range notify {
			if err := tx.queueMail(ctx, letters.ReportFiled(to, groupID, groupName)); err != nil {
				return err
			}
		}
		return nil
	})
	return rep, notify, err
}

// ReportKey is a report's position in a queue: open before resolved, then oldest first.
func ReportKey(r wmory.Report) string {
	rank := "1"
	if r.Status == wmory.ReportOpen {
		rank = "0"
	}
	return rank + "." + r.ID
}

func afterReport(after string) (string, string, error) {
	if after == "" {
		return "", "", nil
	}
	rank, id, ok := strings.Cut(after, ".")
	if !ok || (rank != "0" && rank != "1") {
		return "", "", wmory.Invalid("cursor", "is not a cursor this API returned.")
	}
	return rank, id, nil
}

// Reports lists a group's reports: all of them for owners and admins, only the
// caller's own for members. status may be empty for both.
func (db *DB) Reports(ctx context.Context, actor wmory.Actor, groupID, status, after string, limit int) ([]wmory.Report, string, error) {
	var out []wmory.Report
	err := db.read(ctx, func(tx *Tx) error {
		out = nil
		role, _, err := tx.membership(ctx, actor.UserID, groupID, false)
		if err != nil {
			return err
		}
		if role == wmory.RoleNone {
			return wmory.NotFound("Group")
		}
		q := `SELECT ` + reportColumns + ` FROM reports r WHERE r.group_id = ?`
		args := []any{groupID}
		if wmory.Authorize(role, wmory.ActModerate, wmory.RoleNone, wmory.GroupSettings{}) != nil {
			q += ` AND r.reporter_id = ?`
			args = append(args, actor.UserID)
		}
		if status != "" {
			q += ` AND r.status = ?`
			args = append(args, status)
		}
		rank, id, err := afterReport(after)
		if err != nil {
			return err
		}
		rankExpr := `(CASE r.status WHEN 'open' THEN 0 ELSE 1 END)`
		if rank != "" {
			q += ` AND (` + rankExpr + ` > ? OR (` + rankExpr + ` = ? AND r.id > ?))`
			n, _ := strconv.Atoi(rank)
			args = append(args, n, n, id)
		}
		rows, err := tx.query(ctx, q+` ORDER BY `+rankExpr+`, r.id LIMIT ?`, append(args, pageSize(limit))...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanReport)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	items, next := trimPage(out, limit, ReportKey)
	return items, next, nil
}

// reportForModerator loads a report and checks that the actor moderates its
// group: outsiders do not learn that it exists.
func (tx *Tx) reportForModerator(ctx context.Context, actor wmory.Actor, reportID string) (*wmory.Report, error) {
	r, err := scanReport(tx.queryRow(ctx, `SELECT `+reportColumns+` FROM reports r WHERE r.id = ?`+tx.forUpdate(), reportID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wmory.NotFound("Report")
	}
	if err != nil {
		return nil, err
	}
	role, settings, err := tx.membership(ctx, actor.UserID, r.GroupID, true)
	if err != nil {
		return nil, err
	}
	if role == wmory.RoleNone {
		return nil, wmory.NotFound("Report")
	}
	return r, wmory.Authorize(role, wmory.ActModerate, wmory.RoleNone, settings)
}

// ResolveReport closes every open report on the item with the same action.
// remove_media deletes the item; remove_uploader also removes its uploader from
// the group, under the rule of removing a member (an admin removes only members).
func (db *DB) ResolveReport(ctx context.Context, actor wmory.Actor, reportID, action string) (*wmory.Report, error) {
	var out *wmory.Report
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.reportForModerator(ctx, actor, reportID)
		if err != nil {
			return err
		}
		if r.Status != wmory.ReportOpen {
			return wmory.Errorf(wmory.ECodeConflict, "This report is already resolved.")
		}
		role, settings, err := tx.membership(ctx, actor.UserID, r.GroupID, true)
		if err != nil {
			return err
		}
		// Who the report is about: the item's uploader, or the comment's author.
		var uploader string
		if r.CommentID != "" {
			err = tx.queryRow(ctx, `SELECT author_id FROM comments WHERE id = ?`, r.CommentID).Scan(&uploader)
		} else {
			err = tx.queryRow(ctx, `SELECT uploader_id FROM media WHERE id = ?`, r.MediaID).Scan(&uploader)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The uploader's role is the target: removing them through a report
		// obeys the same rule as removing them from the members page.
		target := wmory.RoleNone
		if uploader != "" {
			if m, err := tx.member(ctx, r.GroupID, uploader, true); err == nil {
				target = m.Role
			} else if wmory.ErrorCode(err) != wmory.ECodeNotFound {
				return err
			}
		}
		act, ok := wmory.ReportAction(action)
		if !ok {
			return wmory.Invalid("action", "must be remove_media, dismiss or remove_uploader.")
		}
		if err := wmory.Authorize(role, act, target, settings); err != nil {
			return err
		}
		if action == "remove_uploader" && target != wmory.RoleNone {
			if err := tx.endMembership(ctx, r.GroupID, uploader, true); err != nil {
				return err
			}
			if err := tx.audit(ctx, actor, r.GroupID, wmory.AuditMemberRemove, wmory.AuditTargetUser, uploader, map[string]any{"report_id": r.ID, "role": string(target)}); err != nil {
				return err
			}
		}
		// Every open report on the same item (or comment) is settled with it.
		same, arg := `media_id = ? AND comment_id IS NULL`, r.MediaID
		if r.CommentID != "" {
			same, arg = `comment_id = ?`, r.CommentID
		}
		if _, err := tx.exec(ctx, `UPDATE reports SET status = ?, action = ?, resolved_at = ?, resolved_by = ?, open_key = NULL
			WHERE `+same+` AND status = ?`, wmory.ReportResolved, action, ms(tx.now), actor.UserID, arg, wmory.ReportOpen); err != nil {
			return err
		}
		if action != "dismiss" && uploader != "" {
			var err error
			if r.CommentID != "" {
				err = tx.removeComment(ctx, actor, r.GroupID, r.MediaID, r.CommentID, map[string]any{"report_id": r.ID})
			} else {
				err = tx.removeMedia(ctx, actor, r.GroupID, r.MediaID, map[string]any{"report_id": r.ID})
			}
			if err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, actor, r.GroupID, wmory.AuditReportResolve, wmory.AuditTargetReport, r.ID, map[string]any{"action": action, "media_id": r.MediaID}); err != nil {
			return err
		}
		out, err = scanReport(tx.queryRow(ctx, `SELECT `+reportColumns+` FROM reports r WHERE r.id = ?`, reportID))
		return err
	})
	return out, err
}

// EscalateReport hands an open report to the instance admins.
func (db *DB) EscalateReport(ctx context.Context, actor wmory.Actor, reportID string) (*wmory.Report, error) {
	var out *wmory.Report
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.reportForModerator(ctx, actor, reportID)
		if err != nil {
			return err
		}
		if r.Status != wmory.ReportOpen {
			return wmory.Errorf(wmory.ECodeConflict, "This report is already resolved.")
		}
		if _, err := tx.exec(ctx, `UPDATE reports SET escalated_at = COALESCE(escalated_at, ?) WHERE id = ?`, ms(tx.now), r.ID); err != nil {
			return err
		}
		if err := tx.audit(ctx, actor, r.GroupID, wmory.AuditReportEscalate, wmory.AuditTargetReport, r.ID, nil); err != nil {
			return err
		}
		out, err = scanReport(tx.queryRow(ctx, `SELECT `+reportColumns+` FROM reports r WHERE r.id = ?`, reportID))
		return err
	})
	return out, err
}
