package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/imaging/videotest"
	"github.com/wmory/wmory/internal/testtools"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/imaging/imagingtest"
)

// upload runs authorize → PUT with plain net/http, as a phone would → complete.
func (u *user) upload(gid, name, contentType string, body []byte) map[string]any {
	u.in.t.Helper()
	return u.do("POST", "/api/v1/uploads/"+u.put(gid, name, contentType, body)+"/complete", nil, 201)
}

// put authorizes an upload and sends its bytes, and returns the upload's id.
func (u *user) put(gid, name, contentType string, body []byte) string {
	u.in.t.Helper()
	up := u.do("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": name, "content_type": contentType, "size": len(body)}, 201)
	if status, err := putSigned(up, body); err != nil || status/100 != 2 {
		u.in.t.Fatalf("PUT %s = %d, %v", name, status, err)
	}
	return up["upload_id"].(string)
}

// putSigned sends body as an upload authorization says: its URL, method and
// headers.
func putSigned(up map[string]any, body []byte) (int, error) {
	req, err := http.NewRequest(up["method"].(string), up["url"].(string), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range up["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func fetch(t *testing.T, rawURL string) []byte {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d %s", rawURL, resp.StatusCode, b)
	}
	return b
}

func testfile(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "imaging", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func startS3(t *testing.T) map[string]string {
	gw := blobtest.StartVersityGW(t)
	gw.UseCredentials(t)
	gw.CreateBucket(t, "photos")
	return map[string]string{"AWS_BUCKET_NAME": "photos", "AWS_ENDPOINT_URL_S3": gw.Endpoint, "AWS_REGION": "us-east-1"}
}

// Photos and a video through the whole product, on both stores: each member
// sees the other's items turn ready, with upright thumbnails and previews that
// carry no metadata, and originals that download byte for byte.
func TestMediaEndToEnd(t *testing.T) {
	imaging.Start()
	for _, mode := range []string{"local", "s3"} {
		t.Run(mode, func(t *testing.T) {
			env := map[string]string{}
			if mode == "s3" {
				env = startS3(t)
			}
			in := start(t, env)
			readMail := in.consoleMail
			ann := in.signup("ann@example.com", "Ann", readMail)
			bob := in.signup("bob@example.com", "Bob", readMail)
			gid := ann.do("POST", "/api/v1/groups", map[string]string{"name": "Trip"}, 201)["id"].(string)
			code := ann.do("POST", "/api/v1/groups/"+gid+"/invites", nil, 201)["code"].(string)
			bob.do("POST", "/api/v1/invites/"+code+"/accept", nil, 200)

			video := makeClip(t)
			hlg, err := os.ReadFile(videotest.MakeClip(t, t.TempDir(), videotest.HEVCHLGRotated))
			if err != nil {
				t.Fatal(err)
			}
			items := []struct {
				who     *user
				name    string
				ct      string
				body    []byte
				portrai bool
			}{
				{ann, "IMG_0001.HEIC", "image/heic", testfile(t, "iphone7-gps.heic"), false},
				{bob, "phone.webp", "image/webp", testfile(t, "phone-orientation-6.webp"), true},
				{bob, "logo.png", "image/png", testfile(t, "alpha.png"), false},
				{ann, "clip.mp4", "video/mp4", video, false},
				{bob, "MOV00012.MOV", "video/quicktime", testfile(t, "quicktime-1998.mov"), false},
				{ann, "portrait.mp4", "video/mp4", testfile(t, "apple-mpeg4.mp4"), true},
				{bob, "VID_20191220_170832.mp4", "video/mp4", testfile(t, "android-gps.mp4"), false},
				{ann, "IMG_0042.MOV", "video/quicktime", testfile(t, "iphone5.mov"), false},
				{bob, "DSC_0007.JPG", "image/jpeg", withCaptureTime(t, testfile(t, "camera.jpg"), "2020:02:19 11:28:00", "+02:00"), false},
				{ann, "IMG_0100.MOV", "video/quicktime", hlg, true},
			}
			// Every video plays as its rendition: H.264 4:2:0 with the index
			// first, at most 720 pixels on its short side, upright.
			renditionSize := map[string][2]int{"clip.mp4": {640, 360}, "MOV00012.MOV": {160, 120}, "portrait.mp4": {190, 240},
				"VID_20191220_170832.mp4": {1280, 720}, "IMG_0042.MOV": {568, 320}, "IMG_0100.MOV": {720, 1280}}
			// The time as it was where each was taken, and the zone when the
			// file says; taken_at is the instant.
			taken := map[string][3]any{
				"IMG_0001.HEIC": {"2017-10-19T15:19:37Z", "2017-10-19T15:19:37", nil},
				"DSC_0007.JPG":  {"2020-02-19T09:28:00Z", "2020-02-19T11:28:00", "+02:00"},
				"IMG_0042.MOV":  {"2012-11-26T23:33:10Z", "2012-11-26T15:33:10", "-08:00"}, // an iPhone 5 in California
			}
			ids := map[string]int{}
			for i, it := range items {
				m := it.who.upload(gid, it.name, it.ct, it.body)
				ids[m["id"].(string)] = i
			}
			var list []any
			// Six renditions, one at a time: a minute or two under the race
			// detector on two busy cores.
			settled := func() bool {
				list = ann.do("GET", "/api/v1/groups/"+gid+"/media", nil, 200)["items"].([]any)
				for _, x := range list {
					m := x.(map[string]any)
					if m["status"] != "ready" || (m["kind"] == "video") != (m["playback_status"] != "none") || m["playback_status"] == "pending" {
						return false
					}
				}
				return len(list) == len(items)
			}
			if !testtools.Until(3*time.Minute, settled) {
				t.Fatalf("media not ready, or renditions pending, after 3 minutes: %v", list)
			}
			for _, x := range list {
				m := x.(map[string]any)
				it := items[ids[m["id"].(string)]]
				thumb := fetch(t, m["thumbnail_url"].(string))
				preview := fetch(t, m["preview_url"].(string))
				for name, b := range map[string][]byte{"thumbnail": thumb, "preview": preview} {
					img, err := vips.NewImageFromBuffer(b)
					if err != nil {
						t.Fatalf("%s %s: %v", it.name, name, err)
					}
					if (img.Height() > img.Width()) != it.portrai {
						t.Errorf("%s %s is %d×%d: not upright", it.name, name, img.Width(), img.Height())
					}
					for _, f := range img.ImageFields() {
						if len(f) > 4 && f[:4] == "exif" {
							t.Errorf("%s %s carries %s", it.name, name, f)
						}
					}
					if bytes.Contains(b, []byte("GPS")) {
						t.Errorf("%s %s contains GPS data", it.name, name)
					}
					img.Close()
				}
				full := bob.do("GET", "/api/v1/media/"+m["id"].(string), nil, 200)
				if !bytes.Equal(fetch(t, full["original_url"].(string)), it.body) {
					t.Errorf("%s: original differs", it.name)
				}
				if want, ok := taken[it.name]; ok && (full["taken_at"] != want[0] || full["taken_at_local"] != want[1] || full["taken_at_offset"] != want[2]) {
					t.Errorf("%s taken at %v, local %v, offset %v; want %v", it.name, full["taken_at"], full["taken_at_local"], full["taken_at_offset"], want)
				}
				if it.name == "clip.mp4" && (full["duration_ms"] == nil || full["width"] != float64(640)) {
					t.Errorf("video metadata: %v", full)
				}
				if size, ok := renditionSize[it.name]; ok {
					checkPlayback(t, it.name, full, size)
				} else if full["playback_url"] != nil {
					t.Errorf("%s has a playback URL", it.name)
				}
			}
			out, _ := json.Marshal(list[0])
			t.Logf("first gallery item: %s", out)
			// A deleted item takes its original and derived images along.
			ann.do("DELETE", "/api/v1/media/"+list[0].(map[string]any)["id"].(string)+"/permanent", nil, 204)
			in.assertNoOrphans()
		})
	}
}

// checkPlayback fetches a video's rendition as a player does, a range at a
// time, and checks what it is.
func checkPlayback(t *testing.T, name string, m map[string]any, size [2]int) {
	t.Helper()
	u, _ := m["playback_url"].(string)
	if m["playback_status"] != "ready" || u == "" {
		t.Errorf("%s: playback %v at %q", name, m["playback_status"], u)
		return
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Range", "bytes=100-")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	tail, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 206 || resp.Header.Get("Content-Type") != "video/mp4" {
		t.Fatalf("%s: ranged GET of the rendition = %d %q", name, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	file := filepath.Join(t.TempDir(), "rendition.mp4")
	os.WriteFile(file, append(fetch(t, u)[:100:100], tail...), 0o600)
	p := videotest.Probe(t, file)
	v := p.Streams[0]
	if v.CodecName != "h264" || v.PixFmt != "yuv420p" || [2]int{v.Width, v.Height} != size {
		t.Errorf("%s: rendition %s %s %d×%d; want h264 yuv420p %v", name, v.CodecName, v.PixFmt, v.Width, v.Height, size)
	}
	if boxes := videotest.TopLevelBoxes(t, file); slices.Index(boxes, "moov") > slices.Index(boxes, "mdat") {
		t.Errorf("%s: rendition boxes %v", name, boxes)
	}
}

func makeClip(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "clip.mp4")
	cmd := fmt.Sprintf("ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=25:duration=2 -c:v libx264 -pix_fmt yuv420p %s", out)
	if b, err := runShell(cmd); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	b, _ := os.ReadFile(out)
	return b
}

func runShell(cmd string) ([]byte, error) { return exec.Command("sh", "-c", cmd).CombinedOutput() }

// natsURL is the NATS server the event tests use, WMORY_TEST_NATS (.ci/run
// names one), or "" when none is named: like the database servers, a named
// server that does not answer fails the test.
func natsURL(t *testing.T) string {
	addr := os.Getenv("WMORY_TEST_NATS")
	if addr == "" {
		t.Log("NATS tests not run: set WMORY_TEST_NATS=nats://127.0.0.1:4222 to run them")
		return ""
	}
	u, _ := url.Parse(addr)
	c, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	if err != nil {
		t.Fatalf("NATS at %s does not answer (start nats-server, or set WMORY_TEST_NATS): %v", addr, err)
	}
	c.Close()
	return addr
}

// versitygw publishes its bucket notifications on NATS; wmory subscribes
// (WMORY_S3_EVENTS) and completes the upload whose client never calls
// complete, with its thumbnail made.
func TestStoreEventsThroughNATS(t *testing.T) {
	server := natsURL(t)
	if server == "" {
		return
	}
	subject := fmt.Sprintf("wmory.test.%d", time.Now().UnixNano())
	filter := filepath.Join(t.TempDir(), "filter.json")
	os.WriteFile(filter, []byte(`{"s3:ObjectCreated:*": true}`), 0o600)
	gw := blobtest.StartVersityGW(t, "--event-nats-url", server, "--event-nats-topic", subject, "--event-filter", filter)
	gw.UseCredentials(t)
	gw.CreateBucket(t, "photos")
	in := start(t, map[string]string{"AWS_BUCKET_NAME": "photos", "AWS_ENDPOINT_URL_S3": gw.Endpoint, "AWS_REGION": "us-east-1",
		"WMORY_S3_EVENTS": server + "/" + subject})
	ann := in.signup("ann@example.com", "Ann", in.consoleMail)
	gid := ann.do("POST", "/api/v1/groups", map[string]string{"name": "G"}, 201)["id"].(string)
	ann.put(gid, "a.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	// No complete: the store's event does it.
	waitFor(t, "the upload to complete and its thumbnail to be made", func() (string, bool) {
		items := ann.do("GET", "/api/v1/groups/"+gid+"/media", nil, 200)["items"].([]any)
		return fmt.Sprint(items), len(items) == 1 && items[0].(map[string]any)["status"] == "ready"
	})
}

// withCaptureTime is a JPEG with its EXIF capture time (and offset, when not
// empty) replaced, as a camera would have written them.
func withCaptureTime(t *testing.T, jpeg []byte, wall, offset string) []byte {
	t.Helper()
	out, err := imagingtest.WithCaptureTime(jpeg, wall, offset)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
