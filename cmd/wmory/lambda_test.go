package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/blob/s3"
	"github.com/wmory/wmory/internal/imaging/imagingtest"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
	"github.com/wmory/wmory/internal/testtools"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// function is wmory lambda under AWS's Runtime Interface Emulator: the
// Lambda runtime API, as the function sees it in AWS.
type function struct {
	cmd    *exec.Cmd
	invoke string
	out    *syncBuffer
}

func startFunction(t *testing.T, bin string, env map[string]string) *function {
	rie, err := testtools.Path("aws-lambda-rie")
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	f := &function{invoke: "http://" + addr + "/2015-03-31/functions/function/invocations", out: &syncBuffer{}}
	f.cmd = exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", freeAddr(t), bin, "lambda")
	f.cmd.Env = append(os.Environ(), "AWS_LAMBDA_FUNCTION_TIMEOUT=60")
	for k, v := range env {
		f.cmd.Env = append(f.cmd.Env, k+"="+v)
	}
	f.cmd.Stdout, f.cmd.Stderr = f.out, f.out
	// Its own process group: killing it kills the function and its helper.
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.kill() })
	waitFor(t, "the emulator to listen", func() (string, bool) {
		return f.out.String(), testtools.Listening(addr)()
	})
	return f
}

func (f *function) kill() {
	if f.cmd.ProcessState == nil {
		syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
		f.cmd.Wait()
	}
}

// call invokes the function with an event and returns its answer: null, or
// Lambda's error document.
func (f *function) call(event []byte) (string, error) {
	resp, err := http.Post(f.invoke, "application/json", bytes.NewReader(event))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("invoke = %d %s", resp.StatusCode, b)
	}
	return string(b), nil
}

