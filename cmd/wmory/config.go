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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob/s3"
	"github.com/wmory/wmory/internal/events"
	wmail "github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/media"
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
	BatchGap        time.Duration
	TrashFor        time.Duration
	MetricsAddr     string
	SessionMaxAge   time.Duration
	EventSecret     string
	S3Events        string // nats://host:port/SUBJECT
	S3CreateBucket  bool
	Renditions      media.Renditions
	// TranscodeWorkers is how many renditions this process makes at once.
	TranscodeWorkers int

	// Read from their settings and settled into the fields above.
	mysql     mysqlParts
	store     s3.Config
	pathStyle *bool // nil: path style when an endpoint is named
}

// A setting is one option of wmory: its flag, the environment variable
// behind it, its default and how its text becomes part of the configuration.
// The flags, the environment, the validation and the README's configuration
// table (checked by a test) all come from the one list, settings.
type setting struct {
	flag   string // "": read from the environment only
	env    string
	def    string
	usage  string
	secret bool // may come from the file $ENV_FILE names; its value is never echoed
	set    func(c *config, v string) error
}

// settings lists every option in the order of the README's table. The
// checks that involve more than one setting are in config.settle.
func settings() []setting {
	limits := wmory.DefaultLimits
	return []setting{
		{"addr", "WMORY_ADDR", ":8080", "address to listen on", false, hostPort(func(c *config) *string { return &c.Addr })},
		{"base-url", "WMORY_BASE_URL", "", "public URL of this instance, used in e-mailed links (default http://localhost:PORT)", false, baseURL},
		{"data-dir", "WMORY_DATA_DIR", "data", "folder for the SQLite database, local files and copies of console mail", false, required(func(c *config) *string { return &c.DataDir })},
		{"database-url", "DATABASE_URL", "", "sqlite:PATH, mysql://user:pass@host:port/db or postgres://user:pass@host:port/db (default sqlite:DATA_DIR/wmory.db)", true, text(func(c *config) *string { return &c.DatabaseURL })},
		{"", "DB_HOST", "", "MySQL by parts: the host (selects MySQL)", false, text(func(c *config) *string { return &c.mysql.host })},
		{"", "DB_PORT", "3306", "MySQL by parts: the port", false, text(func(c *config) *string { return &c.mysql.port })},
		{"", "DB_USER", "", "MySQL by parts: the user", false, text(func(c *config) *string { return &c.mysql.user })},
		{"", "DB_PASSWORD", "", "MySQL by parts: the password", true, text(func(c *config) *string { return &c.mysql.password })},
		{"", "DB_NAME", "", "MySQL by parts: the database", false, text(func(c *config) *string { return &c.mysql.name })},
		{"", "DB_TLS", "", "MySQL by parts: true (RDS Proxy), skip-verify, preferred or false", false, text(func(c *config) *string { return &c.mysql.tls })},
		{"smtp-url", "SMTP_URL", "", "smtp://user:pass@host:port (STARTTLS when offered) or smtps://…; empty: print e-mails to the console", true, smtpURL},
		{"mail-from", "WMORY_MAIL_FROM", "wmory <noreply@localhost>", "sender address of wmory's e-mails", false, mailFrom},
		{"trusted-proxies", "WMORY_TRUSTED_PROXIES", "", "comma-separated CIDRs whose X-Forwarded-For is trusted", false, trustedProxies},
		{"daily-bytes", "WMORY_DAILY_BYTES", strconv.FormatInt(limits.DailyBytesLimit, 10), "upload allowance per user and UTC day, in bytes", false, count(1, func(c *config) *int64 { return &c.Limits.DailyBytesLimit })},
		{"daily-files", "WMORY_DAILY_FILES", strconv.FormatInt(limits.DailyFilesLimit, 10), "upload allowance per user and UTC day, in files", false, count(1, func(c *config) *int64 { return &c.Limits.DailyFilesLimit })},
		{"max-photo-bytes", "WMORY_MAX_PHOTO_BYTES", strconv.FormatInt(limits.MaxPhotoBytes, 10), "largest photo accepted, in bytes", false, count(1, func(c *config) *int64 { return &c.Limits.MaxPhotoBytes })},
		{"max-video-bytes", "WMORY_MAX_VIDEO_BYTES", strconv.FormatInt(limits.MaxVideoBytes, 10), "largest video accepted, in bytes", false, count(1, func(c *config) *int64 { return &c.Limits.MaxVideoBytes })},
		{"s3-bucket", "AWS_BUCKET_NAME", "", "keep objects in this S3 bucket (credentials from the AWS SDK's default chain); empty: on local disk under the data folder", false, text(func(c *config) *string { return &c.store.Bucket })},
		{"", "AWS_REGION", "", "the bucket's region, as the AWS SDK reads it (default: the SDK's configuration, else us-east-1)", false, text(func(c *config) *string { return &c.store.Region })},
		{"s3-endpoint", "AWS_ENDPOINT_URL_S3", "", "S3-compatible endpoint, such as http://127.0.0.1:8333 (default: AWS)", false, webURL(func(c *config) *string { return &c.store.Endpoint })},
		{"s3-path-style", "WMORY_S3_PATH_STYLE", "", "address buckets by path (default: true with an endpoint; most S3-compatible stores want it)", false, s3PathStyle},
		{"s3-create-bucket", "WMORY_S3_CREATE_BUCKET", "false", "make the bucket at start if it does not exist (a self-hosted store's first start)", false, boolean(func(c *config) *bool { return &c.S3CreateBucket })},
		{"s3-public-endpoint", "WMORY_S3_PUBLIC_ENDPOINT", "", "the store's URL as browsers and phones reach it, when it is not AWS_ENDPOINT_URL_S3 (behind a proxy, in compose); upload and download URLs are signed for it", false, webURL(func(c *config) *string { return &c.store.PublicEndpoint })},
		{"workers", "WMORY_WORKERS", strconv.Itoa(runtime.NumCPU()), "jobs run at once by this process (serve: 0 runs none here, for a separate `wmory worker`)", false, count(0, func(c *config) *int { return &c.Workers })},
		{"transcode", "WMORY_TRANSCODE", "on", "make a playback rendition (H.264 MP4) of every video, so that every browser and phone plays it: on or off", false, transcode},
		{"video-height", "WMORY_VIDEO_HEIGHT", "720", "the playback rendition's short side at most, in pixels: 480, 720 or 1080", false, videoHeight},
		{"transcode-workers", "WMORY_TRANSCODE_WORKERS", "1", "renditions made at once by this process, apart from other jobs (0: none here)", false, count(0, func(c *config) *int { return &c.TranscodeWorkers })},
		{"metrics-addr", "WMORY_METRICS_ADDR", "", "address to serve /metrics and /healthz on for the operators (never on the public address); empty: none", false, optional(hostPort(func(c *config) *string { return &c.MetricsAddr }))},
		{"db-max-open", "WMORY_DB_MAX_OPEN", "20", "most open database connections per process", false, count(1, func(c *config) *int { return &c.Pool.MaxOpen })},
		{"db-max-idle", "WMORY_DB_MAX_IDLE", "10", "most idle database connections per process", false, count(1, func(c *config) *int { return &c.Pool.MaxIdle })},
		{"db-conn-lifetime", "WMORY_DB_CONN_LIFETIME", "30m", "longest life of a database connection", false, duration(func(c *config) *time.Duration { return &c.Pool.MaxLifetime })},
		{"job-lease", "WMORY_JOB_LEASE", "5m", "how long a worker holds a job before another may take it over", false, duration(func(c *config) *time.Duration { return &c.JobLease })},
		{"batch-gap", "WMORY_BATCH_GAP", "10m", "one member's uploads no further apart than this are one batch: one entry in the group's activity and one e-mail to the others, sent this long after its last item (comments on one's items likewise)", false, duration(func(c *config) *time.Duration { return &c.BatchGap })},
		{"trash-days", "WMORY_TRASH_DAYS", "30", "deleted items stay this many days in their group's trash, restorable, before they are purged (1 at least)", false, days(1, func(c *config) *time.Duration { return &c.TrashFor })},
		{"audit-retention-days", "WMORY_AUDIT_RETENTION_DAYS", "0", "delete audit entries older than this many days (0 keeps them forever)", false, days(0, func(c *config) *time.Duration { return &c.AuditRetention })},
		{"s3-event-secret", "WMORY_S3_EVENT_SECRET", "", "shared secret of the store's event webhook (POST /events/s3), at least 16 characters; empty: no webhook", true, eventSecret},
		{"s3-events", "WMORY_S3_EVENTS", "", "nats://host:port/SUBJECT: receive the store's event notifications from NATS; empty: none", false, natsEvents},
		{"session-max-age-days", "WMORY_SESSION_MAX_AGE_DAYS", "365", "a session ends this many days after sign-in however active it stays", false, days(1, func(c *config) *time.Duration { return &c.SessionMaxAge })},
		{"shutdown-timeout", "WMORY_SHUTDOWN_TIMEOUT", "25s", "how long in-flight requests may take to finish at shutdown", false, duration(func(c *config) *time.Duration { return &c.ShutdownTimeout })},
	}
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

// loadConfig reads the settings from flags over the environment over their
// defaults and validates them, reporting every mistake at once, one per line.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("wmory "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	all := settings()
	values := make([]string, len(all))
	var errs []string
	for i, s := range all {
		if s.flag != "" {
			// The help shows the built-in default, never a (secret) value
			// from the environment.
			fs.StringVar(&values[i], s.flag, s.def, s.usage+" ($"+s.env+")")
		}
		v, err := lookup(getenv, s)
		if err != nil {
			errs = append(errs, err.Error())
		}
		if v == "" {
			v = s.def
		}
		values[i] = v
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var c config
	for i, s := range all {
		v := strings.TrimSpace(values[i])
		if err := s.set(&c, v); err != nil {
			if s.secret {
				errs = append(errs, fmt.Sprintf("%s: %v", s.env, err))
			} else {
				errs = append(errs, fmt.Sprintf("%s %q: %v", s.env, v, err))
			}
		}
	}
	errs = append(errs, c.settle()...)
	if len(errs) > 0 {
		return c, errors.New("configuration:\n  " + strings.Join(errs, "\n  "))
	}
	return c, nil
}

// settle makes the decisions that involve more than one setting: which
// database, which store and how it is addressed.
func (c *config) settle() []string {
	var errs []string
	switch {
	case c.mysql.host != "" && c.DatabaseURL != "":
		errs = append(errs, "DATABASE_URL and DB_HOST are both set; use one way to name the database")
	case c.mysql.host != "":
		if c.mysql.user == "" || c.mysql.name == "" {
			errs = append(errs, "DB_HOST is set, so DB_USER and DB_NAME are needed too")
		}
		c.DatabaseURL = c.mysql.url()
	case c.DatabaseURL == "":
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "wmory.db")
	}
	if _, _, _, err := sqldb.ParseURL(c.DatabaseURL); err != nil {
		errs = append(errs, "DATABASE_URL: "+err.Error())
	}
	if c.store.Bucket != "" {
		store := c.store
		store.PathStyle = store.Endpoint != ""
		if c.pathStyle != nil {
			store.PathStyle = *c.pathStyle
		}
		c.S3 = &store
	}
	return errs
}

