// Package sqldb is wmory's relational store: one set of hand-written, portable SQL
// that runs on SQLite, MySQL/MariaDB and PostgreSQL. Queries are written with "?"
// placeholders and double-quoted identifiers, and rebound per dialect.
package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/wmory/wmory"
)

// Dialect names a supported database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	MySQL    Dialect = "mysql"
	Postgres Dialect = "postgres"
)

// DB is the store. Now is its clock, replaceable in tests.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	Now     func() time.Time
	// OnEnqueue, when set, runs after a transaction that queued a job has
	// committed: the moment to wake this process's workers.
	OnEnqueue func()
	// BatchGap, when set, replaces wmory.UploadBatchGap: how far apart one
	// member's uploads (or comments on one's items) may be to be one batch in
	// the activity and in e-mail, and how long after its last the batch is told.
	BatchGap time.Duration
	// TrashFor, when set, is how long an item stays in the trash before it is
	// purged (default wmory.DefaultTrashDays).
	TrashFor time.Duration
}

// PoolConfig bounds the connection pool; zero values keep database/sql defaults.
type PoolConfig struct {
	MaxOpen     int
	MaxIdle     int
	MaxLifetime time.Duration
	MaxIdleTime time.Duration
}

// Open connects to the database named by a URL: sqlite:PATH, mysql://… or
// postgres://…, and checks that it answers. An SQLite file's folder is made
// when missing (the embedded defaults' first start).
func Open(ctx context.Context, databaseURL string, pool PoolConfig) (*DB, error) {
	dialect, driverName, dsn, err := ParseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	if path, ok := sqlitePath(databaseURL); ok {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
	}
	sqlDB, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	if pool.MaxOpen > 0 {
		sqlDB.SetMaxOpenConns(pool.MaxOpen)
	}
	if pool.MaxIdle > 0 {
		sqlDB.SetMaxIdleConns(pool.MaxIdle)
	}
	sqlDB.SetConnMaxLifetime(pool.MaxLifetime)
	sqlDB.SetConnMaxIdleTime(pool.MaxIdleTime)
	db := &DB{sql: sqlDB, dialect: dialect, Now: time.Now}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = sqlDB.PingContext(pingCtx)
	// A new SQLite file switching to WAL while another process opens it too
	// can be refused as busy without its busy handler: a moment later it is not.
	for attempt := 1; attempt < 5 && isTransient(err) && pingCtx.Err() == nil; attempt++ {
		time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
		err = sqlDB.PingContext(pingCtx)
	}
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return db, nil
}

// sqlitePath is the file an sqlite:PATH (or sqlite://PATH) URL names; ok is
// false for any other URL. The one place an SQLite URL is read.
func sqlitePath(raw string) (path string, ok bool) {
	rest, ok := strings.CutPrefix(raw, "sqlite:")
	return strings.TrimPrefix(rest, "//"), ok
}