// awsEvent rewrites a versitygw notification in AWS's own format: S3's
// eventName without the "s3:" prefix, keys form-encoded, the eTag unquoted.
func awsEvent(t *testing.T, body []byte) ([]byte, bool) {
	var in struct {
		Records []struct {
			EventName string `json:"eventName"`
			S3        struct {
				Bucket struct {
					Name string `json:"name"`
				} `json:"bucket"`
				Object struct {
					Key  string `json:"key"`
					Size int64  `json:"size"`
					ETag string `json:"eTag"`
				} `json:"object"`
			} `json:"s3"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		t.Errorf("versitygw sent %s: %v", body, err)
		return nil, false
	}
	var out events.S3Event
	for _, r := range in.Records {
		var rec events.S3EventRecord
		rec.EventVersion, rec.EventSource, rec.AWSRegion = "2.1", "aws:s3", "us-east-1"
		rec.EventTime = time.Now().UTC()
		rec.EventName = strings.TrimPrefix(r.EventName, "s3:")
		rec.S3.SchemaVersion, rec.S3.ConfigurationID = "1.0", "wmory-uploads"
		rec.S3.Bucket.Name, rec.S3.Bucket.Arn = r.S3.Bucket.Name, "arn:aws:s3:::"+r.S3.Bucket.Name
		rec.S3.Object.Key = url.QueryEscape(r.S3.Object.Key)
		rec.S3.Object.Size, rec.S3.Object.ETag = r.S3.Object.Size, strings.Trim(r.S3.Object.ETag, `"`)
		out.Records = append(out.Records, rec)
	}
	if len(out.Records) == 0 {
		return nil, false // the store's test event at its start
	}
	b, _ := json.Marshal(out)
	return b, true
}

// noisyPNG is a photo whose decoding takes long enough to be caught at it.
func noisyPNG(t *testing.T, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(r.Uint32()), uint8(r.Uint32()), uint8(r.Uint32()), 255
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The seed's thumbnail function, end to end: wmory serve with no workers on
// MariaDB and versitygw; versitygw's notifications reach a relay that turns
// them into AWS's S3 events and invokes wmory lambda through AWS's Runtime
// Interface Emulator. The client never calls complete.
func TestThumbnailFunction(t *testing.T) {
	eng, ok := sqldbtest.OfDialect(t, sqldb.MySQL)
	if !ok {
		return // Engines logged that no MySQL server was named
	}
	bin := buildBinary(t)

	// The relay invokes the function as S3 does, one event at a time and
	// without waiting on the store; it keeps each AWS event and answer.
	type invocation struct {
		event  []byte
		answer string
		err    error
	}
	var fn *function
	var fnMu, invokeMu sync.Mutex
	invocations := make(chan invocation, 64)
	relay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, ok := awsEvent(t, body)
		if !ok {
			return
		}
		go func() {
			invokeMu.Lock()
			defer invokeMu.Unlock()
			fnMu.Lock()
			f := fn
			fnMu.Unlock()
			answer, err := f.call(ev)
			invocations <- invocation{ev, answer, err}
		}()
	}))
	defer relay.Close()
	filter := filepath.Join(t.TempDir(), "filter.json")
	os.WriteFile(filter, []byte(`{"s3:ObjectCreated:*": true}`), 0o600)
	gw := blobtest.StartVersityGW(t, "--event-webhook-url", relay.URL, "--event-filter", filter)
	gw.CreateBucket(t, "photos")

	dbURL := eng.URL(t)
	env := map[string]string{"DATABASE_URL": dbURL, "AWS_BUCKET_NAME": "photos", "AWS_ENDPOINT_URL_S3": gw.Endpoint,
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": gw.Access, "AWS_SECRET_ACCESS_KEY": gw.Secret,
		"WMORY_WORKERS": "0", "WMORY_JOB_LEASE": "4s", "WMORY_DATA_DIR": t.TempDir()}
	srv := startProcess(t, bin, env, "serve", "--addr", "127.0.0.1:0")
	fnMu.Lock()
	fn = startFunction(t, bin, env)
	fnMu.Unlock()

	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("a long enough passphrase\n"), 0o600)
	admin := exec.Command(bin, "admin", "create-user", "--email", "ann@example.com", "--name", "Ann", "--password-file", pwFile)
	admin.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	if out, err := admin.CombinedOutput(); err != nil {
		t.Fatalf("admin create-user: %v %s", err, out)
	}
	anon := apiClient{t: t}
	login := anon.do(srv.base, "POST", "/api/v1/auth/login", map[string]string{"email": "ann@example.com", "password": "a long enough passphrase"}, 200)
	ann := apiClient{t: t, token: login["token"].(string)}
	gid := ann.do(srv.base, "POST", "/api/v1/groups", map[string]string{"name": "Trip"}, 201)["id"].(string)
	put := func(name, contentType string, body []byte) map[string]any {
		up := ann.do(srv.base, "POST", "/api/v1/groups/"+gid+"/uploads",
			map[string]any{"filename": name, "content_type": contentType, "size": len(body)}, 201)
		if status, err := putSigned(up, body); err != nil || status != 200 {
			t.Fatalf("PUT %s: %d %v", name, status, err)
		}
		return up
	}
	next := func(what string) invocation {
		select {
		case inv := <-invocations:
			return inv
		case <-time.After(30 * time.Second):
			t.Fatalf("no invocation for %s\nfunction:\n%s", what, tail(fn.out.String()))
			return invocation{}
		}
	}
	gallery := func() []map[string]any {
		var items []map[string]any
		for _, it := range ann.do(srv.base, "GET", "/api/v1/groups/"+gid+"/media", nil, 200)["items"].([]any) {
			items = append(items, it.(map[string]any))
		}
		return items
	}
	db, err := sqldb.Open(t.Context(), dbURL, sqldb.PoolConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	gw.UseCredentials(t)
	store, err := s3.New(t.Context(), s3.Config{Bucket: "photos", Endpoint: gw.Endpoint, PathStyle: true, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	objects := func() []string {
		var keys []string
		if err := store.List(t.Context(), "", func(o blob.Object) error { keys = append(keys, o.Key); return nil }); err != nil {
			t.Fatal(err)
		}
		return keys
	}

	// A photo: completed and processed within the invocation.
	photo := put("camera.jpg", "image/jpeg", testfile(t, "camera.jpg"))
	inv := next("the photo")
	if inv.err != nil || inv.answer != "null" {
		t.Fatalf("the function answered %q, %v\n%s", inv.answer, inv.err, tail(fn.out.String()))
	}
	if !strings.Contains(string(inv.event), `"eventName":"ObjectCreated:Put"`) {
		t.Fatalf("the relay did not send AWS's format: %s", inv.event)
	}
	items := gallery()
	if len(items) != 1 || items[0]["status"] != "ready" || items[0]["thumbnail_url"] == nil {
		t.Fatalf("after the invocation: %v", items)
	}
	mid := items[0]["id"].(string)
	keys := objects()
	if len(keys) != 3 {
		t.Fatalf("the bucket holds %v; want the original, its thumbnail and its preview", keys)
	}
	for _, suffix := range []string{".thumb.webp", ".preview.webp"} {
		found := false
		for _, k := range keys {
			found = found || strings.HasSuffix(k, suffix)
		}
		if !found {
			t.Fatalf("no %s object in %v", suffix, keys)
		}
	}
	// The derived images' own notifications came through the relay too,
	// and were nobody's upload.
	for range 2 {
		if inv := next("a derived image"); inv.err != nil || inv.answer != "null" {
			t.Fatalf("a derived image's event: %q %v", inv.answer, inv.err)
		}
	}

	// The same event again, then the client's late complete: one item.
	if answer, err := fn.call(inv.event); err != nil || answer != "null" {
		t.Fatalf("repeated event: %q %v", answer, err)
	}
	if m := ann.do(srv.base, "POST", "/api/v1/uploads/"+photo["upload_id"].(string)+"/complete", nil, 201); m["id"] != mid {
		t.Fatalf("complete after the function = %v", m)
	}
	if items := gallery(); len(items) != 1 {
		t.Fatalf("%d items after a repeated event", len(items))
	}
	// The same event as SQS and EventBridge deliver it: still one item.
	sqs, _ := json.Marshal(map[string]any{"Records": []map[string]any{{"messageId": "1", "eventSource": "aws:sqs", "body": string(inv.event)}}})
	if answer, err := fn.call(sqs); err != nil || answer != "null" {
		t.Fatalf("event in SQS: %q %v", answer, err)
	}
	if items := gallery(); len(items) != 1 {
		t.Fatalf("%d items after an SQS delivery", len(items))
	}

	// Junk bytes declared as a JPEG: refused, the object gone, the quota back.
	me := func() float64 {
		return ann.do(srv.base, "GET", "/api/v1/me", nil, 200)["quota"].(map[string]any)["daily_bytes_used"].(float64)
	}
	before := me()
	junk := put("junk.jpg", "image/jpeg", bytes.Repeat([]byte("not a photo "), 100))
	if inv := next("the junk"); inv.err != nil || inv.answer != "null" {
		t.Fatalf("junk: %q %v", inv.answer, inv.err)
	}
	if used := me(); used != before {
		t.Fatalf("daily_bytes_used = %v after the junk was refused; want %v", used, before)
	}
	// The client's late complete gets the refusal the function recorded.
	refusal := ann.do(srv.base, "POST", "/api/v1/uploads/"+junk["upload_id"].(string)+"/complete", nil, 422)
	if refusal["error"].(map[string]any)["code"] != "upload_rejected" {
		t.Fatalf("complete of the junk = %v", refusal)
	}
	if keys := objects(); len(keys) != 3 {
		t.Fatalf("the bucket holds %v after the junk was refused; want only the photo's three objects", keys)
	}
	if n := len(gallery()); n != 1 {
		t.Fatalf("%d items after the junk", n)
	}
	// A file that verifies but cannot be processed (a decompression bomb)
	// ends failed in its first invocation, not in a loop of retries.
	bomb := put("bomb.png", "image/png", imagingtest.BombPNG(30000, 30000))
	if inv := next("the bomb"); inv.err != nil || inv.answer != "null" {
		t.Fatalf("bomb: %q %v", inv.answer, inv.err)
	}
	bombID := ann.do(srv.base, "POST", "/api/v1/uploads/"+bomb["upload_id"].(string)+"/complete", nil, 201)["id"].(string)
	if m := ann.do(srv.base, "GET", "/api/v1/media/"+bombID, nil, 200); m["status"] != "failed" || m["failure_reason"] != "too_large" {
		t.Fatalf("the bomb: %v", m)
	}
	if n, err := db.PendingJobs(t.Context(), sqldb.JobProcessMedia); err != nil || n != 0 {
		t.Fatalf("%d processing jobs left, %v", n, err)
	}
	// An event that is not S3's is dropped, not retried for ever.
	if answer, err := fn.call([]byte(`{"hello": "world"}`)); err != nil || answer != "null" {
		t.Fatalf("a foreign event: %q %v", answer, err)
	}

	// The function killed while it processes a large photo: its lease runs
	// out and a worker finishes the item.
	put("big.png", "image/png", noisyPNG(t, 3000, 2500))
	waitFor(t, "the function to take the job", func() (string, bool) {
		_, running, _, err := db.QueueStats(t.Context())
		return fmt.Sprint(running, err), running == 1
	})
	syscall.Kill(-fn.cmd.Process.Pid, syscall.SIGSTOP)
	items = gallery()
	if len(items) < 2 || items[0]["status"] != "processing" {
		t.Fatalf("the function was not caught in the middle of the job: %v", items)
	}
	fn.kill()
	if inv := next("the large photo"); inv.err == nil {
		t.Fatalf("the killed function answered %q", inv.answer)
	}
	env["WMORY_WORKERS"] = "1"
	startProcess(t, bin, env, "worker")
	waitForLong(t, time.Minute, "a worker to finish the large photo after the lease", func() bool {
		n := 0
		for _, it := range gallery() {
			if it["status"] == "ready" {
				n++
			}
		}
		return n == 2
	})
	if keys := objects(); len(keys) != 6 {
		t.Fatalf("the bucket holds %v; want two originals with their thumbnails and previews (the bomb's withdrawn)", keys)
	}
}

// Outside Lambda, or without a shared database and bucket, the function says
// what is missing instead of starting.
func TestThumbnailFunctionNeedsItsSettings(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"AWS_BUCKET_NAME": "photos", "DATABASE_URL": "mysql://u@db:3306/wmory"}, "AWS_LAMBDA_RUNTIME_API"},
		{map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9", "DATABASE_URL": "mysql://u@db:3306/wmory"}, "AWS_BUCKET_NAME"},
		{map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9", "AWS_BUCKET_NAME": "photos", "WMORY_DATA_DIR": t.TempDir()}, "DATABASE_URL"},
	} {
		// Under Lambda the bootstrap runs without arguments: that is the function too.
		args := []string{"lambda"}
		if c.env["AWS_LAMBDA_RUNTIME_API"] != "" {
			args = nil
		}
		var stderr bytes.Buffer
		err := run(t.Context(), args, func(k string) string { return c.env[k] }, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("with %v: %v; want an error naming %s", c.env, err, c.want)
		}
	}
}
