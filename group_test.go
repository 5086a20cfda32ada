package wmory

import (
	"fmt"
	"testing"
)

// TestAuthorize decides every (actor, action, target, setting) combination
// against an independent statement of the rules in docs/API.md.
func TestAuthorize(t *testing.T) {
	expect := func(actor Role, action GroupAction, target Role, membersCanInvite bool) Code {
		if actor == RoleNone {
			return ECodeNotFound
		}
		ok := false
		switch action {
		case ActViewGroup, ActListMembers, ActLeave:
			ok = true
			if action == ActLeave && actor == RoleOwner {
				return ECodeOwnerMustTransfer
			}
		case ActUpdateGroup, ActListInvites, ActRevokeInvite, ActViewAudit, ActDeleteMedia, ActEditAlbum, ActModerate, ActResolveDismiss, ActResolveRemoveMedia:
			ok = actor == RoleOwner || actor == RoleAdmin
		case ActDeleteGroup:
			ok = actor == RoleOwner
		case ActCreateInvite:
			ok = actor == RoleOwner || actor == RoleAdmin || membersCanInvite
		case ActChangeRole, ActTransfer:
			ok = actor == RoleOwner && target != RoleOwner && target != RoleNone
		case ActResolveRemoveUploader:
			// As removing a member; an uploader who already left leaves only the media.
			ok = (actor == RoleOwner && target != RoleOwner) || (actor == RoleAdmin && (target == RoleMember || target == RoleNone))
		case ActRemoveMember:
			ok = (actor == RoleOwner && (target == RoleAdmin || target == RoleMember)) || (actor == RoleAdmin && target == RoleMember)
		}
		if ok {
			return ""
		}
		return ECodeForbidden
	}
	n := 0
	for _, actor := range Roles() {
		for _, action := range GroupActions() {
			for _, target := range Roles() {
				for _, mci := range []bool{false, true} {
					n++
					got := ErrorCode(Authorize(actor, action, target, GroupSettings{MembersCanInvite: mci}))
					if want := expect(actor, action, target, mci); got != want {
						t.Errorf("Authorize(%q, %s, target %q, members_can_invite=%v) = %q; want %q", actor, action, target, mci, got, want)
					}
				}
			}
		}
	}
	if n != len(Roles())*len(GroupActions())*len(Roles())*2 {
		t.Fatal("not every combination was tried")
	}
}

// Spot checks of the rules people ask about, stated plainly.
func TestAuthorizeNamedCases(t *testing.T) {
	for _, tc := range []struct {
		actor  Role
		action GroupAction
		target Role
		want   Code
	}{
		{RoleAdmin, ActChangeRole, RoleAdmin, ECodeForbidden},   // an admin making itself (or another admin) anything
		{RoleMember, ActChangeRole, RoleMember, ECodeForbidden}, // a member changing roles
		{RoleAdmin, ActRemoveMember, RoleOwner, ECodeForbidden}, // removing the owner
		{RoleOwner, ActRemoveMember, RoleOwner, ECodeForbidden},
		{RoleOwner, ActChangeRole, RoleOwner, ECodeForbidden}, // the owner demoting itself
		{RoleOwner, ActLeave, RoleOwner, ECodeOwnerMustTransfer},
		{RoleNone, ActViewGroup, RoleNone, ECodeNotFound},
		{RoleAdmin, ActRemoveMember, RoleMember, ""},
		{RoleAdmin, ActResolveRemoveUploader, RoleAdmin, ECodeForbidden}, // an admin removing another admin through a report
		{RoleAdmin, ActResolveRemoveUploader, RoleOwner, ECodeForbidden},
		{RoleOwner, ActResolveRemoveUploader, RoleOwner, ECodeForbidden}, // the owner's own reported photo
		{RoleAdmin, ActResolveRemoveUploader, RoleMember, ""},
		{RoleMember, ActResolveDismiss, RoleNone, ECodeForbidden},
	} {
		t.Run(fmt.Sprintf("%s_%s_%s", tc.actor, tc.action, tc.target), func(t *testing.T) {
			if got := ErrorCode(Authorize(tc.actor, tc.action, tc.target, GroupSettings{})); got != tc.want {
				t.Fatalf("got %q; want %q", got, tc.want)
			}
		})
	}
}
