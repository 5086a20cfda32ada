package main

import (
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func loadEnv(env map[string]string, args ...string) (config, error) {
	return loadConfig("serve", args, func(k string) string { return env[k] }, io.Discard)
}

// Each kind of setting turns good text into its field and refuses bad text
// with what it wants, naming the variable (and the value, unless a secret).
func TestSettingsReadAndRefuse(t *testing.T) {
	good := []struct {
		env, value string
		check      func(c config) bool
	}{
		{"WMORY_ADDR", "127.0.0.1:9000", func(c config) bool { return c.Addr == "127.0.0.1:9000" }},
		{"WMORY_BASE_URL", "https://photos.example.com/", func(c config) bool { return c.BaseURL.String() == "https://photos.example.com" }},
		{"WMORY_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.0/24", func(c config) bool {
			return len(c.TrustedProxies) == 2 && c.TrustedProxies[1] == netip.MustParsePrefix("192.168.1.0/24")
		}},
		{"WMORY_DAILY_BYTES", "1000", func(c config) bool { return c.Limits.DailyBytesLimit == 1000 }},
		{"WMORY_WORKERS", "0", func(c config) bool { return c.Workers == 0 }},
		{"WMORY_DB_CONN_LIFETIME", "90s", func(c config) bool { return c.Pool.MaxLifetime == 90*time.Second }},
		{"WMORY_AUDIT_RETENTION_DAYS", "30", func(c config) bool { return c.AuditRetention == 30*24*time.Hour }},
		{"WMORY_SESSION_MAX_AGE_DAYS", "7", func(c config) bool { return c.SessionMaxAge == 7*24*time.Hour }},
		{"WMORY_METRICS_ADDR", "127.0.0.1:9090", func(c config) bool { return c.MetricsAddr == "127.0.0.1:9090" }},
		{"WMORY_S3_EVENTS", "nats://127.0.0.1:4222/photos.events", func(c config) bool { return c.S3Events != "" }},
		{"WMORY_TRANSCODE", "off", func(c config) bool { return c.Renditions.Off }},
		{"WMORY_VIDEO_HEIGHT", "1080", func(c config) bool { return c.Renditions.Height == 1080 && !c.Renditions.Off }},
		{"WMORY_TRANSCODE_WORKERS", "0", func(c config) bool { return c.TranscodeWorkers == 0 }},
	}
	for _, g := range good {
		c, err := loadEnv(map[string]string{g.env: g.value})
		if err != nil || !g.check(c) {
			t.Errorf("%s=%q: %v", g.env, g.value, err)
		}
	}

	bad := []struct{ env, value, want string }{
		{"WMORY_ADDR", "8080", `WMORY_ADDR "8080": want host:port`},
		{"WMORY_BASE_URL", "https://x/?a=b", `WMORY_BASE_URL "https://x/?a=b": want an absolute`},
		{"WMORY_DATA_DIR", " ", `WMORY_DATA_DIR "": want a value`},
		{"DATABASE_URL", "oracle://x", "DATABASE_URL: "},
		{"SMTP_URL", "http://user:hunter2@mail", "SMTP_URL: want smtp://"},
		{"WMORY_MAIL_FROM", "nobody", `WMORY_MAIL_FROM "nobody": not an e-mail address`},
		{"WMORY_TRUSTED_PROXIES", "10.0.0.0/8,lan", `"lan": want CIDRs`},
		{"WMORY_DAILY_FILES", "0", `WMORY_DAILY_FILES "0": want a whole number above 0`},
		{"WMORY_WORKERS", "-1", `WMORY_WORKERS "-1": want a whole number, 0 or more`},
		{"WMORY_DB_MAX_OPEN", "many", "want a whole number above 0"},
		{"WMORY_JOB_LEASE", "5", `WMORY_JOB_LEASE "5": want a duration`},
		{"WMORY_SHUTDOWN_TIMEOUT", "-1s", "want a duration"},
		{"WMORY_AUDIT_RETENTION_DAYS", "-3", "want a whole number, 0 or more (days)"},
		{"WMORY_SESSION_MAX_AGE_DAYS", "0", "want a whole number above 0 (days)"},
		{"WMORY_METRICS_ADDR", "9090", `WMORY_METRICS_ADDR "9090": want host:port`},
		{"AWS_ENDPOINT_URL_S3", "s3.local", "want an http:// or https:// URL"},
		{"WMORY_S3_PUBLIC_ENDPOINT", "ftp://x", "want an http:// or https:// URL"},
		{"WMORY_S3_PATH_STYLE", "maybe", `WMORY_S3_PATH_STYLE "maybe": want true or false`},
		{"WMORY_S3_CREATE_BUCKET", "yes", "want true or false"},
		{"WMORY_S3_EVENT_SECRET", "short-secret", "WMORY_S3_EVENT_SECRET: want at least 16 characters"},
		{"WMORY_S3_EVENTS", "nats://127.0.0.1:4222", "want a subject"},
		{"WMORY_TRANSCODE", "yes", `WMORY_TRANSCODE "yes": want on or off`},
		{"WMORY_VIDEO_HEIGHT", "600", `WMORY_VIDEO_HEIGHT "600": want 480, 720 or 1080`},
		{"WMORY_TRANSCODE_WORKERS", "-1", "want a whole number, 0 or more"},
	}
	for _, b := range bad {
		_, err := loadEnv(map[string]string{b.env: b.value})
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s=%q: error %v, want it to say %q", b.env, b.value, err, b.want)
			continue
		}
		if strings.Count(err.Error(), "\n") != 1 {
			t.Errorf("%s=%q reported more than one mistake: %v", b.env, b.value, err)
		}
	}
	// Secrets are never echoed.
	for env, value := range map[string]string{"SMTP_URL": "http://user:hunter2@x", "WMORY_S3_EVENT_SECRET": "hunter2"} {
		_, err := loadEnv(map[string]string{env: value})
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v", env, err)
		}
	}
}