// mysqlParts names a MySQL database by the variables of the original
// deployment (DB_HOST and the rest), as RDS and its secrets hand them out.
type mysqlParts struct{ host, port, user, password, name, tls string }

func (p mysqlParts) url() string {
	u := url.URL{Scheme: "mysql", User: url.UserPassword(p.user, p.password), Host: net.JoinHostPort(p.host, p.port), Path: "/" + p.name}
	if p.tls != "" {
		u.RawQuery = url.Values{"tls": {p.tls}}.Encode()
	}
	return u.String()
}

// The kinds of setting: each reads its text into a field of the
// configuration, or says what it wants instead.

func text(field func(*config) *string) func(*config, string) error {
	return func(c *config, v string) error { *field(c) = v; return nil }
}

func required(field func(*config) *string) func(*config, string) error {
	return func(c *config, v string) error {
		if v == "" {
			return errors.New("want a value")
		}
		*field(c) = v
		return nil
	}
}

// optional accepts the empty text as "none" and checks any other.
func optional(set func(*config, string) error) func(*config, string) error {
	return func(c *config, v string) error {
		if v == "" {
			return nil
		}
		return set(c, v)
	}
}

func hostPort(field func(*config) *string) func(*config, string) error {
	return func(c *config, v string) error {
		if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
			return errors.New("want host:port, such as :8080 or 127.0.0.1:8080")
		}
		*field(c) = v
		return nil
	}
}

