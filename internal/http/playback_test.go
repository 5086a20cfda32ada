package http_test

import (
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/wmory/wmory/internal/imaging/videotest"

	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// A video's rendition through the API: pending while it is made, then a
// signed URL players can seek in; stored for the instance but counted against
// no one's allowance; gone with its video.
func TestVideoPlaybackThroughTheAPI(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, eng sqldbtest.Engine) {
		e := newEnv(t, eng)
		root := e.instanceAdmin()
		ann := e.signup("ann@example.com", "Ann")
		gid := ann.must(201, "POST", "/api/v1/groups", map[string]string{"name": "G"}).str("id")
		clip, err := os.ReadFile(videotest.MakeClip(t, t.TempDir(), videotest.H264AAC))
		if err != nil {
			t.Fatal(err)
		}
		video := ann.upload(gid, "clip.mp4", "video/mp4", clip).json()
		jpeg, err := os.ReadFile("../imaging/testdata/camera.jpg")
		if err != nil {
			t.Fatal(err)
		}
		photo := ann.upload(gid, "a.jpg", "image/jpeg", jpeg).json()
		if video["playback_status"] != "pending" || photo["playback_status"] != "none" || video["playback_url"] != nil {
			t.Fatalf("before processing: video %v, photo %v", video["playback_status"], photo["playback_status"])
		}
		e.processMedia()

		m := ann.must(200, "GET", "/api/v1/media/"+video["id"].(string), nil).json()
		if m["playback_status"] != "ready" || m["playback_failure_reason"] != nil {
			t.Fatalf("after processing: %v", m)
		}
		listed := ann.must(200, "GET", "/api/v1/groups/"+gid+"/media?kind=video", nil).items()
		if len(listed) != 1 || listed[0]["playback_url"] == nil {
			t.Fatalf("the gallery's video has no playback URL: %v", listed)
		}
		req, _ := http.NewRequest("GET", m["playback_url"].(string), nil)
		req.Header.Set("Range", "bytes=0-99")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		head, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 206 || len(head) != 100 || resp.Header.Get("Content-Type") != "video/mp4" || string(head[4:8]) != "ftyp" {
			t.Fatalf("ranged GET of the rendition = %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(head))
		}

		// The allowance counts what Ann uploaded, not what was made of it;
		// the admin sees both.
		usage := ann.must(200, "GET", "/api/v1/me", nil).json()["quota"].(map[string]any)
		uploaded := float64(len(clip) + len(jpeg))
		if usage["daily_bytes_used"] != uploaded || usage["stored_bytes"] != uploaded {
			t.Fatalf("Ann's quota %v; want %v bytes used and stored", usage, uploaded)
		}
		users := root.must(200, "GET", "/api/v1/admin/users?q=ann", nil).items()
		if len(users) != 1 || users[0]["stored_bytes"] != uploaded || users[0]["rendition_bytes"].(float64) < 1000 {
			t.Fatalf("the admin's view of Ann %v", users)
		}

		ann.must(204, "DELETE", "/api/v1/media/"+video["id"].(string)+"/permanent", nil)
		e.runJobs()
		if left := e.orphans(); len(left) != 0 {
			t.Fatalf("left behind: %v", left)
		}
		resp, err = http.Get(m["playback_url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Fatalf("the deleted video's rendition answers %d", resp.StatusCode)
		}
	})
}
