package deploy_test

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
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wmory/wmory/internal/imaging/videotest"

	"github.com/wmory/wmory/internal/blob/blobtest"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
	"github.com/wmory/wmory/internal/testtools"
)

// Base image versions the Dockerfile's defaults name.
const goVersion, nodeVersion = "1.26", "20"

// docker is a Docker daemon of the test's own: its images and build cache
// live in the user's cache folder, so that a second run builds from cache; its
// sockets and state are the test's.
type docker struct {
	host string
}

func startDocker(t *testing.T) *docker {
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		t.Fatal("dockerd is not installed (make test-deps installs docker.io)")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	// A short folder: the daemon's sockets live under it.
	run, err := os.MkdirTemp("/tmp", "wmory-dockerd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	d := &docker{host: "unix://" + filepath.Join(run, "docker.sock")}
	cmd := exec.Command(dockerd, "--data-root", filepath.Join(cache, "wmory-test-docker"), "--exec-root", filepath.Join(run, "exec"),
		"--pidfile", filepath.Join(run, "docker.pid"), "-H", d.host, "--bridge=none", "--iptables=false", "--ip-masq=false")
	logs, _ := os.Create(filepath.Join(run, "dockerd.log"))
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	// Images of earlier builds that no tag names any more: the cache would
	// otherwise grow with every run.
	t.Cleanup(func() { d.try("image", "prune", "-f") })
	waitFor(t, time.Minute, "the Docker daemon", func() bool {
		_, err := d.try("version")
		return err == nil
	})
	return d
}

func (d *docker) command(args ...string) *exec.Cmd {
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.host)
	return cmd
}

func (d *docker) try(args ...string) (string, error) {
	out, err := d.command(args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (d *docker) must(t *testing.T, args ...string) string {
	t.Helper()
	out, err := d.try(args...)
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, tail(out))
	}
	return out
}

