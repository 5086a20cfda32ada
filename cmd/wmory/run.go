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
	"strings"
	"time"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/local"
	"github.com/wmory/wmory/internal/blob/s3"
	wmoryhttp "github.com/wmory/wmory/internal/http"
	"github.com/wmory/wmory/internal/jobs"
	"github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/password"
	"github.com/wmory/wmory/internal/sqldb"
)

const usage = `usage: wmory <command> [flags]

commands:
  serve     run the server (the default)
  migrate   apply database migrations and exit
  help      show this text

Run "wmory serve -h" for the settings; each flag has an environment variable.
`

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func openDB(ctx context.Context, c config) (*sqldb.DB, error) {
	if strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		if err := os.MkdirAll(filepath.Dir(strings.TrimPrefix(strings.TrimPrefix(c.DatabaseURL, "sqlite:"), "//")), 0o700); err != nil {
			return nil, err
		}
	}
	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Pool)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
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

	var mailer mail.Mailer
	if c.SMTPURL != "" {
		if mailer, err = mail.NewSMTP(c.SMTPURL, c.MailFrom); err != nil {
			return err
		}
	} else if mailer, err = mail.NewConsole(stdout, filepath.Join(c.DataDir, "mail"), c.MailFrom); err != nil {
		return err
	}

	apiCfg := wmoryhttp.Config{BaseURL: c.BaseURL, TrustedProxies: c.TrustedProxies, Limits: c.Limits}
	var store blob.Store
	if c.S3 != nil {
		if store, err = s3.New(ctx, *c.S3); err != nil {
			return err
		}
	} else {
		ls, err := local.Open(filepath.Join(c.DataDir, "blobs"), filepath.Join(c.DataDir, "blob.key"), c.BaseURL)
		if err != nil {
			return err
		}
		store, apiCfg.BlobHandler = ls, ls
	}
	api := wmoryhttp.New(db, store, mailer, password.New(password.DefaultParams), apiCfg, log)

	// Background work runs in this process by default.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		jobs.New(db, store, log).Run(workCtx)
	}()
	defer func() { stopWork(); <-workDone }()
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	mailMode := "console"
	if c.SMTPURL != "" {
		mailMode = "smtp"
	}
	storeMode := "local"
	if c.S3 != nil {
		storeMode = "s3"
	}
	log.Info("listening", "addr", ln.Addr().String(), "base_url", c.BaseURL.String(), "database", string(db.Dialect()), "mail", mailMode, "storage", storeMode)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// In-flight requests finish; new connections are refused.
	log.Info("shutting down", "timeout", c.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ShutdownTimeout)
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
