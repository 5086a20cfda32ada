package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wmory/wmory"
)

// membership reads the caller's role in a group and the group's settings; a
// missing group and a non-member look the same (RoleNone). With lock, the
// caller's membership row is locked until the transaction ends, so that a
// concurrent demotion cannot slip between the check and the change.
func (tx *Tx) membership(ctx context.Context, userID, groupID string, lock bool) (wmory.Role, wmory.GroupSettings, error) {
	var role string
	var s wmory.GroupSettings
	q := `SELECT m.role, g.members_can_invite FROM group_members m JOIN "groups" g ON g.id = m.group_id
		WHERE m.group_id = ? AND m.user_id = ?`
	if lock {
		q += tx.forUpdate()
	}
	err := tx.queryRow(ctx, q, groupID, userID).Scan(&role, &s.MembersCanInvite)
	if errors.Is(err, sql.ErrNoRows) {
		return wmory.RoleNone, s, nil
	}
	return wmory.Role(role), s, err
}

// settings reads a group's own switches.
func (tx *Tx) settings(ctx context.Context, groupID string) (wmory.GroupSettings, error) {
	var s wmory.GroupSettings
	err := tx.queryRow(ctx, `SELECT members_can_invite FROM "groups" WHERE id = ?`, groupID).Scan(&s.MembersCanInvite)
	return s, err
}

// authorize applies the group permission rules to the caller for an action with
// no target member (target is then RoleNone) or a target of the given role.
func (tx *Tx) authorize(ctx context.Context, userID, groupID string, action wmory.GroupAction, target wmory.Role) (wmory.Role, error) {
	role, settings, err := tx.membership(ctx, userID, groupID, action != wmory.ActViewGroup && action != wmory.ActListMembers && action != wmory.ActViewAudit)
	if err != nil {
		return role, err
	}
	return role, wmory.Authorize(role, action, target, settings)
}

// groupColumns include the group's cover: its newest ready item that every
// member may see (one query for a whole list of groups), and the count of the
// items the caller sees in its gallery (moderators see hidden ones too; a
// list's rows each have their own caller's role, so the rule is in SQL here).
func groupColumns() string {
	moderator := `m.role IN ('` + string(wmory.RoleOwner) + `', '` + string(wmory.RoleAdmin) + `')`
	return `g.id, g.name, m.role, (SELECT COUNT(*) FROM group_members c WHERE c.group_id = g.id),
	(SELECT COUNT(*) FROM media x WHERE x.group_id = g.id AND x.trashed_at IS NULL AND (` + moderator + ` OR ` + visibleToMembers("x") + `)),
	g.members_can_invite, g.auto_hide_reports, g.created_at,
	(SELECT cv.object_key FROM media cv WHERE cv.group_id = g.id AND cv.status = 'ready' AND cv.trashed_at IS NULL AND ` + visibleToMembers("cv") + `
		ORDER BY cv.taken_at DESC, cv.id DESC LIMIT 1),
	(SELECT COUNT(*) FROM media un WHERE un.group_id = g.id AND un.uploaded_at > m.seen_at AND un.uploader_id <> m.user_id AND un.trashed_at IS NULL
		AND (` + moderator + ` OR ` + visibleToMembers("un") + `))`
}

func scanGroup(row scanner, extra ...any) (*wmory.Group, error) {
	var g wmory.Group
	var role string
	var created int64
	var cover sql.NullString
	if err := row.Scan(append([]any{&g.ID, &g.Name, &role, &g.MemberCount, &g.MediaCount, &g.MembersCanInvite, &g.AutoHideReports, &created, &cover, &g.UnseenCount}, extra...)...); err != nil {
		return nil, err
	}
	g.Role, g.CreatedAt, g.CoverKey = wmory.Role(role), fromMS(created), cover.String
	return &g, nil
}

