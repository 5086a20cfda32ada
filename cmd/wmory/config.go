package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob/s3"
	"github.com/wmory/wmory/internal/events"
	wmail "github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/sqldb"
)

// config is everything wmory reads from its flags and environment. It is built
// once in run and passed down; nothing reads the environment later.
type config struct {
	Addr            string
	BaseURL         *url.URL // nil: derived from the listening address
	DataDir         string
	DatabaseURL     string
	SMTPURL         string
	MailFrom        string
	TrustedProxies  []netip.Prefix
	Limits          wmory.Limits
	S3              *s3.Config // nil: the local store under DataDir
	Pool            sqldb.PoolConfig
	ShutdownTimeout time.Duration
	Workers         int
	AuditRetention  time.Duration
	JobLease        time.Duration
	MetricsAddr     string
	SessionMaxAge   time.Duration
	EventSecret     string
	S3Events        string // nats://host:port/SUBJECT
	S3CreateBucket  bool
}

// setting is one option: a flag and the environment variable behind it.
type setting struct {
	flag, env, usage, def string
	secret                bool // may also come from $ENV_FILE
}

var settings = []setting{
	{"addr", "WMORY_ADDR", "address to listen on", ":8080", false},
	{"base-url", "WMORY_BASE_URL", "public URL of this instance, used in e-mailed links (default http://localhost:PORT)", "", false},
	{"data-dir", "WMORY_DATA_DIR", "folder for the SQLite database, local files and copies of console mail", "data", false},
	{"database-url", "DATABASE_URL", "sqlite:PATH, mysql://user:pass@host:port/db or postgres://user:pass@host:port/db (default sqlite:DATA_DIR/wmory.db)", "", true},
	{"smtp-url", "SMTP_URL", "smtp://user:pass@host:port (STARTTLS when offered) or smtps://…; empty: print e-mails to the console", "", true},
	{"mail-from", "WMORY_MAIL_FROM", "sender address of wmory's e-mails", "wmory <noreply@localhost>", false},
	{"trusted-proxies", "WMORY_TRUSTED_PROXIES", "comma-separated CIDRs whose X-Forwarded-For is trusted", "", false},
	{"daily-bytes", "WMORY_DAILY_BYTES", "upload allowance per user and UTC day, in bytes", strconv.FormatInt(wmory.DefaultLimits.DailyBytesLimit, 10), false},
	{"daily-files", "WMORY_DAILY_FILES", "upload allowance per user and UTC day, in files", strconv.FormatInt(wmory.DefaultLimits.DailyFilesLimit, 10), false},
	{"max-photo-bytes", "WMORY_MAX_PHOTO_BYTES", "largest photo accepted, in bytes", strconv.FormatInt(wmory.DefaultLimits.MaxPhotoBytes, 10), false},
	{"max-video-bytes", "WMORY_MAX_VIDEO_BYTES", "largest video accepted, in bytes", strconv.FormatInt(wmory.DefaultLimits.MaxVideoBytes, 10), false},
	{"s3-bucket", "AWS_BUCKET_NAME", "keep objects in this S3 bucket (credentials from the AWS SDK's default chain); empty: on local disk under the data folder", "", false},
	{"s3-endpoint", "AWS_ENDPOINT_URL_S3", "S3-compatible endpoint, such as http://127.0.0.1:8333 (default: AWS)", "", false},
	{"s3-path-style", "WMORY_S3_PATH_STYLE", "address buckets by path (most S3-compatible stores want true)", "", false},
	{"s3-create-bucket", "WMORY_S3_CREATE_BUCKET", "make the bucket at start if it does not exist (a self-hosted store's first start)", "false", false},
	{"s3-public-endpoint", "WMORY_S3_PUBLIC_ENDPOINT", "the store's URL as browsers and phones reach it, when it is not AWS_ENDPOINT_URL_S3 (behind a proxy, in compose); upload and download URLs are signed for it", "", false},
	{"db-max-open", "WMORY_DB_MAX_OPEN", "most open database connections per process", "20", false},
	{"db-max-idle", "WMORY_DB_MAX_IDLE", "most idle database connections per process", "10", false},
	{"db-conn-lifetime", "WMORY_DB_CONN_LIFETIME", "longest life of a database connection", "30m", false},
	{"workers", "WMORY_WORKERS", "jobs run at once by this process (serve: 0 runs none here, for a separate `wmory worker`)", strconv.Itoa(runtime.NumCPU()), false},
	{"metrics-addr", "WMORY_METRICS_ADDR", "address to serve /metrics and /healthz on for the operators (never on the public address); empty: none", "", false},
	{"job-lease", "WMORY_JOB_LEASE", "how long a worker holds a job before another may take it over", "5m", false},
	{"audit-retention-days", "WMORY_AUDIT_RETENTION_DAYS", "delete audit entries older than this many days (0 keeps them forever)", "0", false},
	{"s3-event-secret", "WMORY_S3_EVENT_SECRET", "shared secret of the store's event webhook (POST /events/s3); empty: no webhook", "", true},
	{"s3-events", "WMORY_S3_EVENTS", "nats://host:port/SUBJECT: receive the store's event notifications from NATS; empty: none", "", false},
	{"session-max-age-days", "WMORY_SESSION_MAX_AGE_DAYS", "a session ends this many days after sign-in however active it stays", "365", false},
	{"shutdown-timeout", "WMORY_SHUTDOWN_TIMEOUT", "how long in-flight requests may take to finish at shutdown", "25s", false},
}