// ParseURL turns a database URL into the driver name and DSN that database/sql
// wants. It is exported so that configuration can be validated before use.
func ParseURL(raw string) (Dialect, string, string, error) {
	if path, ok := sqlitePath(raw); ok {
		if path == "" {
			return "", "", "", errors.New("sqlite URL has no file path (want sqlite:PATH)")
		}
		// WAL lets readers run beside the writer; IMMEDIATE transactions take the
		// write lock up front so that two writers wait instead of deadlocking.
		// busy_timeout comes first: switching to WAL needs a lock that a
		// concurrently opening connection may hold for a moment.
		dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
			"&_pragma=synchronous(NORMAL)&_txlock=immediate"
		return SQLite, "sqlite", dsn, nil
	}
	switch {
	case strings.HasPrefix(raw, "mysql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", "", fmt.Errorf("mysql URL: %v", redactURLError(err))
		}
		cfg := mysql.NewConfig()
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
		cfg.Net = "tcp"
		cfg.Addr = u.Host
		if u.Port() == "" {
			cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
		}
		cfg.DBName = strings.TrimPrefix(u.Path, "/")
		if cfg.DBName == "" {
			return "", "", "", errors.New("mysql URL names no database (want mysql://user:pass@host:port/NAME)")
		}
		cfg.Loc = time.UTC
		// RowsAffected must count the rows a WHERE matched, as on the other
		// engines, not only those whose values changed: guarded updates that
		// write the same values would otherwise look like lost races.
		cfg.ClientFoundRows = true
		// Arguments are interpolated by the driver (safely, for utf8mb4): one
		// round trip per query instead of prepare, execute and close, and no
		// server-side statement to pin a connection behind RDS Proxy.
		cfg.InterpolateParams = true
		for k, v := range u.Query() {
			if k == "tls" {
				// RDS Proxy requires TLS: true verifies the server's
				// certificate against the system's roots.
				switch v[0] {
				case "true", "false", "skip-verify", "preferred":
					cfg.TLSConfig = v[0]
				default:
					return "", "", "", fmt.Errorf("mysql URL: tls=%q: want true, false, skip-verify or preferred", v[0])
				}
				continue
			}
			if cfg.Params == nil {
				cfg.Params = map[string]string{}
			}
			cfg.Params[k] = v[0]
		}
		return MySQL, "mysql", cfg.FormatDSN(), nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", "", fmt.Errorf("postgres URL: %v", redactURLError(err))
		}
		// No named prepared statements: behind a pooler in transaction mode
		// (PgBouncer, RDS Proxy) the next query may run on another server
		// connection, where a statement prepared on the first does not
		// exist. "exec" still takes one round trip per query. A direct
		// connection may ask for cache_statement in the URL.
		if q := u.Query(); q.Get("default_query_exec_mode") == "" {
			q.Set("default_query_exec_mode", "exec")
			u.RawQuery = q.Encode()
		}
		return Postgres, "pgx", u.String(), nil
	}
	return "", "", "", errors.New("database URL must start with sqlite:, mysql:// or postgres://")
}

// redactURLError keeps a parse error from echoing the URL, which may hold a password.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Clock reads the store's clock: the time every row written now carries.
func (db *DB) Clock() time.Time { return db.Now() }

// Dialect reports which engine the store runs on.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the pool.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// Stats exposes the pool's statistics.
func (db *DB) Stats() sql.DBStats { return db.sql.Stats() }

// rebind turns the portable query text into the dialect's: "?" placeholders become
// $n on PostgreSQL, and double-quoted identifiers become backquoted on MySQL.
// Queries never put "?" or '"' inside string literals.
func (db *DB) rebind(query string) string {
	switch db.dialect {
	case Postgres:
		var b strings.Builder
		n := 0
		for i := 0; i < len(query); i++ {
			if query[i] == '?' {
				n++
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(n))
				continue
			}
			b.WriteByte(query[i])
		}
		return b.String()
	case MySQL:
		return strings.ReplaceAll(query, `"`, "`")
	}
	return query
}

// Tx is a transaction with the dialect's rebinding and one clock reading, so that
// every row a change writes carries the same time.
type Tx struct {
	tx       *sql.Tx
	db       *DB
	now      time.Time
	enqueued bool
	readOnly bool
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.db.rebind(query), args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.db.rebind(query), args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.db.rebind(query), args...)
}

// execOne runs a statement that must change exactly one row; zero rows is the
// caller's "not found" (or lost race), reported as notFound.
func (tx *Tx) execOne(ctx context.Context, notFound error, query string, args ...any) error {
	res, err := tx.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// forUpdate is the row-lock suffix; SQLite locks the whole database for a write
// transaction already (IMMEDIATE), so it has none.
func (tx *Tx) forUpdate() string {
	if tx.db.dialect == SQLite || tx.readOnly {
		return ""
	}
	return " FOR UPDATE"
}

const maxTxAttempts = 5

// inTx runs fn in a transaction and commits it. Deadlocks, serialization failures
// and busy databases are retried with capped, jittered backoff; fn must therefore
// do nothing outside the database. Driver errors leave as domain errors.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.runTx(ctx, nil, fn)
}

