package http_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// scene is a group with one user of every standing towards it.
type scene struct {
	gid, iid, code string
	mid            string  // media uploaded by target
	uploadID       string  // stored but not completed, by member
	rid            string  // an open report on mid, by target
	cid            string  // a comment on mid, by target
	aid            string  // an album holding mid, by target
	target         *client // a plain member that actions are aimed at
	callers        map[string]*client
}

var standings = []string{"anonymous", "outsider", "removed", "member", "admin", "owner", "instance admin"}

func (e *env) scene(n int) scene {
	e.t.Helper()
	u := func(role string) *client { return e.signup(fmt.Sprintf("%s%d@example.com", role, n), role) }
	owner, admin, member, target, removed, outsider := u("owner"), u("admin"), u("member"), u("target"), u("removed"), u("outsider")
	root := u("root")
	if _, err := e.db.SetAdmin(context.Background(), wmory.Actor{}, root.email, true); err != nil {
		e.t.Fatal(err)
	}
	gid := owner.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
	join := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")
	for _, c := range []*client{admin, member, target, removed} {
		c.must(200, "POST", "/api/v1/invites/"+join+"/accept", nil)
	}
	owner.must(200, "PATCH", "/api/v1/groups/"+gid+"/members/"+admin.userID, map[string]string{"role": "admin"})
	owner.must(204, "DELETE", "/api/v1/groups/"+gid+"/members/"+removed.userID, nil)
	inv := owner.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil)
	mid := target.upload(gid, "a.jpg", "image/jpeg", tinyJPEG).str("id")
	uploadID := member.put(gid, "b.jpg", "image/jpeg", tinyJPEG)
	rid := target.must(201, "POST", "/api/v1/media/"+mid+"/reports", map[string]string{"reason": "other"}).str("id")
	cid := target.must(201, "POST", "/api/v1/media/"+mid+"/comments", map[string]string{"text": "What a view"}).str("id")
	aid := target.must(201, "POST", "/api/v1/groups/"+gid+"/albums", map[string]string{"name": "Evening"}).str("id")
	target.must(200, "POST", "/api/v1/albums/"+aid+"/media", map[string]any{"media_ids": []string{mid}})
	return scene{aid: aid, gid: gid, iid: inv.str("id"), code: inv.str("code"), target: target, mid: mid, uploadID: uploadID, rid: rid, cid: cid, callers: map[string]*client{
		"anonymous": e.anon(), "outsider": outsider, "removed": removed, "member": member, "admin": admin, "owner": owner, "instance admin": root}}
}

// currentSession returns the id of the client's own session.
func currentSession(c *client) string {
	if c.token == "" {
		return "01aaaaaaaaaaaaaaaaaaaaaaaa"
	}
	for _, s := range c.must(200, "GET", "/api/v1/me/sessions", nil).items() {
		if s["current"] == true {
			return s["id"].(string)
		}
	}
	return ""
}