// MySQL settings under the names of the original deployment; they select MySQL.
var mysqlEnv = []setting{
	{"", "DB_HOST", "", "", false}, {"", "DB_PORT", "", "3306", false}, {"", "DB_USER", "", "", false},
	{"", "DB_PASSWORD", "", "", true}, {"", "DB_NAME", "", "", false},
	{"", "DB_TLS", "", "", false}, // true (RDS Proxy), skip-verify, preferred or false
}

// mysqlURL is the database URL that the MySQL settings by parts name.
func mysqlURL(my map[string]string) string {
	port := my["DB_PORT"]
	if port == "" {
		port = "3306"
	}
	u := url.URL{Scheme: "mysql", User: url.UserPassword(my["DB_USER"], my["DB_PASSWORD"]), Host: net.JoinHostPort(my["DB_HOST"], port), Path: "/" + my["DB_NAME"]}
	if tls := my["DB_TLS"]; tls != "" {
		u.RawQuery = url.Values{"tls": {tls}}.Encode()
	}
	return u.String()
}

// lookup reads an environment variable, or for secrets the file that
// NAME_FILE names (as container secrets are mounted).
func lookup(getenv func(string) string, s setting) (string, error) {
	v := getenv(s.env)
	if !s.secret {
		return v, nil
	}
	f := getenv(s.env + "_FILE")
	if f == "" {
		return v, nil
	}
	if v != "" {
		return "", fmt.Errorf("%s and %s_FILE are both set; set one", s.env, s.env)
	}
	b, err := os.ReadFile(f)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %v", s.env, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// loadConfig parses flags over the environment and validates everything,
// reporting every mistake at once, one per line.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("wmory "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	values := map[string]*string{}
	var errs []string
	for _, s := range settings {
		def, err := lookup(getenv, s)
		if err != nil {
			errs = append(errs, err.Error())
		}
		if def == "" {
			def = s.def
		}
		values[s.flag] = fs.String(s.flag, def, s.usage+" ($"+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	v := func(name string) string { return strings.TrimSpace(*values[name]) }

	c := config{Addr: v("addr"), DataDir: v("data-dir"), DatabaseURL: v("database-url"), SMTPURL: v("smtp-url"), MailFrom: v("mail-from")}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Sprintf("WMORY_ADDR %q: want host:port, such as :8080 or 127.0.0.1:8080", c.Addr))
	}
	if raw := v("base-url"); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Sprintf("WMORY_BASE_URL %q: want an absolute http:// or https:// URL without query, such as https://photos.example.com", raw))
		} else {
			u.Path = strings.TrimSuffix(u.Path, "/")
			c.BaseURL = u
		}
	}
	if c.DataDir == "" {
		errs = append(errs, "WMORY_DATA_DIR is empty")
	}

	my := map[string]string{}
	for _, s := range mysqlEnv {
		val, err := lookup(getenv, s)
		if err != nil {
			errs = append(errs, err.Error())
		}
		my[s.env] = val
	}
	switch {
	case my["DB_HOST"] != "" && c.DatabaseURL != "":
		errs = append(errs, "DATABASE_URL and DB_HOST are both set; use one way to name the database")
	case my["DB_HOST"] != "":
		if my["DB_USER"] == "" || my["DB_NAME"] == "" {
			errs = append(errs, "DB_HOST is set, so DB_USER and DB_NAME are needed too")
		}
		c.DatabaseURL = mysqlURL(my)
	case c.DatabaseURL == "":
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "wmory.db")
	}
	if _, _, _, err := sqldb.ParseURL(c.DatabaseURL); err != nil {
		errs = append(errs, "DATABASE_URL: "+err.Error())
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		errs = append(errs, fmt.Sprintf("WMORY_MAIL_FROM %q: not an e-mail address", c.MailFrom))
	}
	if c.SMTPURL != "" {
		if _, err := wmail.NewSMTP(c.SMTPURL, c.MailFrom); err != nil {
			errs = append(errs, err.Error())
		}
	}
	for _, p := range strings.Split(v("trusted-proxies"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			errs = append(errs, fmt.Sprintf("WMORY_TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix)
	}
	positive := func(env, raw string) int64 {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Sprintf("%s %q: want a whole number above 0", env, raw))
		}
		return n
	}
	duration := func(env, raw string) time.Duration {
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s %q: want a duration such as 30s or 5m", env, raw))
		}
		return d
	}
	c.Limits = wmory.Limits{
		DailyBytesLimit: positive("WMORY_DAILY_BYTES", v("daily-bytes")),
		DailyFilesLimit: positive("WMORY_DAILY_FILES", v("daily-files")),
		MaxPhotoBytes:   positive("WMORY_MAX_PHOTO_BYTES", v("max-photo-bytes")),
		MaxVideoBytes:   positive("WMORY_MAX_VIDEO_BYTES", v("max-video-bytes")),
	}
	if bucket := v("s3-bucket"); bucket != "" {
		c.S3 = &s3.Config{Bucket: bucket, Region: getenv("AWS_REGION"), Endpoint: v("s3-endpoint"), PublicEndpoint: v("s3-public-endpoint")}
		create, err := strconv.ParseBool(v("s3-create-bucket"))
		if err != nil {
			errs = append(errs, fmt.Sprintf("WMORY_S3_CREATE_BUCKET %q: want true or false", v("s3-create-bucket")))
		}
		c.S3CreateBucket = create
		switch ps := v("s3-path-style"); ps {
		case "":
			c.S3.PathStyle = c.S3.Endpoint != ""
		default:
			b, err := strconv.ParseBool(ps)
			if err != nil {
				errs = append(errs, fmt.Sprintf("WMORY_S3_PATH_STYLE %q: want true or false", ps))
			}
			c.S3.PathStyle = b
		}
		for _, e := range [][2]string{{"AWS_ENDPOINT_URL_S3", c.S3.Endpoint}, {"WMORY_S3_PUBLIC_ENDPOINT", c.S3.PublicEndpoint}} {
			if u, err := url.Parse(e[1]); e[1] != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
				errs = append(errs, fmt.Sprintf("%s %q: want an http:// or https:// URL", e[0], e[1]))
			}
		}
	}
	c.Pool.MaxOpen = int(positive("WMORY_DB_MAX_OPEN", v("db-max-open")))
	c.Pool.MaxIdle = int(positive("WMORY_DB_MAX_IDLE", v("db-max-idle")))
	c.Pool.MaxLifetime = duration("WMORY_DB_CONN_LIFETIME", v("db-conn-lifetime"))
	c.ShutdownTimeout = duration("WMORY_SHUTDOWN_TIMEOUT", v("shutdown-timeout"))
	c.JobLease = duration("WMORY_JOB_LEASE", v("job-lease"))
	c.MetricsAddr = v("metrics-addr")
	c.EventSecret = v("s3-event-secret")
	if c.S3Events = v("s3-events"); c.S3Events != "" {
		if _, _, err := events.ParseNATSURL(c.S3Events); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if c.EventSecret != "" && len(c.EventSecret) < 16 {
		errs = append(errs, "WMORY_S3_EVENT_SECRET: want at least 16 characters")
	}
	c.SessionMaxAge = time.Duration(positive("WMORY_SESSION_MAX_AGE_DAYS", v("session-max-age-days"))) * 24 * time.Hour
	if n, err := strconv.Atoi(v("audit-retention-days")); err != nil || n < 0 {
		errs = append(errs, fmt.Sprintf("WMORY_AUDIT_RETENTION_DAYS %q: want a whole number of days, 0 to keep everything", v("audit-retention-days")))
	} else {
		c.AuditRetention = time.Duration(n) * 24 * time.Hour
	}
	if n, err := strconv.Atoi(v("workers")); err != nil || n < 0 {
		errs = append(errs, fmt.Sprintf("WMORY_WORKERS %q: want a whole number, 0 or more", v("workers")))
	} else {
		c.Workers = n
	}
	if len(errs) > 0 {
		return c, errors.New("configuration:\n  " + strings.Join(errs, "\n  "))
	}
	return c, nil
}
