package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/local"
	"github.com/wmory/wmory/internal/blob/s3"
	"github.com/wmory/wmory/internal/events"
	wmoryhttp "github.com/wmory/wmory/internal/http"
	"github.com/wmory/wmory/internal/imaging"
	"github.com/wmory/wmory/internal/jobs"
	"github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/media"
	"github.com/wmory/wmory/internal/metrics"
	"github.com/wmory/wmory/internal/password"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/webapp"
)

const usage = `usage: wmory <command> [flags]

commands:
  serve     run the server (the default)
  worker    run background jobs only (thumbnails, deletions, clean-up)
  admin     create accounts and instance administrators ("wmory admin" for help)
  migrate   apply database migrations and exit
  lambda    run as the thumbnail function on AWS Lambda (S3 ObjectCreated events)
  healthcheck  exit 0 if the server on this machine is ready (for container health checks)
  login     sign in to a server: wmory login --server URL
  groups    list your groups
  upload    send photos and videos: wmory upload --group NAME PATH...
  help      show this text

Run "wmory serve -h" for the settings; each flag has an environment variable.
`

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		// Lambda starts a function's bootstrap without arguments.
		cmd = "lambda"
	}
	if len(args) > 0 && (!strings.HasPrefix(args[0], "-") || args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "worker":
		return worker(ctx, args, getenv, stdout, stderr)
	case "admin":
		return admin(ctx, args, getenv, stdout, stderr)
	case "login":
		return login(ctx, args, getenv, stdout, stderr)
	case "groups":
		return groupsCmd(ctx, args, getenv, stdout, stderr)
	case "upload":
		return uploadCmd(ctx, args, getenv, stdout, stderr)
	case "lambda":
		return lambdaFunction(ctx, args, getenv, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, getenv, stdout, stderr)
	case "imaging-helper":
		// Not for people: the worker derives each photo in a child process
		// of its own binary, so that a deadline can stop libvips.
		return imaging.ServeHelper(args, os.Stdin, stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func openDB(ctx context.Context, c config) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Pool)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.BatchGap, db.TrashFor = c.BatchGap, c.TrashFor
	return db, nil
}

// openStore opens the configured object store and the media lifecycle over it;
// the local store also serves its signed URLs, through the returned handler.
func openStore(ctx context.Context, c config, db *sqldb.DB, m *metrics.Metrics, log *slog.Logger) (blob.Store, *media.Service, http.Handler, error) {
	if c.S3 != nil {
		s, err := s3.New(ctx, *c.S3)
		if err == nil && c.S3CreateBucket {
			if err = s.CreateBucket(ctx); err != nil {
				err = fmt.Errorf("create the bucket %s: %w", c.S3.Bucket, err)
			}
		}
		svc := media.New(db, s, c.Limits, m, log)
		svc.Renditions = c.Renditions
		return s, svc, nil, err
	}
	ls, err := local.Open(filepath.Join(c.DataDir, "blobs"), filepath.Join(c.DataDir, "blob.key"), c.BaseURL)
	if err != nil {
		return nil, nil, nil, err
	}
	svc := media.New(db, ls, c.Limits, m, log)
	svc.Renditions = c.Renditions
	// The local store can be told what S3 cannot: that an upload has ended;
	// and it sees the bytes arrive, so the upload completes then.
	ls.SetAdmission(db.AcceptsBytes, db.KeepsObject)
	ls.SetArrival(func(ctx context.Context, key string) {
		if _, err := svc.Arrived(ctx, media.FromLocalStore, key); err != nil {
			// The sweep completes it before it would expire.
			log.Error("complete an upload on arrival", "err", err)
		}
	})
	return ls, svc, ls, nil
}