// baseImages makes the Dockerfile's base images when the daemon has none
// (no registry is reachable here).
func (d *docker) baseImages(t *testing.T) {
	for _, ref := range []string{"debian:bookworm-slim", "golang:" + goVersion + "-bookworm", "node:" + nodeVersion + "-bookworm-slim",
		"postgres:15-bookworm", "versity/versitygw:v1.8.0"} {
		if _, err := d.try("image", "inspect", ref); err != nil {
			cmd := exec.Command("bash", filepath.Join("test", "base-images.sh"), goVersion, nodeVersion)
			cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.host)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("base images: %v\n%s", err, tail(string(out)))
			}
			return
		}
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return "…" + s[len(s)-3000:]
	}
	return s
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	if !testtools.Until(d, ok) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func findTool(t *testing.T, name string) string {
	p, err := testtools.Path(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type api struct {
	t     *testing.T
	base  string
	token string
}

func (a api) do(method, path string, body any, want int) map[string]any {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s = %d %s; want %d", method, path, resp.StatusCode, b, want)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// upload authorizes and sends a photo, and returns the upload's id and its
// object key (the signed URL's path after the bucket).
func (a api) upload(gid, name string, photo []byte) (string, string) {
	return a.uploadAs(gid, name, "image/jpeg", photo)
}

func (a api) uploadAs(gid, name, contentType string, body []byte) (string, string) {
	a.t.Helper()
	up := a.do("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": name, "content_type": contentType, "size": len(body)}, 201)
	req, _ := http.NewRequest(up["method"].(string), up["url"].(string), bytes.NewReader(body))
	for k, v := range up["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		a.t.Fatalf("PUT %s: %v %v", name, err, resp)
	}
	resp.Body.Close()
	u, _ := url.Parse(up["url"].(string))
	_, key, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	return up["upload_id"].(string), key
}

func (a api) ready(gid string, n int) bool {
	items := a.do("GET", "/api/v1/groups/"+gid+"/media", nil, 200)["items"].([]any)
	ready := 0
	for _, it := range items {
		if it.(map[string]any)["status"] == "ready" {
			ready++
		}
	}
	return ready == n
}

// The image, built from the Dockerfile and run as production runs it: wmory
// serve on MariaDB and an S3 store (versitygw) on this machine, a member's
// sign-up through to a thumbnail; the same image as the Lambda function under
// AWS's Runtime Interface Emulator; not root, healthy by its own check, under
// 500 MB, and no secret in its history.
func TestImage(t *testing.T) {
	eng, ok := sqldbtest.OfDialect(t, sqldb.MySQL)
	if !ok {
		return // Engines logged that no MySQL server was named
	}
	d := startDocker(t)
	d.baseImages(t)
	revision := fmt.Sprintf("test-%d", time.Now().UnixNano())
	start := time.Now()
	// The build stages are tagged too, so that the clean-up of untagged
	// images keeps them (and the next run's cache) alive.
	for _, target := range []string{"app", "build", ""} {
		args := []string{"build", "--network", "host", "-t", "wmory-stage:" + target, "--target", target}
		if target == "" {
			args = []string{"build", "--network", "host", "-t", "wmory:test"}
		}
		cmd := d.command(append(args, "--build-arg", "VERSION=0.0.0-test", "--build-arg", "REVISION="+revision, "..")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("docker build %s: %v\n%s", target, err, tail(string(out)))
		}
	}
	t.Logf("built in %v", time.Since(start).Round(time.Second))

	size, _ := strconv.ParseInt(d.must(t, "image", "inspect", "-f", "{{.Size}}", "wmory:test"), 10, 64)
	t.Logf("image size: %d MB", size/1e6)
	if size >= 500e6 {
		t.Errorf("the image is %d MB; want under 500 MB", size/1e6)
	}
	if got := d.must(t, "image", "inspect", "-f", `{{index .Config.Labels "org.opencontainers.image.revision"}} {{.Config.User}}`, "wmory:test"); got != revision+" wmory" {
		t.Errorf("revision label and user = %q", got)
	}
	if uid := d.must(t, "run", "--rm", "--network", "host", "--entrypoint", "id", "wmory:test", "-u"); uid == "0" {
		t.Error("the image runs as root")
	}
	history := d.must(t, "history", "--no-trunc", "--format", "{{.CreatedBy}}", "wmory:test")
	if m := regexp.MustCompile(`(?i)(password|secret|token|access_key)[^ ]*=`).FindString(history); m != "" {
		t.Errorf("the image's history sets %q", m)
	}

	gw := blobtest.StartVersityGW(t)
	gw.CreateBucket(t, "photos")
	dbURL := eng.URL(t)
	port := freePort(t)
	env := []string{"DATABASE_URL=" + dbURL, "AWS_BUCKET_NAME=photos", "AWS_ENDPOINT_URL_S3=" + gw.Endpoint, "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=" + gw.Access, "AWS_SECRET_ACCESS_KEY=" + gw.Secret, "WMORY_S3_PATH_STYLE=true",
		"WMORY_ADDR=127.0.0.1:" + strconv.Itoa(port), "WMORY_BASE_URL=http://127.0.0.1:" + strconv.Itoa(port)}
	runArgs := []string{"run", "-d", "--network", "host"}
	for _, e := range env {
		runArgs = append(runArgs, "-e", e)
	}
	name := "wmory-test-" + revision
	server := d.must(t, append(append(runArgs, "--name", name), "wmory:test")...)
	t.Cleanup(func() { d.try("rm", "-f", server) })
	waitFor(t, time.Minute, "the container's health check", func() bool {
		_, err := d.try("exec", server, "wmory", "healthcheck")
		return err == nil
	})

	// A member signs up (the console mailer prints the link), and uploads.
	anon := api{t: t, base: "http://127.0.0.1:" + strconv.Itoa(port)}
	anon.do("POST", "/api/v1/auth/register", map[string]string{"email": "ann@example.com", "password": "a long enough passphrase", "name": "Ann"}, 202)
	var token string
	waitFor(t, 30*time.Second, "the verification mail", func() bool {
		logs, _ := d.try("logs", server)
		m := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(strings.ReplaceAll(logs, "=\n", ""))
		if m != nil {
			token = m[1]
		}
		return m != nil
	})
	anon.do("POST", "/api/v1/auth/verify-email", map[string]string{"token": token}, 200)
	login := anon.do("POST", "/api/v1/auth/login", map[string]string{"email": "ann@example.com", "password": "a long enough passphrase"}, 200)
	ann := api{t: t, base: anon.base, token: login["token"].(string)}
	gid := ann.do("POST", "/api/v1/groups", map[string]string{"name": "Trip"}, 201)["id"].(string)
	photo, err := os.ReadFile(filepath.Join("..", "internal", "imaging", "testdata", "camera.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := ann.upload(gid, "a.jpg", photo)
	ann.do("POST", "/api/v1/uploads/"+id+"/complete", nil, 201)
	waitFor(t, time.Minute, "the photo's thumbnail", func() bool { return ann.ready(gid, 1) })
	// An iPhone's HDR video gets its tone-mapped rendition from the image's
	// own ffmpeg (zscale and x264 survive the image's pruning).
	clip, err := os.ReadFile(videotest.MakeClip(t, t.TempDir(), videotest.HEVCHLGRotated))
	if err != nil {
		t.Fatal(err)
	}
	id, _ = ann.uploadAs(gid, "IMG_0100.MOV", "video/quicktime", clip)
	video := ann.do("POST", "/api/v1/uploads/"+id+"/complete", nil, 201)["id"].(string)
	waitFor(t, 2*time.Minute, "the video's rendition", func() bool {
		status := ann.do("GET", "/api/v1/media/"+video, nil, 200)["playback_status"]
		if status == "failed" {
			logs, _ := d.try("logs", server)
			t.Fatalf("the rendition failed in the image:\n%s", tail(logs))
		}
		return status == "ready"
	})
	ann.do("DELETE", "/api/v1/media/"+video, nil, 204)
	d.must(t, "rm", "-f", server)

	// The same image as the thumbnail function: serve's workers are off, the
	// upload is never completed by the client, the function does it all.
	restart := append(append(append([]string{}, runArgs...), "-e", "WMORY_WORKERS=0", "--name", name+"-api"), "wmory:test")
	server = d.must(t, restart...)
	t.Cleanup(func() { d.try("rm", "-f", server) })
	waitFor(t, time.Minute, "the server to restart", func() bool {
		_, err := d.try("exec", server, "wmory", "healthcheck")
		return err == nil
	})
	rie := findTool(t, "aws-lambda-rie")
	invokePort, runtimePort := freePort(t), freePort(t)
	// As Lambda runs a container image: a read-only file system but /tmp,
	// and a user of its own choosing, not the image's.
	fnArgs := append(append([]string{}, runArgs...), "--name", name+"-fn", "-v", rie+":/usr/local/bin/aws-lambda-rie:ro",
		"--read-only", "--tmpfs", "/tmp", "--user", "993:990",
		"--entrypoint", "/usr/local/bin/aws-lambda-rie", "wmory:test",
		"--runtime-interface-emulator-address", "127.0.0.1:"+strconv.Itoa(invokePort), "--runtime-api-address", "127.0.0.1:"+strconv.Itoa(runtimePort),
		"wmory", "lambda")
	fn := d.must(t, fnArgs...)
	t.Cleanup(func() { d.try("rm", "-f", fn) })
	_, key := ann.upload(gid, "b.jpg", photo)
	event := fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"photos"},"object":{"key":%q,"size":%d}}}]}`,
		url.QueryEscape(key), len(photo))
	var answer string
	waitFor(t, time.Minute, "the function to answer", func() bool {
		resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", invokePort), "application/json", strings.NewReader(event))
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answer = string(b)
		return resp.StatusCode == 200
	})
	if answer != "null" {
		logs, _ := d.try("logs", fn)
		t.Fatalf("the function answered %s\n%s", answer, tail(logs))
	}
	if !ann.ready(gid, 2) {
		t.Fatal("the function's invocation ended before the photo was ready")
	}
	d.must(t, "rm", "-f", fn, server)

	testDeployScript(t, d, revision)
	testCompose(t, d, revision, photo)
}

// testCompose brings compose.yaml up with the image (PostgreSQL and versitygw
// beside it, each on its first start), and takes a member from sign-up to a
// thumbnail through the published ports, as a browser on the machine would.
func testCompose(t *testing.T, d *docker, revision string, photo []byte) {
	if _, err := d.try("compose", "version"); err != nil {
		t.Fatal("docker compose is not installed (make test-deps builds it)")
	}
	dir := t.TempDir()
	port, s3Port := freePort(t), freePort(t)
	env := fmt.Sprintf("POSTGRES_PASSWORD=pg-%s\nS3_SECRET_KEY=s3-%s\nWMORY_IMAGE=wmory:test\nWMORY_PORT=%d\nS3_PORT=%d\n"+
		"WMORY_BASE_URL=http://127.0.0.1:%d\nWMORY_S3_PUBLIC_URL=http://127.0.0.1:%d\n", revision, revision, port, s3Port, port, s3Port)
	envFile := filepath.Join(dir, ".env")
	os.WriteFile(envFile, []byte(env), 0o600)
	project := "wmory-compose-" + revision[len(revision)-8:]
	compose := func(args ...string) (string, error) {
		return d.try(append([]string{"compose", "-p", project, "-f", filepath.Join("..", "compose.yaml"), "--env-file", envFile}, args...)...)
	}
	t.Cleanup(func() { compose("down", "--volumes", "--remove-orphans") })
	if out, err := compose("up", "-d", "--no-build"); err != nil {
		t.Fatalf("compose up: %v\n%s", err, tail(out))
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(t, 2*time.Minute, "the composed wmory to be ready", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	anon := api{t: t, base: base}
	anon.do("POST", "/api/v1/auth/register", map[string]string{"email": "bo@example.com", "password": "a long enough passphrase", "name": "Bo"}, 202)
	var token string
	waitFor(t, 30*time.Second, "the verification mail", func() bool {
		logs, _ := compose("logs", "wmory")
		m := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(logs)
		if m != nil {
			token = m[1]
		}
		return m != nil
	})
	anon.do("POST", "/api/v1/auth/verify-email", map[string]string{"token": token}, 200)
	login := anon.do("POST", "/api/v1/auth/login", map[string]string{"email": "bo@example.com", "password": "a long enough passphrase"}, 200)
	bo := api{t: t, base: base, token: login["token"].(string)}
	gid := bo.do("POST", "/api/v1/groups", map[string]string{"name": "Home"}, 201)["id"].(string)
	up := bo.do("POST", "/api/v1/groups/"+gid+"/uploads", map[string]any{"filename": "c.jpg", "content_type": "image/jpeg", "size": len(photo)}, 201)
	if u, _ := url.Parse(up["url"].(string)); u.Host != fmt.Sprintf("127.0.0.1:%d", s3Port) {
		t.Fatalf("the upload URL %s does not name the store's public address", up["url"])
	}
	id, _ := bo.upload(gid, "d.jpg", photo)
	bo.do("POST", "/api/v1/uploads/"+id+"/complete", nil, 201)
	waitFor(t, time.Minute, "the thumbnail in the composed instance", func() bool { return bo.ready(gid, 1) })

	// The embedded defaults alone, from their own file.
	embeddedPort := freePort(t)
	embedded := func(args ...string) (string, error) {
		cmd := d.command(append([]string{"compose", "-p", project + "-embedded", "-f", filepath.Join("..", "compose.embedded.yaml")}, args...)...)
		cmd.Env = append(cmd.Env, "WMORY_IMAGE=wmory:test", fmt.Sprintf("WMORY_PORT=%d", embeddedPort))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { embedded("down", "--volumes", "--remove-orphans") })
	if out, err := embedded("up", "-d", "--no-build"); err != nil {
		t.Fatalf("compose up (embedded): %v\n%s", err, tail(out))
	}
	waitFor(t, time.Minute, "the embedded instance to be ready", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", embeddedPort))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// testDeployScript runs the instance's deploy script against a registry on
// this machine: two good tags in turn, then a broken one, which is rolled back.
func testDeployScript(t *testing.T, d *docker, revision string) {
	registry := findTool(t, "registry")
	dir := t.TempDir()
	regPort := freePort(t)
	config := filepath.Join(dir, "registry.yml")
	os.WriteFile(config, []byte(fmt.Sprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%d\n",
		filepath.Join(dir, "images"), regPort)), 0o600)
	reg := exec.Command(registry, "serve", config)
	var regLog bytes.Buffer
	reg.Stdout, reg.Stderr = &regLog, &regLog
	if err := reg.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Process.Kill(); reg.Wait() })
	waitFor(t, 30*time.Second, "the registry", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/v2/", regPort))
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	repo := fmt.Sprintf("127.0.0.1:%d/wmory", regPort)
	// Two releases, and a third that cannot start.
	for _, tag := range []string{"one", "two"} {
		d.must(t, "tag", "wmory:test", repo+":"+tag)
	}
	broken := d.command("build", "--network", "host", "-t", repo+":three", "-")
	broken.Stdin = strings.NewReader("FROM wmory:test\nENTRYPOINT [\"false\"]\n")
	if out, err := broken.CombinedOutput(); err != nil {
		t.Fatalf("broken image: %v\n%s", err, tail(string(out)))
	}
	for _, tag := range []string{"one", "two", "three"} {
		d.must(t, "push", repo+":"+tag)
		d.must(t, "rmi", repo+":"+tag) // so that the script pulls it
	}

	port := freePort(t)
	envFile := filepath.Join(dir, "env")
	os.WriteFile(envFile, []byte(fmt.Sprintf("WMORY_ADDR=127.0.0.1:%d\nWMORY_BASE_URL=http://127.0.0.1:%d\n", port, port)), 0o600)
	name, volume := "wmory-deploy-"+revision, "wmory-deploy-"+revision
	t.Cleanup(func() { d.try("rm", "-f", name); d.try("volume", "rm", volume) })
	deploy := func(tag string) (string, error) {
		cmd := exec.Command("bash", filepath.Join("ec2", "deploy.sh"), repo+":"+tag)
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.host, "WMORY_ENV_FILE="+envFile, "WMORY_CONTAINER="+name, "WMORY_VOLUME="+volume,
			"WMORY_PORT="+strconv.Itoa(port), "WMORY_STATE_DIR="+filepath.Join(dir, "state"), "WMORY_READY_SECONDS=60")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	running := func() string {
		return d.must(t, "inspect", "-f", "{{.Config.Image}}", name)
	}
	isReady := func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}
	for _, tag := range []string{"one", "two"} {
		if out, err := deploy(tag); err != nil {
			t.Fatalf("deploy %s: %v\n%s", tag, err, out)
		}
		if got := running(); got != repo+":"+tag || !isReady() {
			t.Fatalf("after deploying %s: running %s, ready %v", tag, got, isReady())
		}
	}
	out, err := deploy("three")
	if err == nil {
		t.Fatalf("deploying the broken tag succeeded:\n%s", out)
	}
	if !strings.Contains(out, "rolled back: "+repo+":two is ready") {
		t.Errorf("deploy of the broken tag said:\n%s", out)
	}
	if got := running(); got != repo+":two" || !isReady() {
		t.Fatalf("after the rollback: running %s, ready %v\n%s", got, isReady(), out)
	}
	if state, _ := os.ReadFile(filepath.Join(dir, "state", "current")); strings.TrimSpace(string(state)) != repo+":two" {
		t.Errorf("the script records %q as running", state)
	}
}
