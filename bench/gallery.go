package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/blob/local"
	"github.com/wmory/wmory/internal/sqldb"
)

// benchGallery measures a gallery page (100 items, signed URLs included) as a
// member walks it from the top, with 10 k and then 1 M media in the group, on
// SQLite and, given a server, PostgreSQL. The rows are synthetic, inserted in bulk.
func benchGallery(postgres string) []row {
	rows := galleryOn("SQLite", func(dir string) (string, func()) { return "sqlite:" + filepath.Join(dir, "db.sqlite"), func() {} })
	if postgres == "" {
		return append(rows, row{name: "gallery page, PostgreSQL", note: "not run: pass -postgres or WMORY_BENCH_POSTGRES"})
	}
	return append(rows, galleryOn("PostgreSQL", func(string) (string, func()) { return scratchPostgres(postgres) })...)
}

// scratchPostgres creates a database of its own on the server and returns its
// URL and the function that drops it.
func scratchPostgres(postgres string) (string, func()) {
	_, driver, dsn, err := sqldb.ParseURL(postgres)
	must(err)
	admin := openRaw(driver, dsn)
	b := make([]byte, 6)
	rand.Read(b)
	name := "wmory_bench_" + hex.EncodeToString(b)
	_, err = admin.Exec("CREATE DATABASE " + name)
	must(err)
	u, err := url.Parse(postgres)
	must(err)
	u.Path = "/" + name
	return u.String(), func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	}
}

func openRaw(driver, dsn string) *sql.DB {
	db, err := sql.Open(driver, dsn)
	must(err)
	return db
}

// galleryBench is an API on a scratch database and local store, with the
// database open on its own for bulk inserts.
type galleryBench struct {
	*apiEnv
	raw      *sql.DB
	dialect  sqldb.Dialect
	uploader string // the group's owner, whose name the synthetic media carry
	close    func()
}

func newGalleryBench(makeDB func(dir string) (string, func())) *galleryBench {
	dir, _ := os.MkdirTemp("", "wmory-bench-gallery-")
	dbURL, drop := makeDB(dir)
	e := newAPI(context.Background(), dbURL, func(base *url.URL) (blob.Store, http.Handler) {
		store, err := local.Open(filepath.Join(dir, "blobs"), filepath.Join(dir, "key"), base)
		must(err)
		return store, store
	})
	dialect, driver, dsn, err := sqldb.ParseURL(dbURL)
	must(err)
	g := &galleryBench{apiEnv: e, raw: openRaw(driver, dsn), dialect: dialect}
	must(g.raw.QueryRow(`SELECT id FROM users WHERE email = 'owner@example.com'`).Scan(&g.uploader))
	g.close = func() {
		g.raw.Close()
		e.Close()
		drop()
		os.RemoveAll(dir)
	}
	return g
}

func galleryOn(engine string, makeDB func(dir string) (string, func())) []row {
	g := newGalleryBench(makeDB)
	defer g.close()
	e, raw, dialect, uploader := g.apiEnv, g.raw, g.dialect, g.uploader

	var p50s, p99s [2]time.Duration
	for i, total := range []int{10_000, 1_000_000} {
		var have int
		must(raw.QueryRow(`SELECT COUNT(*) FROM media`).Scan(&have))
		insertMedia(raw, dialect, e.gid, uploader, have+1, total)
		_, err := raw.Exec("ANALYZE") // fresh statistics, as a live database would have
		must(err)
		lat := walkGallery(e, 300, 30)
		p50s[i], p99s[i] = percentile(lat, 0.5), percentile(lat, 0.99)
	}
	// The same pages once every item has five likes (5 M in all): each item
	// of a page counts its likes and comments, and says whether the member
	// who asks likes it, in the page's one query.
	insertLikes(raw, dialect, 5)
	// Fresh statistics and, on PostgreSQL, the visibility map autovacuum
	// keeps on a live database (index-only counts need it).
	analyze := "ANALYZE"
	if dialect == sqldb.Postgres {
		analyze = "VACUUM ANALYZE"
	}
	_, err := raw.Exec(analyze)
	must(err)
	lat := walkGallery(e, 300, 30)
	liked50, liked99 := percentile(lat, 0.5), percentile(lat, 0.99)
	return []row{{
		name:     "gallery page (100 items), " + engine,
		wmory:    "1 M media: " + msf(p50s[1]) + " / " + msf(p99s[1]),
		baseline: "10 k media: " + msf(p50s[0]) + " / " + msf(p99s[0]),
		ratio:    fmt.Sprintf("%.2f", float64(p50s[1])/float64(p50s[0])),
		note:     "p50 / p99 over 300 pages, walking 30 deep from the top; goal ≤ 1.2",
	}, {
		name:     "gallery page (100 items) with like and comment counts, " + engine,
		wmory:    "1 M media, 5 M likes: " + msf(liked50) + " / " + msf(liked99),
		baseline: "1 M media, no likes: " + msf(p50s[1]) + " / " + msf(p99s[1]),
		ratio:    fmt.Sprintf("%.2f", float64(liked50)/float64(p50s[1])),
		note:     "p50 / p99 over 300 pages; the counts and liked_by_me are in the page's query either way; goal ≤ 1.2",
	}}
}