// A flag wins over its variable, and every flagged setting has its flag.
func TestFlagsOverEnvironment(t *testing.T) {
	c, err := loadEnv(map[string]string{"WMORY_WORKERS": "3", "WMORY_ADDR": ":7000"}, "--workers", "5")
	if err != nil || c.Workers != 5 || c.Addr != ":7000" {
		t.Fatalf("workers %d addr %q: %v", c.Workers, c.Addr, err)
	}
	for _, s := range settings() {
		if s.flag == "" {
			continue
		}
		if _, err := loadEnv(nil, "--"+s.flag+"="+s.def); err != nil {
			t.Errorf("--%s with its own default %q: %v", s.flag, s.def, err)
		}
	}
	if _, err := loadEnv(nil, "--no-such-setting=1"); err == nil {
		t.Fatal("an unknown flag was accepted")
	}
	var help strings.Builder
	loadConfig("serve", []string{"-h"}, func(k string) string { return map[string]string{"SMTP_URL": "smtp://u:hunter2@mail"}[k] }, &help)
	if !strings.Contains(help.String(), "-smtp-url") || strings.Contains(help.String(), "hunter2") {
		t.Fatalf("the help shows a secret from the environment, or not the flag:\n%s", help.String())
	}
}

// The store settles from its parts: none without a bucket; path-style
// addressing by default only with an endpoint, unless said otherwise.
func TestStoreSettles(t *testing.T) {
	c, err := loadEnv(map[string]string{"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:7070"})
	if err != nil || c.S3 != nil || c.storeMode() != "local" {
		t.Fatalf("no bucket: %+v, %v", c.S3, err)
	}
	c, err = loadEnv(map[string]string{"AWS_BUCKET_NAME": "photos", "AWS_REGION": "eu-west-1"})
	if err != nil || c.S3 == nil || c.S3.PathStyle || c.S3.Region != "eu-west-1" {
		t.Fatalf("bucket on AWS: %+v, %v", c.S3, err)
	}
	c, err = loadEnv(map[string]string{"AWS_BUCKET_NAME": "photos", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:7070"})
	if err != nil || !c.S3.PathStyle || c.S3.Endpoint != "http://127.0.0.1:7070" {
		t.Fatalf("bucket with an endpoint: %+v, %v", c.S3, err)
	}
	c, err = loadEnv(map[string]string{"AWS_BUCKET_NAME": "photos", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:7070", "WMORY_S3_PATH_STYLE": "false"})
	if err != nil || c.S3.PathStyle {
		t.Fatalf("path style turned off: %+v, %v", c.S3, err)
	}
	c, err = loadEnv(nil)
	if err != nil || c.DatabaseURL != "sqlite:data/wmory.db" {
		t.Fatalf("the default database: %q, %v", c.DatabaseURL, err)
	}
	if c.Renditions.Off || c.Renditions.Height != 720 || c.TranscodeWorkers != 1 {
		t.Fatalf("the default renditions: %+v, %d at once", c.Renditions, c.TranscodeWorkers)
	}
}