// TestAuthorizationMatrix calls every signed-in route as every kind of caller,
// each on a fresh scene, and checks the contract's status. A route that the
// OpenAPI document lists but this table does not fails the test, so new routes
// cannot ship without an access decision.
func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	type want [6]int // anonymous, outsider, removed, member, admin, owner
	matrix := map[string]struct {
		body func(s scene, c *client) any
		want want
	}{
		"POST /api/v1/auth/logout":                  {nil, want{401, 204, 204, 204, 204, 204}},
		"GET /api/v1/me":                            {nil, want{401, 200, 200, 200, 200, 200}},
		"PATCH /api/v1/me":                          {func(scene, *client) any { return map[string]string{"name": "New name"} }, want{401, 200, 200, 200, 200, 200}},
		"DELETE /api/v1/me":                         {func(scene, *client) any { return map[string]string{"password": goodPassword} }, want{401, 204, 204, 204, 204, 204}},
		"GET /api/v1/me/sessions":                   {nil, want{401, 200, 200, 200, 200, 200}},
		"DELETE /api/v1/me/sessions/{id}":           {nil, want{401, 204, 204, 204, 204, 204}},
		"POST /api/v1/groups":                       {func(scene, *client) any { return map[string]string{"name": "Mine"} }, want{401, 201, 201, 201, 201, 201}},
		"GET /api/v1/groups":                        {nil, want{401, 200, 200, 200, 200, 200}},
		"GET /api/v1/groups/{gid}":                  {nil, want{401, 404, 404, 200, 200, 200}},
		"PATCH /api/v1/groups/{gid}":                {func(scene, *client) any { return map[string]string{"name": "Renamed"} }, want{401, 404, 404, 403, 200, 200}},
		"DELETE /api/v1/groups/{gid}":               {nil, want{401, 404, 404, 403, 403, 204}},
		"GET /api/v1/groups/{gid}/members":          {nil, want{401, 404, 404, 200, 200, 200}},
		"PATCH /api/v1/groups/{gid}/members/{uid}":  {func(scene, *client) any { return map[string]string{"role": "admin"} }, want{401, 404, 404, 403, 403, 200}},
		"DELETE /api/v1/groups/{gid}/members/{uid}": {nil, want{401, 404, 404, 403, 204, 204}},
		"POST /api/v1/groups/{gid}/transfer":        {func(s scene, _ *client) any { return map[string]string{"user_id": s.target.userID} }, want{401, 404, 404, 403, 403, 200}},
		"POST /api/v1/groups/{gid}/invites":         {nil, want{401, 404, 404, 403, 201, 201}},
		"GET /api/v1/groups/{gid}/invites":          {nil, want{401, 404, 404, 403, 200, 200}},
		"DELETE /api/v1/groups/{gid}/invites/{iid}": {nil, want{401, 404, 404, 403, 204, 204}},
		"GET /api/v1/groups/{gid}/audit":            {nil, want{401, 404, 404, 403, 200, 200}},
		"GET /api/v1/invites/{code}":                {nil, want{200, 200, 200, 200, 200, 200}},
		"POST /api/v1/groups/{gid}/uploads": {func(scene, *client) any {
			return map[string]any{"filename": "c.jpg", "content_type": "image/jpeg", "size": 1000}
		}, want{401, 404, 404, 201, 201, 201}},
		"POST /api/v1/uploads/{upload_id}/complete": {nil, want{401, 404, 404, 201, 404, 404}},
		// The scene's upload was sent in one PUT: it has no parts to sign.
		"POST /api/v1/uploads/{upload_id}/parts": {func(scene, *client) any { return map[string][]int{"numbers": {1}} }, want{401, 404, 404, 400, 404, 404}},
		"GET /api/v1/uploads/{upload_id}":        {nil, want{401, 404, 404, 200, 404, 404}},
		"DELETE /api/v1/uploads/{upload_id}":     {nil, want{401, 404, 404, 409, 404, 404}}, // the scene's upload became media
		"GET /api/v1/groups/{gid}/media":         {nil, want{401, 404, 404, 200, 200, 200}},
		"GET /api/v1/groups/{gid}/media/months":  {nil, want{401, 404, 404, 200, 200, 200}},
		"GET /api/v1/media/{mid}":                {nil, want{401, 404, 404, 200, 200, 200}},
		"DELETE /api/v1/media/{mid}":             {nil, want{401, 404, 404, 403, 204, 204}},
		"DELETE /api/v1/media/{mid}/permanent":   {nil, want{401, 404, 404, 403, 204, 204}},
		"POST /api/v1/media/{mid}/restore": {func(s scene, _ *client) any { // its uploader trashed it first
			s.target.must(204, "DELETE", "/api/v1/media/"+s.mid, nil)
			return nil
		}, want{401, 404, 404, 403, 200, 200}},
		"GET /api/v1/groups/{gid}/trash":         {nil, want{401, 404, 404, 200, 200, 200}},
		"POST /api/v1/media/{mid}/reports":       {func(scene, *client) any { return map[string]string{"reason": "spam"} }, want{401, 404, 404, 201, 201, 201}},
		"GET /api/v1/groups/{gid}/reports":       {nil, want{401, 404, 404, 200, 200, 200}},
		"POST /api/v1/reports/{rid}/resolve":     {func(scene, *client) any { return map[string]string{"action": "dismiss"} }, want{401, 404, 404, 403, 200, 200}},
		"POST /api/v1/reports/{rid}/escalate":    {nil, want{401, 404, 404, 403, 200, 200}},
		"POST /api/v1/invites/{code}/accept":     {nil, want{401, 200, 200, 200, 200, 200}},
		"GET /api/v1/groups/{gid}/activity":      {nil, want{401, 404, 404, 200, 200, 200}},
		"POST /api/v1/groups/{gid}/seen":         {nil, want{401, 404, 404, 204, 204, 204}},
		"GET /api/v1/media/{mid}/comments":       {nil, want{401, 404, 404, 200, 200, 200}},
		"POST /api/v1/media/{mid}/comments":      {func(scene, *client) any { return map[string]string{"text": "Lovely"} }, want{401, 404, 404, 201, 201, 201}},
		"POST /api/v1/comments/{cid}/reports":    {func(scene, *client) any { return map[string]string{"reason": "harassment"} }, want{401, 404, 404, 201, 201, 201}},
		"DELETE /api/v1/comments/{cid}":          {nil, want{401, 404, 404, 403, 204, 204}}, // the target's comment
		"PUT /api/v1/media/{mid}/like":           {nil, want{401, 404, 404, 204, 204, 204}},
		"DELETE /api/v1/media/{mid}/like":        {nil, want{401, 404, 404, 204, 204, 204}},
		"POST /api/v1/groups/{gid}/albums":       {func(scene, *client) any { return map[string]string{"name": "Beach"} }, want{401, 404, 404, 201, 201, 201}},
		"GET /api/v1/groups/{gid}/albums":        {nil, want{401, 404, 404, 200, 200, 200}},
		"PATCH /api/v1/albums/{aid}":             {func(scene, *client) any { return map[string]string{"name": "Night"} }, want{401, 404, 404, 403, 200, 200}}, // the target's album
		"DELETE /api/v1/albums/{aid}":            {nil, want{401, 404, 404, 403, 204, 204}},
		"POST /api/v1/albums/{aid}/media":        {func(s scene, _ *client) any { return map[string]any{"media_ids": []string{s.mid}} }, want{401, 404, 404, 200, 200, 200}},
		"DELETE /api/v1/albums/{aid}/media":      {func(s scene, _ *client) any { return map[string]any{"media_ids": []string{s.mid}} }, want{401, 404, 404, 200, 200, 200}},
		"POST /api/v1/groups/{gid}/downloads":    {func(scene, *client) any { return map[string]any{} }, want{401, 404, 404, 201, 201, 201}},
		"GET /api/v1/me/export":                  {nil, want{401, 200, 200, 200, 200, 200}},
		"GET /api/v1/groups/{gid}/notifications": {nil, want{401, 404, 404, 200, 200, 200}},
		"PUT /api/v1/groups/{gid}/notifications": {func(scene, *client) any { return map[string]string{"email": "daily"} }, want{401, 404, 404, 200, 200, 200}},
	}
	// Administration answers 404 to everyone but instance admins; the body
	// builds a valid request.
	adminOnly := map[string]struct {
		body   func(s scene) any
		status int
	}{
		"GET /api/v1/admin/users":                  {nil, 200},
		"POST /api/v1/admin/users/{uid}/suspend":   {nil, 200},
		"POST /api/v1/admin/users/{uid}/reinstate": {nil, 200},
		"PATCH /api/v1/admin/users/{uid}/limits":   {func(scene) any { return map[string]any{"daily_files_limit": 5} }, 200},
		"GET /api/v1/admin/reports":                {nil, 200},
		"GET /api/v1/admin/audit":                  {nil, 200},
	}
	for op, a := range adminOnly {
		matrix[op] = struct {
			body func(s scene, c *client) any
			want want
		}{func(s scene, _ *client) any {
			if a.body == nil {
				return nil
			}
			return a.body(s)
		}, want{404, 404, 404, 404, 404, 404}}
	}
	// The unsubscribe and download links' tokens are their credentials
	// (TestEmailNews, TestDownloads).
	public := map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /api/openapi.json": true, "POST /events/s3": true,
		"POST /api/v1/unsubscribe": true, "GET /api/v1/downloads/{token}": true}
	var missing []string
	for _, op := range e.v.Operations() {
		if _, ok := matrix[op]; !ok && !public[op] && !strings.HasPrefix(op, "POST /api/v1/auth/") {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes without an authorization expectation: %v", missing)
	}

	n := 0
	for op, m := range matrix {
		for i, standing := range standings {
			n++
			s := e.scene(n)
			c := s.callers[standing]
			method, path, _ := strings.Cut(op, " ")
			path = strings.NewReplacer("{gid}", s.gid, "{uid}", s.target.userID, "{iid}", s.iid, "{code}", s.code,
				"{mid}", s.mid, "{upload_id}", s.uploadID, "{rid}", s.rid, "{cid}", s.cid, "{aid}", s.aid).Replace(path)
			if strings.Contains(path, "{id}") {
				path = strings.Replace(path, "{id}", currentSession(c), 1)
			}
			var body any
			if m.body != nil {
				body = m.body(s, c)
			}
			var expected int
			switch {
			case standing != "instance admin":
				expected = m.want[i]
			case adminOnly[op].status != 0:
				expected = adminOnly[op].status
			default: // towards a group, an instance admin is an outsider
				expected = m.want[1]
			}
			r := c.call(method, path, body)
			if r.status != expected {
				t.Errorf("%s as %s = %d %s; want %d", op, standing, r.status, r.body, expected)
			}
			if r.status == 404 && r.code() != "not_found" {
				t.Errorf("%s as %s: 404 with code %q; want not_found", op, standing, r.code())
			}
		}
	}
}

// Public auth routes never ask for credentials.
func TestPublicRoutesNeedNoCredentials(t *testing.T) {
	e := newEnv(t, sqldbtest.Engines(t)[0])
	anon := e.anon()
	for _, tc := range []struct {
		path   string
		body   any
		status int
	}{
		{"/api/v1/auth/register", map[string]string{"email": "x@example.com", "password": goodPassword, "name": "X"}, 202},
		{"/api/v1/auth/verify-email", map[string]string{"token": "nope"}, 400},
		{"/api/v1/auth/login", map[string]string{"email": "x@example.com", "password": goodPassword}, 403},
		{"/api/v1/auth/password-reset", map[string]string{"email": "x@example.com"}, 202},
		{"/api/v1/auth/password-reset/confirm", map[string]string{"token": "nope", "password": goodPassword}, 400},
	} {
		anon.must(tc.status, "POST", tc.path, tc.body)
		e.runJobs() // sign-ups and reset requests are carried out by the worker
	}
	for _, p := range []string{"/healthz", "/readyz", "/api/openapi.json"} {
		anon.must(200, "GET", p, nil)
	}
}
