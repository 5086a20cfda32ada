package wmory

import "time"

// Role is a member's standing in a group. RoleNone means "not a member".
type Role string

const (
	RoleNone   Role = ""
	RoleMember Role = "member"
	RoleAdmin  Role = "admin"
	RoleOwner  Role = "owner"
)

// Roles lists every role, non-membership included, for exhaustive tests.
func Roles() []Role { return []Role{RoleNone, RoleMember, RoleAdmin, RoleOwner} }

// Group as seen by one caller: Role is the caller's role in it.
type Group struct {
	ID               string
	Name             string
	Role             Role
	MemberCount      int
	MediaCount       int
	MembersCanInvite bool
	AutoHideReports  int
	CreatedAt        time.Time
	// CoverKey is the original's key of its newest ready item members see
	// ("" when none): the list of groups shows its thumbnail.
	CoverKey string
	// UnseenCount is how many items others added since the caller last
	// looked (its member row's seen time).
	UnseenCount int
}

// Member is one user's membership of a group.
type Member struct {
	UserID   string
	Name     string
	Role     Role
	JoinedAt time.Time
}

// Invite is a link that lets signed-in users join a group.
type Invite struct {
	ID        string
	GroupID   string
	Code      string
	MaxUses   *int
	Uses      int
	ExpiresAt time.Time
	CreatedBy string
	Revoked   bool
}

// InvitePreview is what a signed-in user sees before accepting an invite.
type InvitePreview struct {
	GroupName string
	InvitedBy string
	ExpiresAt time.Time
}

const (
	DefaultInviteLifetime  = 7 * 24 * time.Hour
	MaxInviteLifetime      = 30 * 24 * time.Hour
	MaxInviteUses          = 10000
	DefaultAutoHideReports = 3
	MaxAutoHideReports     = 1000
)

// GroupAction is something a caller may try to do inside a group.
type GroupAction string

const (
	ActViewGroup    GroupAction = "view_group"
	ActUpdateGroup  GroupAction = "update_group"
	ActDeleteGroup  GroupAction = "delete_group"
	ActListMembers  GroupAction = "list_members"
	ActChangeRole   GroupAction = "change_role"
	ActRemoveMember GroupAction = "remove_member"
	ActLeave        GroupAction = "leave"
	ActTransfer     GroupAction = "transfer"
	ActCreateInvite GroupAction = "create_invite"
	ActListInvites  GroupAction = "list_invites"
	ActRevokeInvite GroupAction = "revoke_invite"
	ActViewAudit    GroupAction = "view_audit"
	// ActDeleteMedia is deleting someone else's media; uploaders may always
	// delete their own.
	ActDeleteMedia GroupAction = "delete_media"
	// ActEditAlbum is renaming or deleting someone else's album; members may
	// always edit the albums they made, and fill any album.
	ActEditAlbum GroupAction = "edit_album"
	// ActModerate is seeing every report of the group, resolving and
	// escalating them, and seeing media that reports have hidden.
	ActModerate GroupAction = "moderate"
	// Resolving a report is a moderation step that may act on a member: each
	// resolution is its own action, so that removing the uploader obeys the same
	// rule as removing a member (target is the uploader's role).
	ActResolveDismiss        GroupAction = "resolve_dismiss"
	ActResolveRemoveMedia    GroupAction = "resolve_remove_media"
	ActResolveRemoveUploader GroupAction = "resolve_remove_uploader"
)

// GroupActions lists every action, for exhaustive tests.
func GroupActions() []GroupAction {
	return []GroupAction{
		ActViewGroup, ActUpdateGroup, ActDeleteGroup, ActListMembers, ActChangeRole,
		ActRemoveMember, ActLeave, ActTransfer, ActCreateInvite, ActListInvites,
		ActRevokeInvite, ActViewAudit, ActDeleteMedia, ActEditAlbum, ActModerate,
		ActResolveDismiss, ActResolveRemoveMedia, ActResolveRemoveUploader,
	}
}

// GroupSettings are the group's own switches that widen what members may do.
type GroupSettings struct {
	MembersCanInvite bool
}

// Authorize decides whether a caller with role actor may perform action on a
// member whose role is target (RoleNone for actions without a target member; the
// caller's own role for leave). It is the single place where group permissions
// are decided. A non-member gets not_found: the group's existence is not revealed.
func Authorize(actor Role, action GroupAction, target Role, s GroupSettings) error {
	if actor == RoleNone {
		return NotFound("Group")
	}
	forbidden := Errorf(ECodeForbidden, "Your role in this group does not allow this.")
	manager := actor == RoleOwner || actor == RoleAdmin
	switch action {
	case ActViewGroup, ActListMembers:
		return nil
	case ActUpdateGroup, ActListInvites, ActRevokeInvite, ActViewAudit, ActDeleteMedia, ActEditAlbum, ActModerate,
		ActResolveDismiss, ActResolveRemoveMedia:
		if manager {
			return nil
		}
	case ActDeleteGroup:
		if actor == RoleOwner {
			return nil
		}
	case ActCreateInvite:
		if manager || s.MembersCanInvite {
			return nil
		}
	case ActChangeRole, ActTransfer:
		// Only the owner hands out roles, and never to or from the owner itself:
		// ownership moves only by transfer.
		if actor == RoleOwner && (target == RoleAdmin || target == RoleMember) {
			return nil
		}
	case ActRemoveMember, ActResolveRemoveUploader:
		switch {
		case action == ActResolveRemoveUploader && manager && target == RoleNone:
			// The uploader has gone already: only the media is left to remove.
			return nil
		case actor == RoleOwner && (target == RoleAdmin || target == RoleMember):
			return nil
		case actor == RoleAdmin && target == RoleMember:
			return nil
		}
	case ActLeave:
		if actor == RoleOwner {
			return Errorf(ECodeOwnerMustTransfer, "The owner must transfer ownership before leaving the group.")
		}
		return nil
	}
	return forbidden
}
