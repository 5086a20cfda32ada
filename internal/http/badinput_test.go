package http_test

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// TestBadInput sends refused requests and checks the exact status and code and
// that the database is as it was before (refusals may only be audited).
func TestBadInput(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		owner, admin, member, outsider := e.signup("owner@example.com", "Owner"), e.signup("admin@example.com", "Admin"),
			e.signup("member@example.com", "Member"), e.signup("outsider@example.com", "Outsider")
		gid := owner.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
		code := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")
		admin.must(200, "POST", "/api/v1/invites/"+code+"/accept", nil)
		member.must(200, "POST", "/api/v1/invites/"+code+"/accept", nil)
		owner.must(200, "PATCH", "/api/v1/groups/"+gid+"/members/"+admin.userID, map[string]string{"role": "admin"})

		// Invites in every unusable state.
		one := 1
		usedUp := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", map[string]any{"max_uses": one}).str("code")
		e.signup("taker@example.com", "Taker").must(200, "POST", "/api/v1/invites/"+usedUp+"/accept", nil)
		revoked := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil)
		owner.must(204, "DELETE", "/api/v1/groups/"+gid+"/invites/"+revoked.str("id"), nil)
		expiring := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", map[string]any{"expires_in_hours": 1}).str("code")
		// A used verification token and a used reset token.
		anon := e.anon()
		anon.must(202, "POST", "/api/v1/auth/register", map[string]string{"email": "used@example.com", "password": goodPassword, "name": "U"})
		usedVerify := e.lastToken("used@example.com")
		anon.must(200, "POST", "/api/v1/auth/verify-email", map[string]string{"token": usedVerify})
		anon.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "used@example.com"})
		usedReset := e.lastToken("used@example.com")
		anon.must(204, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": usedReset, "password": "brand new passphrase"})

		big := `{"email":"a@example.com","password":"` + strings.Repeat("x", 2<<20) + `","name":"A"}`
		reg := func(email, pw, name string) string {
			return fmt.Sprintf(`{"email":%q,"password":%q,"name":%q}`, email, pw, name)
		}
		cases := []struct {
			name         string
			c            *client
			method, path string
			body         any
			contentType  string
			status       int
			code         string
		}{
			{"malformed JSON", anon, "POST", "/api/v1/auth/register", `{"email":`, "", 400, "invalid_request"},
			{"not an object", anon, "POST", "/api/v1/auth/register", `["a"]`, "", 400, "invalid_request"},
			{"two objects", anon, "POST", "/api/v1/auth/register", reg("x@example.com", goodPassword, "X") + `{}`, "", 400, "invalid_request"},
			{"oversized JSON", anon, "POST", "/api/v1/auth/register", big, "", 413, "request_too_large"},
			{"form body", anon, "POST", "/api/v1/auth/register", "email=a", "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
			{"no body", anon, "POST", "/api/v1/auth/register", nil, "", 400, "invalid_request"},
			{"missing fields", anon, "POST", "/api/v1/auth/register", `{}`, "", 400, "invalid_request"},
			{"unknown field", anon, "POST", "/api/v1/auth/register", `{"email":"x@example.com","password":"correct horse battery","name":"X","is_admin":true}`, "", 400, "invalid_request"},
			{"wrong type", anon, "POST", "/api/v1/auth/register", `{"email":5,"password":"correct horse battery","name":"X"}`, "", 400, "invalid_request"},
			{"invalid e-mail", anon, "POST", "/api/v1/auth/register", reg("not-an-email", goodPassword, "X"), "", 400, "invalid_request"},
			{"short password", anon, "POST", "/api/v1/auth/register", reg("x@example.com", "short", "X"), "", 400, "weak_password"},
			{"common password", anon, "POST", "/api/v1/auth/register", reg("x@example.com", "password123", "X"), "", 400, "weak_password"},
			{"long password", anon, "POST", "/api/v1/auth/register", reg("x@example.com", strings.Repeat("p", 257), "X"), "", 400, "weak_password"},
			{"control char in name", anon, "POST", "/api/v1/auth/register", reg("x@example.com", goodPassword, "a\u0000b"), "", 400, "invalid_request"},
			{"unknown verify token", anon, "POST", "/api/v1/auth/verify-email", map[string]string{"token": "AAAA"}, "", 400, "invalid_token"},
			{"reused verify token", anon, "POST", "/api/v1/auth/verify-email", map[string]string{"token": usedVerify}, "", 400, "invalid_token"},
			{"reused reset token", anon, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": usedReset, "password": "yet another passphrase"}, "", 400, "invalid_token"},
			{"reset with weak password", anon, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": usedReset, "password": "short"}, "", 400, "weak_password"},
			{"verify token as reset token", anon, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": usedVerify, "password": "yet another passphrase"}, "", 400, "invalid_token"},
			{"empty group name", owner, "POST", "/api/v1/groups", map[string]string{"name": "  "}, "", 400, "invalid_request"},
			{"long group name", owner, "POST", "/api/v1/groups", map[string]string{"name": strings.Repeat("g", 101)}, "", 400, "invalid_request"},
			{"negative auto-hide", owner, "PATCH", "/api/v1/groups/" + gid, map[string]int{"auto_hide_reports": -1}, "", 400, "invalid_request"},
			{"mass assignment on group", owner, "PATCH", "/api/v1/groups/" + gid, map[string]any{"member_count": 99}, "", 400, "invalid_request"},
			{"invite max_uses 0", owner, "POST", "/api/v1/groups/" + gid + "/invites", map[string]int{"max_uses": 0}, "", 400, "invalid_request"},
			{"invite 31 days", owner, "POST", "/api/v1/groups/" + gid + "/invites", map[string]int{"expires_in_hours": 721}, "", 400, "invalid_request"},
			{"used-up invite", outsider, "POST", "/api/v1/invites/" + usedUp + "/accept", nil, "", 404, "invite_invalid"},
			{"revoked invite", outsider, "POST", "/api/v1/invites/" + revoked.str("code") + "/accept", nil, "", 404, "invite_invalid"},
			{"unknown invite", outsider, "GET", "/api/v1/invites/nosuchcode", nil, "", 404, "invite_invalid"},
			{"admin makes itself owner", admin, "PATCH", "/api/v1/groups/" + gid + "/members/me", map[string]string{"role": "owner"}, "", 400, "invalid_request"},
			{"admin changes own role", admin, "PATCH", "/api/v1/groups/" + gid + "/members/me", map[string]string{"role": "member"}, "", 403, "forbidden"},
			{"member promotes itself", member, "PATCH", "/api/v1/groups/" + gid + "/members/" + member.userID, map[string]string{"role": "admin"}, "", 403, "forbidden"},
			{"member demotes admin", member, "PATCH", "/api/v1/groups/" + gid + "/members/" + admin.userID, map[string]string{"role": "member"}, "", 403, "forbidden"},
			{"admin removes owner", admin, "DELETE", "/api/v1/groups/" + gid + "/members/" + owner.userID, nil, "", 403, "forbidden"},
			{"owner demotes itself", owner, "PATCH", "/api/v1/groups/" + gid + "/members/me", map[string]string{"role": "member"}, "", 403, "forbidden"},
			{"owner leaves", owner, "DELETE", "/api/v1/groups/" + gid + "/members/me", nil, "", 409, "owner_must_transfer"},
			{"admin transfers", admin, "POST", "/api/v1/groups/" + gid + "/transfer", map[string]string{"user_id": admin.userID}, "", 403, "forbidden"},
			{"transfer to a non-member", owner, "POST", "/api/v1/groups/" + gid + "/transfer", map[string]string{"user_id": outsider.userID}, "", 404, "not_found"},
			{"transfer to self", owner, "POST", "/api/v1/groups/" + gid + "/transfer", map[string]string{"user_id": owner.userID}, "", 403, "forbidden"},
			{"non-member reads group", outsider, "GET", "/api/v1/groups/" + gid, nil, "", 404, "not_found"},
			{"non-member renames group", outsider, "PATCH", "/api/v1/groups/" + gid, map[string]string{"name": "Mine"}, "", 404, "not_found"},
			{"non-member deletes group", outsider, "DELETE", "/api/v1/groups/" + gid, nil, "", 404, "not_found"},
			{"non-member lists members", outsider, "GET", "/api/v1/groups/" + gid + "/members", nil, "", 404, "not_found"},
			{"non-member invites", outsider, "POST", "/api/v1/groups/" + gid + "/invites", nil, "", 404, "not_found"},
			{"unknown group", owner, "GET", "/api/v1/groups/01aaaaaaaaaaaaaaaaaaaaaaaa", nil, "", 404, "not_found"},
			{"other user's session", outsider, "DELETE", "/api/v1/me/sessions/" + "01aaaaaaaaaaaaaaaaaaaaaaaa", nil, "", 404, "not_found"},
			{"limit 0", owner, "GET", "/api/v1/groups?limit=0", nil, "", 400, "invalid_request"},
			{"limit 201", owner, "GET", "/api/v1/groups?limit=201", nil, "", 400, "invalid_request"},
			{"forged cursor", owner, "GET", "/api/v1/groups/" + gid + "/audit?cursor=" + url.QueryEscape("' OR 1=1 --"), nil, "", 400, "invalid_request"},
			{"malformed bearer", &client{e: e, token: "", header: map[string][]string{"Authorization": {"Basic abc"}}}, "GET", "/api/v1/me", nil, "", 401, "unauthenticated"},
			{"unknown bearer", &client{e: e, token: otherToken(owner.token), header: map[string][]string{}}, "GET", "/api/v1/me", nil, "", 401, "unauthenticated"},
			{"wrong password on delete", member, "DELETE", "/api/v1/me", map[string]string{"password": "not it at all"}, "", 403, "wrong_password"},
			{"name and password without new one", member, "PATCH", "/api/v1/me", map[string]string{"password": goodPassword}, "", 400, "invalid_request"},
			{"unknown route", owner, "GET", "/api/v1/nothing-here", nil, "", 404, "not_found"},
			{"wrong method", owner, "PUT", "/api/v1/groups", nil, "", 405, "method_not_allowed"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := e.snapshot()
				c := *tc.c
				c.header = c.header.Clone()
				if c.header == nil {
					c.header = map[string][]string{}
				}
				if tc.contentType != "" {
					c.header.Set("Content-Type", tc.contentType)
				}
				r := c.call(tc.method, tc.path, tc.body)
				if r.status != tc.status || r.code() != tc.code {
					t.Fatalf("= %d %s; want %d %s", r.status, truncateBody(r.body), tc.status, tc.code)
				}
				if msg, _ := r.json()["error"].(map[string]any)["message"].(string); msg == "" {
					t.Fatal("error without a message")
				}
				if after := e.snapshot(); !reflect.DeepEqual(before, after) {
					t.Fatalf("the refused request changed the database:\nbefore %v\nafter  %v", before, after)
				}
			})
		}
		// The expired invite: an hour and a second later it admits nobody.
		e.advance(time.Hour + time.Second)
		outsider.must(200, "GET", "/api/v1/me", nil) // lets the session slide before the snapshot
		before := e.snapshot()
		if r := outsider.call("POST", "/api/v1/invites/"+expiring+"/accept", nil); r.status != 404 || r.code() != "invite_invalid" {
			t.Fatalf("expired invite = %d %s", r.status, r.body)
		}
		if !reflect.DeepEqual(before, e.snapshot()) {
			t.Fatal("the expired invite changed the database")
		}
	})
}

func truncateBody(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// otherToken differs from token in its first character.
func otherToken(token string) string {
	if token[0] == 'x' {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}