// serveOps serves /metrics and /healthz on the operators' own address, when
// one is set: metrics describe the deployment, so they are not on the public
// listener, and a worker (which has no API) is seen there like a server.
func serveOps(addr string, metricsHandler http.Handler) (string, func(), error) {
	if addr == "" {
		return "", func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("WMORY_METRICS_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metricsHandler)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

// startSidelines starts what serve and worker both run beside their main
// work: the operators' listener and the store's event subscription. It
// returns the operators' address ("" when off) and the function that stops both.
func startSidelines(ctx context.Context, c config, metricsHandler http.Handler, svc *media.Service, log *slog.Logger) (string, func(), error) {
	addr, stopOps, err := serveOps(c.MetricsAddr, metricsHandler)
	if err != nil {
		return "", nil, err
	}
	stopEvents, err := subscribeEvents(ctx, c, svc, log)
	if err != nil {
		stopOps()
		return "", nil, err
	}
	return addr, func() { stopEvents(); stopOps() }, nil
}

// subscribeEvents receives the store's notifications from NATS when
// configured; every process may subscribe (a queue group shares them out).
func subscribeEvents(ctx context.Context, c config, svc *media.Service, log *slog.Logger) (func(), error) {
	if c.S3Events == "" {
		return func() {}, nil
	}
	return events.SubscribeNATS(ctx, c.S3Events, func(ctx context.Context, key string) error {
		_, err := svc.Arrived(ctx, media.FromNATS, key)
		return err
	}, log)
}

// openMailer is SMTP when configured, else the console (and a folder of copies).
func openMailer(c config, stdout io.Writer) (mail.Mailer, error) {
	if c.SMTPURL != "" {
		return mail.NewSMTP(c.SMTPURL, c.MailFrom)
	}
	return mail.NewConsole(stdout, filepath.Join(c.DataDir, "mail"), c.MailFrom)
}

// startWorker runs the job queue in the background; the returned function stops
// it, letting running jobs finish or release their lease.
func startWorker(ctx context.Context, db *sqldb.DB, store blob.Store, svc *media.Service, mailer mail.Mailer, c config, n int, m *metrics.Metrics, log *slog.Logger) func() {
	w := jobs.New(db, store, log)
	w.HandleMail(mailer, mail.Letters{Base: c.BaseURL})
	// Jobs this process queues start at once instead of at the next poll.
	db.OnEnqueue = w.Wake
	w.Metrics = m
	w.Lease = c.JobLease
	w.Concurrency = n
	w.AuditRetention = c.AuditRetention
	proc := newProcessor(log)
	w.HandleMedia(svc.Processor(proc), c.TranscodeWorkers)
	w.SweepArrivals = svc.SweepArrivals
	// After a burst of processing, hand back what libvips and the Go heap held.
	w.OnIdle = func() {
		proc.StopHelpers()
		imaging.ReleaseMemory()
		debug.FreeOSMemory()
	}
	workCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(workCtx)
	}()
	return func() { stop(); <-done; proc.StopHelpers() }
}

// newProcessor derives each photo in a helper process of this binary, so
// that a deadline can stop libvips.
func newProcessor(log *slog.Logger) *imaging.Processor {
	proc := imaging.New()
	if exe, err := os.Executable(); err == nil {
		proc.Helper = []string{exe, "imaging-helper"}
	} else {
		log.Warn("photos are derived in this process: its executable cannot be found", "err", err)
	}
	return proc
}

// worker runs only the background jobs, for deployments that scale them apart
// from the API. The local store cannot be shared between machines, so workers
// on their own want S3.
func worker(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := loadConfig("worker", args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	db, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if c.BaseURL == nil {
		log.Warn("WMORY_BASE_URL is not set: links in the e-mails this worker sends will point at http://localhost")
		c.BaseURL = &url.URL{Scheme: "http", Host: "localhost"}
	}
	m := metrics.New(db)
	store, svc, _, err := openStore(ctx, c, db, m, log)
	if err != nil {
		return err
	}
	mailer, err := openMailer(c, stdout)
	if err != nil {
		return err
	}
	n := max(c.Workers, 1)
	addr, stopSide, err := startSidelines(ctx, c, m.Handler(), svc, log)
	if err != nil {
		return err
	}
	defer stopSide()
	log.Info("worker running", "addr", addr, "concurrency", n, "renditions_at_once", c.TranscodeWorkers, "database", string(db.Dialect()))
	stop := startWorker(ctx, db, store, svc, mailer, c, n, m, log)
	<-ctx.Done()
	log.Info("worker stopping")
	stop()
	log.Info("stopped")
	return nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := loadConfig("migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Pool)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	fmt.Fprintf(stdout, "%s database: applied %d migration(s) %v; schema version %d\n", db.Dialect(), len(applied), applied, v)
	return err
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := loadConfig("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))

	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	db, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	if c.BaseURL == nil {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		c.BaseURL = &url.URL{Scheme: "http", Host: "localhost:" + port}
	}

	mailer, err := openMailer(c, stdout)
	if err != nil {
		return err
	}

	apiCfg := wmoryhttp.Config{BaseURL: c.BaseURL, TrustedProxies: c.TrustedProxies, Limits: c.Limits, App: webapp.FS(), SessionMaxAge: c.SessionMaxAge,
		EventSecret: c.EventSecret}
	apiCfg.Metrics = metrics.New(db)
	store, svc, blobHandler, err := openStore(ctx, c, db, apiCfg.Metrics, log)
	if err != nil {
		return err
	}
	apiCfg.BlobHandler, apiCfg.Media = blobHandler, svc
	api := wmoryhttp.New(db, store, password.New(password.DefaultParams), apiCfg, log)

	metricsAddr, stopSide, err := startSidelines(ctx, c, api.MetricsHandler(), svc, log)
	if err != nil {
		return err
	}
	defer stopSide()

	// Background work runs in this process unless WMORY_WORKERS=0.
	if c.Workers > 0 {
		stopWork := startWorker(ctx, db, store, svc, mailer, c, c.Workers, apiCfg.Metrics, log)
		defer stopWork()
	}
	log.Info("listening", "addr", ln.Addr().String(), "base_url", c.BaseURL.String(), "database", string(db.Dialect()), "mail", c.mailMode(), "storage", c.storeMode(),
		"metrics_addr", metricsAddr)
	return serveUntilDone(ctx, ln, api.Handler(), c.ShutdownTimeout, log)
}

// serveUntilDone answers on ln until ctx ends, then lets in-flight requests
// finish (for at most timeout) while refusing new connections.
func serveUntilDone(ctx context.Context, ln net.Listener, handler http.Handler, timeout time.Duration, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", timeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// mailMode says how e-mail leaves: "smtp", or "console" (printed).
func (c config) mailMode() string {
	if c.SMTPURL != "" {
		return "smtp"
	}
	return "console"
}

// storeMode says where objects are kept: "s3", or "local" (disk).
func (c config) storeMode() string {
	if c.S3 != nil {
		return "s3"
	}
	return "local"
}
