package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wmory/wmory"
)

var errInviteInvalid = wmory.Errorf(wmory.ECodeInviteInvalid, "This invite link is invalid, expired, used up or revoked.")

const inviteColumns = `i.id, i.group_id, i.code, i.max_uses, i.uses, i.expires_at, i.created_by, i.revoked_at`

func scanInvite(row scanner) (*wmory.Invite, error) {
	var inv wmory.Invite
	var maxUses, revoked sql.NullInt64
	var createdBy sql.NullString
	var expires int64
	if err := row.Scan(&inv.ID, &inv.GroupID, &inv.Code, &maxUses, &inv.Uses, &expires, &createdBy, &revoked); err != nil {
		return nil, err
	}
	if maxUses.Valid {
		n := int(maxUses.Int64)
		inv.MaxUses = &n
	}
	inv.ExpiresAt, inv.CreatedBy, inv.Revoked = fromMS(expires), createdBy.String, revoked.Valid
	return &inv, nil
}

// CreateInvite makes an invite link for a group.
func (db *DB) CreateInvite(ctx context.Context, actor wmory.Actor, groupID string, maxUses *int, lifetime time.Duration) (*wmory.Invite, error) {
	var inv *wmory.Invite
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActCreateInvite, wmory.RoleNone); err != nil {
			return err
		}
		inv = &wmory.Invite{ID: wmory.NewID(tx.now), GroupID: groupID, Code: wmory.NewInviteCode(), MaxUses: maxUses,
			ExpiresAt: fromMS(ms(tx.now.Add(lifetime))), CreatedBy: actor.UserID}
		var max sql.NullInt64
		if maxUses != nil {
			max = sql.NullInt64{Int64: int64(*maxUses), Valid: true}
		}
		if _, err := tx.exec(ctx, `INSERT INTO invites (id, group_id, code, created_by, max_uses, uses, expires_at, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
			inv.ID, groupID, inv.Code, actor.UserID, max, ms(inv.ExpiresAt), ms(tx.now)); err != nil {
			return err
		}
		details := map[string]any{"expires_at": inv.ExpiresAt}
		if maxUses != nil {
			details["max_uses"] = *maxUses
		}
		return tx.audit(ctx, actor, groupID, wmory.AuditInviteCreate, wmory.AuditTargetInvite, inv.ID, details)
	})
	return inv, err
}

// Invites lists a group's invites, newest first, revoked and expired ones included.
func (db *DB) Invites(ctx context.Context, actor wmory.Actor, groupID, after string, limit int) ([]wmory.Invite, string, error) {
	var out []wmory.Invite
	err := db.read(ctx, func(tx *Tx) error {
		out = nil
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActListInvites, wmory.RoleNone); err != nil {
			return err
		}
		q := `SELECT ` + inviteColumns + ` FROM invites i WHERE i.group_id = ?`
		args := []any{groupID}
		if after != "" {
			q += ` AND i.id < ?`
			args = append(args, after)
		}
		rows, err := tx.query(ctx, q+` ORDER BY i.id DESC LIMIT ?`, append(args, pageSize(limit))...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanInvite)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	items, next := trimPage(out, limit, func(i wmory.Invite) string { return i.ID })
	return items, next, nil
}

// RevokeInvite makes an invite unusable; revoking twice is harmless.
func (db *DB) RevokeInvite(ctx context.Context, actor wmory.Actor, groupID, inviteID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActRevokeInvite, wmory.RoleNone); err != nil {
			return err
		}
		if err := tx.execOne(ctx, wmory.NotFound("Invite"), `UPDATE invites SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND group_id = ?`,
			ms(tx.now), inviteID, groupID); err != nil {
			return err
		}
		return tx.audit(ctx, actor, groupID, wmory.AuditInviteRevoke, wmory.AuditTargetInvite, inviteID, nil)
	})
}

// usableInvite finds an invite that can still admit someone.
func (tx *Tx) usableInvite(ctx context.Context, code string) (*wmory.Invite, error) {
	inv, err := scanInvite(tx.queryRow(ctx, `SELECT `+inviteColumns+` FROM invites i WHERE i.code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errInviteInvalid
	}
	if err != nil {
		return nil, err
	}
	if inv.Revoked || !inv.ExpiresAt.After(tx.now) || (inv.MaxUses != nil && inv.Uses >= *inv.MaxUses) {
		return nil, errInviteInvalid
	}
	return inv, nil
}