func count[N int | int64](least int64, field func(*config) *N) func(*config, string) error {
	return func(c *config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < least {
			if least == 1 {
				return errors.New("want a whole number above 0")
			}
			return fmt.Errorf("want a whole number, %d or more", least)
		}
		*field(c) = N(n)
		return nil
	}
}

func days(least int64, field func(*config) *time.Duration) func(*config, string) error {
	return func(c *config, v string) error {
		var n int64
		if err := count(least, func(*config) *int64 { return &n })(c, v); err != nil {
			return fmt.Errorf("%v (days)", err)
		}
		*field(c) = time.Duration(n) * 24 * time.Hour
		return nil
	}
}

func duration(field func(*config) *time.Duration) func(*config, string) error {
	return func(c *config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("want a duration such as 30s or 5m")
		}
		*field(c) = d
		return nil
	}
}

func boolean(field func(*config) *bool) func(*config, string) error {
	return func(c *config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		*field(c) = b
		return nil
	}
}

func webURL(field func(*config) *string) func(*config, string) error {
	return optional(func(c *config, v string) error {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("want an http:// or https:// URL")
		}
		*field(c) = v
		return nil
	})
}

func baseURL(c *config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("want an absolute http:// or https:// URL without query, such as https://photos.example.com")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	c.BaseURL = u
	return nil
}