func (db *DB) runTx(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	backoff := 20 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := db.tryTx(ctx, opts, fn)
		var begin beginError
		retry := isTransient(err) || (errors.As(err, &begin) && isConnectionError(begin.err))
		if err == nil || attempt == maxTxAttempts || !retry {
			if errors.As(err, &begin) {
				err = begin.err
			}
			return db.domainError(err)
		}
		select {
		case <-time.After(backoff/2 + rand.N(backoff)):
		case <-ctx.Done():
			return db.domainError(err)
		}
		backoff *= 2
	}
}

// beginError marks a failure to start a transaction: nothing was sent, so a
// lost connection there is safe to retry (after a commit was sent it is not:
// the commit may have happened).
type beginError struct{ err error }

func (e beginError) Error() string { return e.err.Error() }

func (db *DB) tryTx(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	sqlTx, err := db.sql.BeginTx(ctx, opts)
	if err != nil {
		return beginError{err}
	}
	tx := &Tx{tx: sqlTx, db: db, now: db.Now().UTC(), readOnly: opts != nil && opts.ReadOnly}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	if tx.enqueued && db.OnEnqueue != nil {
		db.OnEnqueue()
	}
	return nil
}

// read runs fn in a read-only transaction: one consistent view that takes no
// write lock (on SQLite a deferred BEGIN, so gallery pages do not queue behind
// every upload) and no row locks.
func (db *DB) read(ctx context.Context, fn func(tx *Tx) error) error {
	return db.runTx(ctx, &sql.TxOptions{ReadOnly: true}, fn)
}

// domainError turns driver errors into wmory errors; domain errors pass through.
func (db *DB) domainError(err error) error {
	if err == nil {
		return nil
	}
	var we *wmory.Error
	if errors.As(err, &we) {
		return err
	}
	if isConnectionError(err) {
		return &wmory.Error{Code: wmory.ECodeUnavailable, Message: "The database is unavailable; try again shortly.", RetryAfterSeconds: 5}
	}
	if isUniqueViolation(err) {
		return wmory.Errorf(wmory.ECodeConflict, "This already exists.")
	}
	return err
}

func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	var my *mysql.MySQLError
	var lite *sqlite.Error
	switch {
	case errors.As(err, &pg):
		return pg.Code == "23505"
	case errors.As(err, &my):
		return my.Number == 1062
	case errors.As(err, &lite):
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func isTransient(err error) bool {
	var pg *pgconn.PgError
	var my *mysql.MySQLError
	var lite *sqlite.Error
	switch {
	case errors.As(err, &pg):
		return pg.Code == "40001" || pg.Code == "40P01"
	case errors.As(err, &my):
		return my.Number == 1213 || my.Number == 1205
	case errors.As(err, &lite):
		c := lite.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

func isConnectionError(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// Class 08: connection exception; 57P0x: the server is shutting down.
		return strings.HasPrefix(pg.Code, "08") || strings.HasPrefix(pg.Code, "57P0")
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// pageSize asks for one row more than the page so the store knows whether a next
// page exists without a second query.
func pageSize(limit int) int { return limit + 1 }

// collect scans every row with scan and closes the rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (*T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// nextKey returns the cursor key for the rows read: empty on the last page.
// timeCursor is the keyset position of a row in a list ordered by a time,
// newest first, then by id.
func timeCursor(t time.Time, id string) string { return strconv.FormatInt(ms(t), 10) + "." + id }

// parseTimeCursor reads a timeCursor; one this API did not give is a bad request.
func parseTimeCursor(after string) (int64, string, error) {
	at, id, ok := strings.Cut(after, ".")
	n, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil {
		return 0, "", wmory.Invalid("cursor", "is not a cursor this API returned.")
	}
	return n, id, nil
}

func trimPage[T any](items []T, limit int, key func(T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, key(items[len(items)-1])
}
