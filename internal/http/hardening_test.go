package http_test

import (
	"testing"

	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// An admin resolving a report may remove only plain members, as on the members
// page: not another admin, not the owner.
func TestResolveRemoveUploaderObeysMemberRules(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		gid, owner, cs := e.moderationScene("admin1", "admin2", "member")
		admin1, admin2, member := cs[0], cs[1], cs[2]
		for _, c := range []*client{admin1, admin2} {
			owner.must(200, "PATCH", "/api/v1/groups/"+gid+"/members/"+c.userID, map[string]string{"role": "admin"})
		}
		mid := admin2.upload(gid, "a.jpg", "image/jpeg", tinyJPEG).str("id")
		rid := member.must(201, "POST", "/api/v1/media/"+mid+"/reports", map[string]string{"reason": "spam"}).str("id")
		before := sqldbtest.Snapshot(t, e.dbURL, "group_members", "media", "reports")
		if r := admin1.call("POST", "/api/v1/reports/"+rid+"/resolve", map[string]string{"action": "remove_uploader"}); r.status != 403 || r.code() != "forbidden" {
			t.Fatalf("admin removing an admin through a report = %d %s", r.status, r.body)
		}
		if after := sqldbtest.Snapshot(t, e.dbURL, "group_members", "media", "reports"); !equalSnap(before, after) {
			t.Fatal("the refused resolution changed something")
		}
		// The owner may; an admin may remove a member's item and the member.
		owner.must(200, "POST", "/api/v1/reports/"+rid+"/resolve", map[string]string{"action": "remove_uploader"})
		admin2.must(404, "GET", "/api/v1/groups/"+gid, nil)
		mid = member.upload(gid, "b.jpg", "image/jpeg", tinyJPEG).str("id")
		rid = admin1.must(201, "POST", "/api/v1/media/"+mid+"/reports", map[string]string{"reason": "spam"}).str("id")
		admin1.must(200, "POST", "/api/v1/reports/"+rid+"/resolve", map[string]string{"action": "remove_uploader"})
		member.must(404, "GET", "/api/v1/groups/"+gid, nil)
	})
}

// Removed members do not walk back in through older invites, their own
// included; leaving or being removed revokes the invites one made; turning
// members_can_invite off revokes the invites of plain members.
func TestRemovedMembersStayOut(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		gid, owner, cs := e.moderationScene("mallory", "leaver", "member")
		mallory, leaver, member := cs[0], cs[1], cs[2]
		ownerCode := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", map[string]any{"max_uses": 100}).str("code")
		owner.must(200, "PATCH", "/api/v1/groups/"+gid, map[string]any{"members_can_invite": true})
		malloryCode := mallory.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")
		leaverCode := leaver.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")
		memberCode := member.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")

		owner.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/"+mallory.userID, nil)
		for _, code := range []string{malloryCode, ownerCode} {
			if r := mallory.call("POST", "/api/v1/invites/"+code+"/accept", nil); r.status != 404 || r.code() != "invite_invalid" {
				t.Fatalf("removed member through an invite made before the removal = %d %s", r.status, r.body)
			}
		}
		mallory.must(404, "GET", "/api/v1/groups/"+gid, nil)
		// Mallory's own link is dead for everybody.
		newcomer := e.signup("new@example.com", "New")
		if r := newcomer.call("GET", "/api/v1/invites/"+malloryCode, nil); r.status != 404 {
			t.Fatalf("a removed member's invite still previews: %d", r.status)
		}
		// An invite made after the removal lets them back.
		fresh := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")
		mallory.must(200, "POST", "/api/v1/invites/"+fresh+"/accept", nil)

		leaver.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/me", nil)
		if r := newcomer.call("POST", "/api/v1/invites/"+leaverCode+"/accept", nil); r.code() != "invite_invalid" {
			t.Fatalf("a departed member's invite still admits: %d %s", r.status, r.body)
		}
		owner.must(200, "PATCH", "/api/v1/groups/"+gid, map[string]any{"members_can_invite": false})
		if r := newcomer.call("POST", "/api/v1/invites/"+memberCode+"/accept", nil); r.code() != "invite_invalid" {
			t.Fatalf("a member's invite survives members_can_invite=false: %d %s", r.status, r.body)
		}
		newcomer.must(200, "POST", "/api/v1/invites/"+ownerCode+"/accept", nil)
	})
}

func equalSnap(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w := b[k]
		if len(v) != len(w) {
			return false
		}
		for i := range v {
			if v[i] != w[i] {
				return false
			}
		}
	}
	return true
}