func (tx *Tx) group(ctx context.Context, userID, groupID string) (*wmory.Group, error) {
	g, err := scanGroup(tx.queryRow(ctx, `SELECT `+groupColumns()+` FROM group_members m JOIN "groups" g ON g.id = m.group_id
		WHERE m.group_id = ? AND m.user_id = ?`, groupID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wmory.NotFound("Group")
	}
	return g, err
}

// CreateGroup makes a group with the actor as its owner.
func (db *DB) CreateGroup(ctx context.Context, actor wmory.Actor, name string) (*wmory.Group, error) {
	var g *wmory.Group
	err := db.inTx(ctx, func(tx *Tx) error {
		id := wmory.NewID(tx.now)
		if _, err := tx.exec(ctx, `INSERT INTO "groups" (id, name, members_can_invite, auto_hide_reports, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, name, false, wmory.DefaultAutoHideReports, ms(tx.now), ms(tx.now)); err != nil {
			return err
		}
		if err := tx.insertMember(ctx, id, actor.UserID, wmory.RoleOwner); err != nil {
			return err
		}
		if err := tx.audit(ctx, actor, id, wmory.AuditGroupCreate, wmory.AuditTargetGroup, id, map[string]any{"name": name}); err != nil {
			return err
		}
		var err error
		g, err = tx.group(ctx, actor.UserID, id)
		return err
	})
	return g, err
}

func (tx *Tx) insertMember(ctx context.Context, groupID, userID string, role wmory.Role) error {
	_, err := tx.exec(ctx, `INSERT INTO group_members (id, group_id, user_id, role, joined_at) VALUES (?, ?, ?, ?, ?)`,
		wmory.NewID(tx.now), groupID, userID, string(role), ms(tx.now))
	return err
}

// Groups lists the groups the user belongs to, in the order joined.
func (db *DB) Groups(ctx context.Context, userID, after string, limit int) ([]wmory.Group, string, error) {
	var out []wmory.Group
	var keys []string
	err := db.read(ctx, func(tx *Tx) error {
		out, keys = nil, nil
		rows, err := tx.query(ctx, `SELECT `+groupColumns()+`, m.id FROM group_members m JOIN "groups" g ON g.id = m.group_id
			WHERE m.user_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`, userID, after, pageSize(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			g, err := scanGroup(rows, &key)
			if err != nil {
				return err
			}
			out, keys = append(out, *g), append(keys, key)
		}
		return rows.Err()
	})
	if err != nil || len(out) <= limit {
		return out, "", err
	}
	return out[:limit], keys[limit-1], nil
}

// Group returns one group the actor belongs to.
func (db *DB) Group(ctx context.Context, actor wmory.Actor, groupID string) (*wmory.Group, error) {
	var g *wmory.Group
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		g, err = tx.group(ctx, actor.UserID, groupID)
		return err
	})
	return g, err
}

// GroupPatch holds the settings a PATCH may change; nil fields stay as they are.
type GroupPatch struct {
	Name             *string
	MembersCanInvite *bool
	AutoHideReports  *int
}

// UpdateGroup changes a group's name or settings.
func (db *DB) UpdateGroup(ctx context.Context, actor wmory.Actor, groupID string, p GroupPatch) (*wmory.Group, error) {
	var g *wmory.Group
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActUpdateGroup, wmory.RoleNone); err != nil {
			return err
		}
		changed := map[string]any{}
		if p.Name != nil {
			changed["name"] = *p.Name
			if _, err := tx.exec(ctx, `UPDATE "groups" SET name = ? WHERE id = ?`, *p.Name, groupID); err != nil {
				return err
			}
		}
		if p.MembersCanInvite != nil {
			changed["members_can_invite"] = *p.MembersCanInvite
			if _, err := tx.exec(ctx, `UPDATE "groups" SET members_can_invite = ? WHERE id = ?`, *p.MembersCanInvite, groupID); err != nil {
				return err
			}
			if !*p.MembersCanInvite {
				if err := tx.revokeMemberInvites(ctx, groupID, ""); err != nil {
					return err
				}
			}
		}
		if p.AutoHideReports != nil {
			changed["auto_hide_reports"] = *p.AutoHideReports
			if _, err := tx.exec(ctx, `UPDATE "groups" SET auto_hide_reports = ? WHERE id = ?`, *p.AutoHideReports, groupID); err != nil {
				return err
			}
		}
		if len(changed) > 0 {
			if _, err := tx.exec(ctx, `UPDATE "groups" SET updated_at = ? WHERE id = ?`, ms(tx.now), groupID); err != nil {
				return err
			}
			if err := tx.audit(ctx, actor, groupID, wmory.AuditGroupUpdate, wmory.AuditTargetGroup, groupID, changed); err != nil {
				return err
			}
		}
		var err error
		g, err = tx.group(ctx, actor.UserID, groupID)
		return err
	})
	return g, err
}

// DeleteGroup deletes a group with its memberships and invites.
func (db *DB) DeleteGroup(ctx context.Context, actor wmory.Actor, groupID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActDeleteGroup, wmory.RoleNone); err != nil {
			return err
		}
		return tx.deleteGroup(ctx, actor, groupID, "")
	})
}

func (tx *Tx) deleteGroup(ctx context.Context, actor wmory.Actor, groupID, reason string) error {
	var name string
	if err := tx.queryRow(ctx, `SELECT name FROM "groups" WHERE id = ?`, groupID).Scan(&name); err != nil {
		return err
	}
	if err := tx.queueMediaDeletes(ctx, `group_id = ?`, groupID); err != nil {
		return err
	}
	if err := tx.execOne(ctx, wmory.NotFound("Group"), `DELETE FROM "groups" WHERE id = ?`, groupID); err != nil {
		return err
	}
	details := map[string]any{"name": name}
	if reason != "" {
		details["reason"] = reason
	}
	return tx.audit(ctx, actor, groupID, wmory.AuditGroupDelete, wmory.AuditTargetGroup, groupID, details)
}

func scanMember(row scanner, extra ...any) (*wmory.Member, error) {
	var m wmory.Member
	var role string
	var joined int64
	if err := row.Scan(append([]any{&m.UserID, &m.Name, &role, &joined}, extra...)...); err != nil {
		return nil, err
	}
	m.Role, m.JoinedAt = wmory.Role(role), fromMS(joined)
	return &m, nil
}

func (tx *Tx) member(ctx context.Context, groupID, userID string, lock bool) (*wmory.Member, error) {
	q := `SELECT m.user_id, u.name, m.role, m.joined_at FROM group_members m JOIN users u ON u.id = m.user_id
		WHERE m.group_id = ? AND m.user_id = ?`
	if lock {
		q += tx.forUpdate()
	}
	m, err := scanMember(tx.queryRow(ctx, q, groupID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wmory.NotFound("Member")
	}
	return m, err
}

// Members lists a group's members in the order they joined.
func (db *DB) Members(ctx context.Context, actor wmory.Actor, groupID, after string, limit int) ([]wmory.Member, string, error) {
	var out []wmory.Member
	var keys []string
	err := db.read(ctx, func(tx *Tx) error {
		out, keys = nil, nil
		if _, err := tx.authorize(ctx, actor.UserID, groupID, wmory.ActListMembers, wmory.RoleNone); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT m.user_id, u.name, m.role, m.joined_at, m.id FROM group_members m JOIN users u ON u.id = m.user_id
			WHERE m.group_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`, groupID, after, pageSize(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			m, err := scanMember(rows, &key)
			if err != nil {
				return err
			}
			out, keys = append(out, *m), append(keys, key)
		}
		return rows.Err()
	})
	if err != nil || len(out) <= limit {
		return out, "", err
	}
	return out[:limit], keys[limit-1], nil
}

// targetMember resolves the member an action is aimed at and checks the rule. A
// target who is not in the group is not found, for callers who are.
func (tx *Tx) targetMember(ctx context.Context, actor wmory.Actor, groupID, userID string, action wmory.GroupAction) (*wmory.Member, error) {
	role, settings, err := tx.membership(ctx, actor.UserID, groupID, true)
	if err != nil {
		return nil, err
	}
	if role == wmory.RoleNone {
		return nil, wmory.NotFound("Group")
	}
	m, err := tx.member(ctx, groupID, userID, true)
	if err != nil {
		return nil, err
	}
	return m, wmory.Authorize(role, action, m.Role, settings)
}

// ChangeRole makes a member an admin or an admin a member.
func (db *DB) ChangeRole(ctx context.Context, actor wmory.Actor, groupID, userID string, role wmory.Role) (*wmory.Member, error) {
	var m *wmory.Member
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if m, err = tx.targetMember(ctx, actor, groupID, userID, wmory.ActChangeRole); err != nil {
			return err
		}
		if m.Role == role {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ?`, string(role), groupID, userID); err != nil {
			return err
		}
		// A demoted admin keeps only the invites a member could have made.
		settings, err := tx.settings(ctx, groupID)
		if err != nil {
			return err
		}
		if wmory.Authorize(role, wmory.ActCreateInvite, wmory.RoleNone, settings) != nil {
			if err := tx.revokeMemberInvites(ctx, groupID, userID); err != nil {
				return err
			}
		}
		details := map[string]any{"from": string(m.Role), "to": string(role)}
		m.Role = role
		return tx.audit(ctx, actor, groupID, wmory.AuditMemberRoleChange, wmory.AuditTargetUser, userID, details)
	})
	return m, err
}

// RemoveMember takes a member out of the group; aimed at the actor itself it is
// leaving, which the owner may only do after a transfer. What the member
// uploaded stays, unless a member who leaves asks for it to go to the trash
// (where the group's moderators may still restore it).
func (db *DB) RemoveMember(ctx context.Context, actor wmory.Actor, groupID, userID string, trashUploads bool) error {
	return db.inTx(ctx, func(tx *Tx) error {
		action, audit := wmory.ActRemoveMember, wmory.AuditMemberRemove
		if userID == actor.UserID {
			action, audit = wmory.ActLeave, wmory.AuditMemberLeave
		} else if trashUploads {
			return wmory.Invalid("media", "can be trash only for a member who leaves.")
		}
		m, err := tx.targetMember(ctx, actor, groupID, userID, action)
		if err != nil {
			return err
		}
		if trashUploads {
			if err := tx.trash(ctx, actor, groupID, userID, `uploader_id = ?`, userID); err != nil {
				return err
			}
		}
		if err := tx.endMembership(ctx, groupID, userID, action != wmory.ActLeave); err != nil {
			return err
		}
		return tx.audit(ctx, actor, groupID, audit, wmory.AuditTargetUser, userID, map[string]any{"role": string(m.Role)})
	})
}

// endMembership takes a user out of a group. The invites they made die with
// their membership, so that nobody can walk back in through their own link; a
// removal (not a departure) is remembered, so that no invite made before it
// admits them again.
func (tx *Tx) endMembership(ctx context.Context, groupID, userID string, removed bool) error {
	if _, err := tx.exec(ctx, `DELETE FROM group_members WHERE group_id = ? AND user_id = ?`, groupID, userID); err != nil {
		return err
	}
	if err := tx.addActivity(ctx, groupID, userID, wmory.ActivityLeft, nil, activityAbout{}); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE invites SET revoked_at = ? WHERE group_id = ? AND created_by = ? AND revoked_at IS NULL`,
		ms(tx.now), groupID, userID); err != nil {
		return err
	}
	if !removed {
		return nil
	}
	_, err := tx.exec(ctx, `INSERT INTO member_removals (id, group_id, user_id, removed_at) VALUES (?, ?, ?, ?)`,
		wmory.NewID(tx.now), groupID, userID, ms(tx.now))
	return err
}

// revokeMemberInvites revokes the live invites of the group made by plain
// members (or by one user, when userID is set and is now a plain member): once
// members may not invite, their links must not keep working.
func (tx *Tx) revokeMemberInvites(ctx context.Context, groupID, userID string) error {
	q := `UPDATE invites SET revoked_at = ? WHERE group_id = ? AND revoked_at IS NULL AND created_by IN
		(SELECT user_id FROM group_members WHERE group_id = ? AND role = ?`
	args := []any{ms(tx.now), groupID, groupID, string(wmory.RoleMember)}
	if userID != "" {
		q += ` AND user_id = ?`
		args = append(args, userID)
	}
	_, err := tx.exec(ctx, q+`)`, args...)
	return err
}

// Transfer hands ownership to another member; the old owner becomes an admin.
func (db *DB) Transfer(ctx context.Context, actor wmory.Actor, groupID, userID string) (*wmory.Group, error) {
	var g *wmory.Group
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.targetMember(ctx, actor, groupID, userID, wmory.ActTransfer); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ?`, string(wmory.RoleAdmin), groupID, actor.UserID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ?`, string(wmory.RoleOwner), groupID, userID); err != nil {
			return err
		}
		if err := tx.audit(ctx, actor, groupID, wmory.AuditGroupTransfer, wmory.AuditTargetUser, userID, nil); err != nil {
			return err
		}
		var err error
		g, err = tx.group(ctx, actor.UserID, groupID)
		return err
	})
	return g, err
}