func smtpURL(c *config, v string) error {
	if v != "" {
		if _, err := wmail.NewSMTP(v, ""); err != nil {
			return err
		}
	}
	c.SMTPURL = v
	return nil
}

func mailFrom(c *config, v string) error {
	if _, err := mail.ParseAddress(v); err != nil {
		return errors.New("not an e-mail address")
	}
	c.MailFrom = v
	return nil
}

func trustedProxies(c *config, v string) error {
	var bad []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			bad = append(bad, strconv.Quote(p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix)
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s: want CIDRs such as 10.0.0.0/8", strings.Join(bad, ", "))
	}
	return nil
}

func s3PathStyle(c *config, v string) error {
	if v == "" {
		return nil
	}
	var b bool
	if err := boolean(func(*config) *bool { return &b })(c, v); err != nil {
		return err
	}
	c.pathStyle = &b
	return nil
}

func transcode(c *config, v string) error {
	switch v {
	case "on":
		c.Renditions.Off = false
	case "off":
		c.Renditions.Off = true
	default:
		return errors.New("want on or off")
	}
	return nil
}

func videoHeight(c *config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || !slices.Contains(wmory.VideoHeights(), n) {
		return errors.New("want 480, 720 or 1080")
	}
	c.Renditions.Height = n
	return nil
}

func eventSecret(c *config, v string) error {
	if v != "" && len(v) < 16 {
		return errors.New("want at least 16 characters")
	}
	c.EventSecret = v
	return nil
}

func natsEvents(c *config, v string) error {
	if v != "" {
		if _, _, err := events.ParseNATSURL(v); err != nil {
			return err
		}
	}
	c.S3Events = v
	return nil
}
