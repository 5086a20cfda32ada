// Package sqldbtest gives tests fresh databases on every engine wmory supports:
// SQLite always, MariaDB/MySQL and PostgreSQL when WMORY_TEST_MYSQL and
// WMORY_TEST_POSTGRES name a server. A named server that cannot be reached fails
// the test; it is never skipped.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/wmory/wmory/internal/sqldb"
)

// Engine is one database a test can run on.
type Engine struct {
	// Name tells engines of one dialect apart: "postgres" and "pgbouncer"
	// (PostgreSQL through PgBouncer in transaction mode).
	Name    string
	Dialect sqldb.Dialect
	// URL makes a fresh, empty database and returns its wmory URL; it is dropped
	// when the test ends.
	URL func(t testing.TB) string
}

// Engines lists the engines this run tests. Without the environment variables
// only SQLite runs, and the test log says which were left out and why; CI sets
// both (see .ci/run).
func Engines(t testing.TB) []Engine {
	out := []Engine{{Name: "sqlite", Dialect: sqldb.SQLite, URL: sqliteURL}}
	if base := os.Getenv("WMORY_TEST_MYSQL"); base != "" {
		out = append(out, Engine{Name: "mysql", Dialect: sqldb.MySQL, URL: func(t testing.TB) string { return mysqlURL(t, base) }})
	} else if os.Getenv("CI") != "" {
		t.Fatal("CI is set but WMORY_TEST_MYSQL is not: the MariaDB tests must run in CI")
	} else {
		t.Log("MariaDB tests not run: set WMORY_TEST_MYSQL=mysql://root@127.0.0.1:3306/ to run them")
	}
	if base := os.Getenv("WMORY_TEST_POSTGRES"); base != "" {
		out = append(out, Engine{Name: "postgres", Dialect: sqldb.Postgres, URL: func(t testing.TB) string { return postgresURL(t, base) }},
			// The seed runs behind a pooler (RDS Proxy): the same tests pass
			// through PgBouncer in transaction mode, the closest one here.
			Engine{Name: "pgbouncer", Dialect: sqldb.Postgres, URL: func(t testing.TB) string { return throughPgBouncer(t, postgresURL(t, base)) }})
	} else if os.Getenv("CI") != "" {
		t.Fatal("CI is set but WMORY_TEST_POSTGRES is not: the PostgreSQL tests must run in CI")
	} else {
		t.Log("PostgreSQL tests not run: set WMORY_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres to run them")
	}
	return out
}

// OfDialect returns the first engine of a dialect this run tests; false when
// its server was not named (Engines logged why).
func OfDialect(t testing.TB, d sqldb.Dialect) (Engine, bool) {
	for _, e := range Engines(t) {
		if e.Dialect == d {
			return e, true
		}
	}
	return Engine{}, false
}

// ForEach runs fn as a subtest on every engine.
func ForEach(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

// Open returns a migrated store on a fresh database of the engine.
func Open(t testing.TB, e Engine) *sqldb.DB {
	db, _ := OpenURL(t, e)
	return db
}

// OpenURL is Open that also returns the database's URL.
func OpenURL(t testing.TB, e Engine) (*sqldb.DB, string) {
	t.Helper()
	ctx := context.Background()
	url := e.URL(t)
	db, err := sqldb.Open(ctx, url, sqldb.PoolConfig{})
	if err != nil {
		t.Fatalf("open %s: %v", e.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", e.Name, err)
	}
	return db, url
}

// Snapshot reads every row of the named tables, as text, through a connection
// of its own: tests compare two snapshots to prove that a refused request
// changed nothing.
func Snapshot(t testing.TB, databaseURL string, tables ...string) map[string][]string {
	t.Helper()
	db, driver := connect(t, databaseURL)
	defer db.Close()
	out := map[string][]string{}
	for _, table := range tables {
		q := "SELECT * FROM " + table + " ORDER BY 1"
		if table == "groups" {
			q = "SELECT * FROM " + quoteGroups(driver) + " ORDER BY 1"
		}
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			line := ""
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				line += fmt.Sprintf("%s=%v;", cols[i], v)
			}
			out[table] = append(out[table], line)
		}
		rows.Close()
	}
	return out
}

func quoteGroups(driver string) string {
	if driver == "mysql" {
		return "`groups`"
	}
	return `"groups"`
}

func sqliteURL(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "wmory.db")
}

func randomName() string {
	var b [6]byte
	rand.Read(b[:])
	return "wmory_t_" + hex.EncodeToString(b[:])
}

func mysqlURL(t testing.TB, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("WMORY_TEST_MYSQL: %v", err)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	admin := openAdmin(t, "mysql", cfg.FormatDSN())
	name := randomName()
	mustExec(t, admin, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	t.Cleanup(func() { mustExec(t, admin, "DROP DATABASE IF EXISTS "+name); admin.Close() })
	u.Path = "/" + name
	return u.String()
}

func postgresURL(t testing.TB, base string) string {
	t.Helper()
	admin := openAdmin(t, "pgx", base)
	name := randomName()
	mustExec(t, admin, "CREATE DATABASE "+name)
	t.Cleanup(func() {
		mustExec(t, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("WMORY_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func openAdmin(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s test server: %v", driver, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("the %s test server named in the environment does not answer: %v", driver, err)
	}
	return db
}

func mustExec(t testing.TB, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// Exec runs statements through a connection of its own, as an operator (or
// an older version of wmory) would: tests set up states the API cannot make.
func Exec(t testing.TB, databaseURL string, statements ...string) {
	t.Helper()
	db, _ := connect(t, databaseURL)
	defer db.Close()
	for _, stmt := range statements {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// connect opens a connection pool of the test's own on a database URL, and
// names its driver.
func connect(t testing.TB, databaseURL string) (*sql.DB, string) {
	t.Helper()
	_, driver, dsn, err := sqldb.ParseURL(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return db, driver
}
