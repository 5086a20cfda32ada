package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	body    string
}

func (db *DB) migrations() ([]migration, error) {
	dir := path.Join("migrations", string(db.dialect))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s/%s: name must be NNNN_description.sql", dir, e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), body: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Migrate applies the embedded migrations that the database has not seen yet. It
// holds a database-wide lock meanwhile, so that several processes starting at
// once apply each migration exactly once. It returns the versions it applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	all, err := db.migrations()
	if err != nil {
		return nil, err
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, db.domainError(err)
	}
	defer conn.Close()
	unlock, err := db.lockMigrations(ctx, conn)
	if err != nil {
		return nil, err
	}
	defer unlock()

	if err := db.inMigrationTx(ctx, conn, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)`)
		return err
	}); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	var done []int
	for _, m := range all {
		if applied[m.version] {
			continue
		}
		ran, err := db.apply(ctx, conn, m)
		if err != nil {
			return done, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if ran {
			done = append(done, m.version)
		}
	}
	return done, nil
}

func (db *DB) apply(ctx context.Context, conn *sql.Conn, m migration) (bool, error) {
	// MySQL commits DDL implicitly, so a transaction there only covers the
	// bookkeeping row; SQLite and PostgreSQL apply a migration all or nothing.
	// SQLite has no lock across connections but its IMMEDIATE transaction: the
	// check that the migration is still missing is made inside it.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if err := db.lockMigrationTx(ctx, tx); err != nil {
		return false, err
	}
	var seen int
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.version).Scan(&seen); err != nil || seen > 0 {
		return false, err
	}
	for _, stmt := range splitStatements(m.body) {
		if _, err := tx.ExecContext(ctx, db.rebind(stmt)); err != nil {
			return false, fmt.Errorf("%w\n%s", err, stmt)
		}
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.version, m.name, ms(db.Now())); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// splitStatements splits a migration at semicolons that end a line; migrations
// hold no procedures or triggers, so no statement has one inside.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

func (db *DB) lockMigrations(ctx context.Context, conn *sql.Conn) (func(), error) {
	switch db.dialect {
	case Postgres:
		// PostgreSQL takes a transaction-scoped lock in each migration's own
		// transaction (lockMigrationTx): a session lock would not survive a
		// pooler such as PgBouncer in transaction mode.
		return func() {}, nil
	case MySQL:
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK('wmory_migrate', 120)`).Scan(&got); err != nil || got.Int64 != 1 {
			return nil, fmt.Errorf("lock migrations: %v", err)
		}
		return func() { conn.ExecContext(context.WithoutCancel(ctx), `SELECT RELEASE_LOCK('wmory_migrate')`) }, nil
	}
	// SQLite serializes writers itself; its transactions are IMMEDIATE.
	return func() {}, nil
}

// lockMigrationTx serializes migrating transactions on PostgreSQL.
func (db *DB) lockMigrationTx(ctx context.Context, tx *sql.Tx) error {
	if db.dialect != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7243311)`); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	return nil
}

func (db *DB) inMigrationTx(ctx context.Context, conn *sql.Conn, fn func(*sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.lockMigrationTx(ctx, tx); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// SchemaVersion reports the newest applied migration, or 0.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// CheckSchema reports an error unless every embedded migration is applied:
// for processes that must not change the schema themselves (the Lambda
// function, whose database user may lack the right), a clear refusal instead
// of failing queries.
func (db *DB) CheckSchema(ctx context.Context) error {
	all, err := db.migrations()
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read the schema version (run wmory migrate first): %w", db.domainError(err))
	}
	if want := all[len(all)-1].version; v < want {
		return fmt.Errorf("the database schema is at version %d and this wmory needs %d: run wmory migrate", v, want)
	}
	return nil
}
