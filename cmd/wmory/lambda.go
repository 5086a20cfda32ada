package main

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/wmory/wmory/internal/jobs"
	"github.com/wmory/wmory/internal/lambda"
	"github.com/wmory/wmory/internal/sqldb"
)

// lambdaFunction runs wmory as the thumbnail function of an AWS Lambda
// (the bootstrap of a provided.al2023 function, or a container image's
// command). It reads the same settings as serve: the database (through RDS
// Proxy), the bucket and region, credentials from the role. It changes no
// schema: wmory migrate does, before a new version's function runs.
func lambdaFunction(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	c, err := loadConfig("lambda", args, getenv, stderr)
	if err != nil {
		return err
	}
	if c.S3 == nil {
		return errors.New("wmory lambda works on the S3 bucket whose events it receives: set AWS_BUCKET_NAME")
	}
	if getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		return errors.New("wmory lambda runs inside AWS Lambda (AWS_LAMBDA_RUNTIME_API is not set); to try it elsewhere, run it under the Lambda Runtime Interface Emulator")
	}
	if dialect, _, _, err := sqldb.ParseURL(c.DatabaseURL); err == nil && dialect == sqldb.SQLite {
		return errors.New("wmory lambda works on the database the servers share: set DATABASE_URL (MySQL through RDS Proxy, or PostgreSQL), or DB_HOST and its companions")
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Pool)
	if err != nil {
		return err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return err
	}
	db.BatchGap, db.TrashFor = c.BatchGap, c.TrashFor
	store, svc, _, err := openStore(ctx, c, db, nil, log)
	if err != nil {
		db.Close()
		return err
	}
	w := jobs.New(db, store, log)
	w.Lease = c.JobLease
	proc := newProcessor(log)
	// Renditions are left to the workers: a function's time and disk are
	// too short for a long video.
	w.HandleMedia(svc.Processor(proc), 0)
	log.Info("thumbnail function ready", "database", string(db.Dialect()), "lease", c.JobLease.String())
	lambda.Start(ctx, lambda.New(svc, w, log), func() {
		proc.StopHelpers()
		db.Close()
	})
	return nil
}