// insertLikes makes n members who like every item of the group (n per item).
func insertLikes(db *sql.DB, dialect sqldb.Dialect, n int) {
	now := time.Now().UnixMilli()
	users, likes := `INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, ?)`,
		`INSERT INTO likes (media_id, user_id, created_at) SELECT id, ?, ? FROM media`
	if dialect == sqldb.Postgres {
		users, likes = `INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, 'x', $4, $5)`,
			`INSERT INTO likes (media_id, user_id, created_at) SELECT id, $1, $2 FROM media`
	}
	for i := range n {
		id := fmt.Sprintf("l%025d", i)
		_, err := db.Exec(users, id, fmt.Sprintf("liker%d@example.com", i), fmt.Sprintf("Liker %d", i), now, now)
		must(err)
		_, err = db.Exec(likes, id, now)
		must(err)
	}
}

func msf(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// insertMedia adds ready photos from..to (inclusive) in one statement, a minute apart.
func insertMedia(db *sql.DB, dialect sqldb.Dialect, gid, uploader string, from, to int) {
	if from > to {
		return
	}
	now := time.Now().UnixMilli()
	var q string
	switch dialect {
	case sqldb.SQLite:
		q = `WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO media (id, group_id, uploader_id, upload_id, kind, content_type, filename, size, etag, object_key, width, height, taken_at, uploaded_at, status)
SELECT printf('b%025d', i), ?, ?, printf('u%025d', i), 'photo', 'image/jpeg', 'IMG_' || i || '.jpg', 3500000, 'etag', 'bench/' || i, 4032, 3024, ? - i * 60000, ?, 'ready' FROM n`
	case sqldb.Postgres:
		q = `INSERT INTO media (id, group_id, uploader_id, upload_id, kind, content_type, filename, size, etag, object_key, width, height, taken_at, uploaded_at, status)
SELECT 'b' || lpad(i::text, 25, '0'), $3, $4, 'u' || lpad(i::text, 25, '0'), 'photo', 'image/jpeg', 'IMG_' || i || '.jpg', 3500000, 'etag', 'bench/' || i, 4032, 3024, $5 - i * 60000, $6, 'ready'
FROM generate_series($1::bigint, $2::bigint) AS i`
	default:
		must(fmt.Errorf("no bulk insert for %s", dialect))
	}
	_, err := db.Exec(q, from, to, gid, uploader, now, now)
	must(err)
}

// walkGallery requests n pages, following next_cursor up to depth pages from the top and starting over.
func walkGallery(e *apiEnv, n, depth int) []time.Duration {
	var lat []time.Duration
	cursor, at := "", 0
	for len(lat) < n {
		code, b, d := e.call("GET", "/api/v1/groups/"+e.gid+"/media?limit=100&cursor="+url.QueryEscape(cursor), "")
		if code != 200 {
			must(fmt.Errorf("gallery: %d %s", code, b))
		}
		var page struct {
			Items []json.RawMessage `json:"items"`
			Next  string            `json:"next_cursor"`
		}
		must(json.Unmarshal(b, &page))
		if len(page.Items) != 100 {
			must(fmt.Errorf("gallery page has %d items", len(page.Items)))
		}
		lat = append(lat, d)
		cursor, at = page.Next, at+1
		if at == depth || cursor == "" {
			cursor, at = "", 0
		}
	}
	return lat
}