// PreviewInvite tells a signed-in user which group an invite leads to.
func (db *DB) PreviewInvite(ctx context.Context, code string) (*wmory.InvitePreview, error) {
	var p *wmory.InvitePreview
	err := db.read(ctx, func(tx *Tx) error {
		inv, err := tx.usableInvite(ctx, code)
		if err != nil {
			return err
		}
		var inviter sql.NullString
		p = &wmory.InvitePreview{ExpiresAt: inv.ExpiresAt}
		if err := tx.queryRow(ctx, `SELECT g.name, u.name FROM "groups" g LEFT JOIN users u ON u.id = ? WHERE g.id = ?`,
			inv.CreatedBy, inv.GroupID).Scan(&p.GroupName, &inviter); err != nil {
			return err
		}
		p.InvitedBy = inviter.String
		if !inviter.Valid {
			p.InvitedBy = wmory.DeletedUserName
		}
		return nil
	})
	return p, err
}

// AcceptInvite adds the actor to the invite's group. A member accepting again gets
// the group without using the invite up. Each invite admits a user once: someone
// who joined through it and left needs another one, and someone removed needs
// one made after the removal.
func (db *DB) AcceptInvite(ctx context.Context, actor wmory.Actor, code string) (*wmory.Group, error) {
	var g *wmory.Group
	err := db.inTx(ctx, func(tx *Tx) error {
		inv, err := tx.usableInvite(ctx, code)
		if err != nil {
			return err
		}
		if role, _, err := tx.membership(ctx, actor.UserID, inv.GroupID, false); err != nil {
			return err
		} else if role != wmory.RoleNone {
			g, err = tx.group(ctx, actor.UserID, inv.GroupID)
			return err
		}
		var used int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM invite_uses WHERE invite_id = ? AND user_id = ?`, inv.ID, actor.UserID).Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			return errInviteInvalid
		}
		// Someone removed from the group comes back only through an invite made
		// after the removal: older links (their own included) were handed out
		// before anyone decided they should go.
		var removed int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM member_removals r JOIN invites i ON i.id = ?
			WHERE r.group_id = i.group_id AND r.user_id = ?
			AND (r.removed_at > i.created_at OR (r.removed_at = i.created_at AND r.id > i.id))`, inv.ID, actor.UserID).Scan(&removed); err != nil {
			return err
		}
		if removed > 0 {
			return errInviteInvalid
		}
		// The use is counted by a guarded update, so concurrent accepts can never
		// admit more people than max_uses.
		if err := tx.execOne(ctx, errInviteInvalid, `UPDATE invites SET uses = uses + 1
			WHERE id = ? AND revoked_at IS NULL AND expires_at > ? AND (max_uses IS NULL OR uses < max_uses)`, inv.ID, ms(tx.now)); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO invite_uses (invite_id, user_id, used_at) VALUES (?, ?, ?)`, inv.ID, actor.UserID, ms(tx.now)); err != nil {
			return err
		}
		if err := tx.insertMember(ctx, inv.GroupID, actor.UserID, wmory.RoleMember); err != nil {
			return err
		}
		if err := tx.addActivity(ctx, inv.GroupID, actor.UserID, wmory.ActivityJoined, nil, activityAbout{}); err != nil {
			return err
		}
		if err := tx.audit(ctx, actor, inv.GroupID, wmory.AuditInviteAccept, wmory.AuditTargetInvite, inv.ID, nil); err != nil {
			return err
		}
		g, err = tx.group(ctx, actor.UserID, inv.GroupID)
		return err
	})
	return g, err
}
