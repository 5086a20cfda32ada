package main

import (
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/mail/smtptest"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// A group's news is e-mailed once per batch though two servers and a worker
// (each with job runners) share the queue: fifty uploads from Ana through both
// servers are one message to each member who wants them and none to Ana; the
// next batch is a second message; the one-click link stops them. The batch
// gap is shortened so that batches end in seconds.
func TestEmailNewsAcrossProcesses(t *testing.T) {
	var engines []sqldbtest.Engine
	for _, eng := range sqldbtest.Engines(t) {
		if eng.Dialect != sqldb.SQLite {
			engines = append(engines, eng)
		}
	}
	bin := buildBinary(t)
	photo := testfile(t, "camera.jpg")
	for _, eng := range engines {
		t.Run(eng.Name, func(t *testing.T) {
			smtp := smtptest.Start(t, "", "")
			gw := blobtest.StartVersityGW(t)
			gw.CreateBucket(t, "photos")
			// Long enough that no upload here takes longer, even in a busy CI.
			const gap = 5 * time.Second
			dbURL := eng.URL(t)
			env := map[string]string{"DATABASE_URL": dbURL, "AWS_BUCKET_NAME": "photos", "AWS_ENDPOINT_URL_S3": gw.Endpoint,
				"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": gw.Access, "AWS_SECRET_ACCESS_KEY": gw.Secret,
				"WMORY_DATA_DIR": t.TempDir(), "SMTP_URL": "smtp://" + smtp.Addr, "WMORY_BASE_URL": "https://photos.example.com",
				"WMORY_BATCH_GAP": gap.String(), "WMORY_WORKERS": "1"}
			a := startProcess(t, bin, env, "serve", "--addr", "127.0.0.1:0")
			b := startProcess(t, bin, env, "serve", "--addr", "127.0.0.1:0")
			startProcess(t, bin, env, "worker")

			// Every batch told and every message handed to the SMTP server: no
			// notice waits, no notify or send_mail job is left.
			settled := func() bool {
				rows := sqldbtest.Snapshot(t, dbURL, "notices", "jobs")
				if len(rows["notices"]) > 0 {
					return false
				}
				for _, job := range rows["jobs"] {
					if strings.Contains(job, "kind=notify;") || strings.Contains(job, "kind=send_mail;") {
						return false
					}
				}
				return true
			}
			to := func(address string) []*mail.Message {
				var out []*mail.Message
				for _, m := range smtp.Messages() {
					if m.To[0] == address {
						msg, err := mail.ReadMessage(strings.NewReader(m.Data))
						if err != nil {
							t.Fatal(err)
						}
						out = append(out, msg)
					}
				}
				return out
			}
			subject := func(m *mail.Message) string {
				s, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
				return s
			}
			anon := apiClient{t: t}
			signup := func(email, name string) apiClient {
				anon.do(a.base, "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "a long enough passphrase", "name": name}, 202)
				raw := waitFor(t, "mail to "+email, func() (string, bool) {
					msgs := to(email)
					if len(msgs) == 0 {
						return "", false
					}
					body, _ := io.ReadAll(quotedprintable.NewReader(msgs[0].Body))
					return string(body), true
				})
				token := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(raw)[1]
				anon.do(b.base, "POST", "/api/v1/auth/verify-email", map[string]string{"token": token}, 200)
				login := anon.do(a.base, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "a long enough passphrase"}, 200)
				return apiClient{t: t, token: login["token"].(string)}
			}
			ana, bea, carl := signup("ana@example.com", "Ana"), signup("bea@example.com", "Bea"), signup("carl@example.com", "Carl")
			gid := ana.do(a.base, "POST", "/api/v1/groups", map[string]string{"name": "Lisbon 2026"}, 201)["id"].(string)
			for _, c := range []apiClient{bea, carl} {
				code := ana.do(a.base, "POST", "/api/v1/groups/"+gid+"/invites", nil, 201)["code"].(string)
				c.do(b.base, "POST", "/api/v1/invites/"+code+"/accept", nil, 200)
			}
			carl.do(a.base, "PUT", "/api/v1/groups/"+gid+"/notifications", map[string]string{"email": "off"}, 200)

			upload := func(n, from int) {
				for i := from; i < from+n; i++ {
					first, second := a.base, b.base
					if i%2 == 1 {
						first, second = second, first
					}
					body := append(photo[:len(photo):len(photo)], fmt.Sprint(i)...)
					up := ana.do(first, "POST", "/api/v1/groups/"+gid+"/uploads",
						map[string]any{"filename": fmt.Sprintf("%03d.jpg", i), "content_type": "image/jpeg", "size": len(body)}, 201)
					if status, err := putSigned(up, body); err != nil || status != 200 {
						t.Fatalf("PUT %d: %d %v", i, status, err)
					}
					ana.do(second, "POST", "/api/v1/uploads/"+up["upload_id"].(string)+"/complete", nil, 201)
				}
			}
			// Each has had its sign-up's message.
			upload(50, 0)
			// Three job runners might each have told it: all is told once the
			// queue holds nothing more to tell.
			waitForLong(t, time.Minute, "the first batch's e-mail", func() bool { return len(to("bea@example.com")) >= 2 && settled() })
			got := to("bea@example.com")
			if len(got) != 2 || subject(got[1]) != "Ana added 50 photos to Lisbon 2026" {
				t.Fatalf("Bea's news: %d messages, the last %q", len(got), subject(got[len(got)-1]))
			}
			if n := len(to("ana@example.com")); n != 1 {
				t.Fatalf("Ana got %d messages", n)
			}
			if n := len(to("carl@example.com")); n != 1 {
				t.Fatalf("Carl chose none and got %d messages", n)
			}

			upload(3, 50)
			waitForLong(t, time.Minute, "the second batch's e-mail", func() bool { return len(to("bea@example.com")) == 3 })
			last := to("bea@example.com")[2]
			if subject(last) != "Ana added 3 photos to Lisbon 2026" || last.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
				t.Fatalf("second message %q %v", subject(last), last.Header)
			}

			// The one-click link, sent to a server as a mail client would.
			link, err := url.Parse(strings.Trim(last.Header.Get("List-Unsubscribe"), "<>"))
			if err != nil || link.Host != "photos.example.com" {
				t.Fatalf("List-Unsubscribe %q", last.Header.Get("List-Unsubscribe"))
			}
			resp, err := http.Post(b.base+link.RequestURI(), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("one-click unsubscribe = %d", resp.StatusCode)
			}
			upload(1, 60)
			waitForLong(t, time.Minute, "the third batch to be told", settled)
			if n := len(to("bea@example.com")); n != 3 {
				t.Fatalf("Bea unsubscribed and got %d messages", n)
			}
		})
	}
}
