package http_test

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// Albums inside a group hold its items by reference: any member fills them,
// their creator and the moderators rename and delete them, deleting one
// deletes no item, and trashed items leave them while in the trash.
func TestAlbums(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Trip"}).str("id")
		bea, carl, dan := e.signup("bea@example.com", "Bea"), e.signup("carl@example.com", "Carl"), e.signup("dan@example.com", "Dan")
		for _, c := range []*client{bea, carl} {
			c.must(200, "POST", "/api/v1/invites/"+ann.must(201, "POST", "/api/v1/groups/"+gid+"/invites", nil).str("code")+"/accept", nil)
		}
		other := dan.must(201, "POST", "/api/v1/groups", map[string]string{"name": "Elsewhere"}).str("id")
		stranger := dan.upload(other, "x.jpg", "image/jpeg", jpegNumbered(99)).str("id")
		camera, err := os.ReadFile("../imaging/testdata/camera.jpg")
		if err != nil {
			t.Fatal(err)
		}
		photo := func(n int) []byte { return append(camera[:len(camera):len(camera)], fmt.Sprint(n)...) }
		var a []string
		for i := range 3 {
			a = append(a, ann.upload(gid, fmt.Sprintf("a%d.jpg", i), "image/jpeg", photo(i)).str("id"))
		}
		b0 := bea.upload(gid, "b0.jpg", "image/jpeg", photo(10)).str("id")
		e.processMedia()
		stored := ann.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any)["stored_bytes"]

		for _, bad := range []string{"", "   ", "tab\there"} {
			bea.must(400, "POST", "/api/v1/groups/"+gid+"/albums", map[string]string{"name": bad})
		}
		album := bea.must(201, "POST", "/api/v1/groups/"+gid+"/albums", map[string]string{"name": " Evening "}).json()
		aid := album["id"].(string)
		if album["name"] != "Evening" || album["created_by"] != bea.userID || album["media_count"] != float64(0) || album["group_id"] != gid {
			t.Fatalf("album %v", album)
		}
		if act := ann.must(200, "GET", "/api/v1/groups/"+gid+"/activity?limit=1", nil).items()[0]; act["type"] != "album_created" || act["album_id"] != aid {
			t.Fatalf("activity %v", act)
		}
		dan.must(404, "GET", "/api/v1/groups/"+gid+"/albums", nil)
		dan.must(404, "POST", "/api/v1/albums/"+aid+"/media", map[string]any{"media_ids": []string{stranger}})

		// Any member fills it, with the group's items only: all or nothing.
		media := "/api/v1/albums/" + aid + "/media"
		for _, bad := range [][]string{{}, {a[0], stranger}, {a[0], "nope"}, make([]string, 501)} {
			if r := carl.call("POST", media, map[string]any{"media_ids": bad}); r.status != 400 {
				t.Fatalf("adding %d ids = %d %s", len(bad), r.status, r.body)
			}
		}
		if got := carl.must(200, "POST", media, map[string]any{"media_ids": []string{a[0], b0, a[0]}}).json(); got["media_count"] != float64(2) || got["cover_url"] == nil {
			t.Fatalf("after adding two %v", got)
		}
		carl.must(200, "POST", media, map[string]any{"media_ids": []string{b0}}) // again: nothing changes
		inAlbum := func(c *client) (ids []string) {
			for _, m := range c.must(200, "GET", "/api/v1/groups/"+gid+"/media?album="+aid, nil).items() {
				ids = append(ids, m["id"].(string))
			}
			slices.Sort(ids)
			return ids
		}
		want := []string{a[0], b0}
		slices.Sort(want)
		if got := inAlbum(ann); !slices.Equal(got, want) {
			t.Fatalf("the album's items %v; want %v", got, want)
		}
		if s := ann.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any)["stored_bytes"]; s != stored {
			t.Fatalf("stored bytes %v after adding to an album; want %v", s, stored)
		}
		ann.must(400, "GET", "/api/v1/groups/"+gid+"/media?album=../x", nil)

		// Renamed by its creator and the owner, not by another member.
		carl.must(403, "PATCH", "/api/v1/albums/"+aid, map[string]string{"name": "Mine"})
		bea.must(200, "PATCH", "/api/v1/albums/"+aid, map[string]string{"name": "Sunset"})
		if got := ann.must(200, "PATCH", "/api/v1/albums/"+aid, map[string]string{"name": "Last evening"}).json()["name"]; got != "Last evening" {
			t.Fatalf("renamed to %v", got)
		}

		// A trashed item leaves the album while in the trash.
		ann.must(204, "DELETE", "/api/v1/media/"+a[0], nil)
		list := carl.must(200, "GET", "/api/v1/groups/"+gid+"/albums", nil).items()
		if len(list) != 1 || list[0]["media_count"] != float64(1) || !slices.Equal(inAlbum(carl), []string{b0}) {
			t.Fatalf("with an item in the trash: %v", list)
		}
		ann.must(200, "POST", "/api/v1/media/"+a[0]+"/restore", nil)
		carl.must(200, "DELETE", media, map[string]any{"media_ids": []string{b0, a[2]}})
		if got := inAlbum(carl); !slices.Equal(got, []string{a[0]}) {
			t.Fatalf("after taking one out %v", got)
		}

		// Deleting the album deletes no item.
		carl.must(403, "DELETE", "/api/v1/albums/"+aid, nil)
		ann.must(204, "DELETE", "/api/v1/albums/"+aid, nil)
		ann.must(404, "DELETE", "/api/v1/albums/"+aid, nil)
		if n := len(ann.must(200, "GET", "/api/v1/groups/"+gid+"/media", nil).items()); n != 4 {
			t.Fatalf("%d items after deleting the album; want 4", n)
		}
		for _, act := range ann.must(200, "GET", "/api/v1/groups/"+gid+"/activity", nil).items() {
			if act["album_id"] == aid {
				t.Fatalf("a deleted album is still in the activity: %v", act)
			}
		}
	})
}
