package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// testLetters composes the e-mails the store queues.
var testLetters = mail.Letters{Base: &url.URL{Scheme: "http", Host: "wmory.test"}}

var ctx = context.Background()

func verifiedUser(t *testing.T, db *sqldb.DB, email string) *wmory.User {
	t.Helper()
	res, err := db.Register(ctx, wmory.Actor{IP: "127.0.0.1"}, sqldb.Registration{Email: email, Name: "N " + email, PasswordHash: "hash"}, testLetters)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.VerifyEmail(ctx, wmory.Actor{}, res.VerifyToken)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMigrateIsIdempotent(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		db := sqldbtest.Open(t, e)
		again, err := db.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second Migrate applied %v, %v; want nothing", again, err)
		}
		if v, err := db.SchemaVersion(ctx); err != nil || v < 1 {
			t.Fatalf("SchemaVersion = %d, %v", v, err)
		}
	})
}

func TestConcurrentMigrateAppliesOnce(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		url := e.URL(t)
		var wg sync.WaitGroup
		applied := make([][]int, 3)
		errs := make([]error, 3)
		for i := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := sqldb.Open(ctx, url, sqldb.PoolConfig{})
				if err != nil {
					errs[i] = err
					return
				}
				defer db.Close()
				applied[i], errs[i] = db.Migrate(ctx)
			}()
		}
		wg.Wait()
		total := 0
		for i := range 3 {
			if errs[i] != nil {
				t.Fatalf("process %d: %v", i, errs[i])
			}
			total += len(applied[i])
		}
		db := sqldbtest.Open(t, sqldbtest.Engine{Dialect: e.Dialect, URL: func(testing.TB) string { return url }})
		v, _ := db.SchemaVersion(ctx)
		if total != v {
			t.Fatalf("three concurrent migrations applied %d migrations in all; want %d (each once)", total, v)
		}
	})
}

func TestUniqueViolationBecomesDomainError(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		db := sqldbtest.Open(t, e)
		u := verifiedUser(t, db, "a@example.com")
		g, err := db.CreateGroup(ctx, wmory.Actor{UserID: u.ID}, "Trip")
		if err != nil {
			t.Fatal(err)
		}
		inv, err := db.CreateInvite(ctx, wmory.Actor{UserID: u.ID}, g.ID, nil, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		// The owner is already a member: accepting is a no-op, not a duplicate row.
		if _, err := db.AcceptInvite(ctx, wmory.Actor{UserID: u.ID}, inv.Code); err != nil {
			t.Fatalf("owner accepting own invite: %v", err)
		}
		res, err := db.Register(ctx, wmory.Actor{}, sqldb.Registration{Email: "a@example.com", Name: "Again", PasswordHash: "h2"}, testLetters)
		if err != nil || !res.AlreadyVerified || res.VerifyToken != "" {
			t.Fatalf("registering a verified e-mail again = %+v, %v; want AlreadyVerified and no token", res, err)
		}
	})
}

// Concurrent accepts of an invite with max_uses=3 admit exactly three people.
func TestInviteMaxUsesUnderConcurrency(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		db := sqldbtest.Open(t, e)
		owner := verifiedUser(t, db, "owner@example.com")
		g, _ := db.CreateGroup(ctx, wmory.Actor{UserID: owner.ID}, "Trip")
		three := 3
		inv, err := db.CreateInvite(ctx, wmory.Actor{UserID: owner.ID}, g.ID, &three, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		const n = 12
		users := make([]*wmory.User, n)
		for i := range n {
			users[i] = verifiedUser(t, db, "u"+string(rune('a'+i))+"@example.com")
		}
		var wg sync.WaitGroup
		results := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = db.AcceptInvite(ctx, wmory.Actor{UserID: users[i].ID}, inv.Code)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range results {
			switch wmory.ErrorCode(err) {
			case "":
				ok++
			case wmory.ECodeInviteInvalid:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		members, _, _ := db.Members(ctx, wmory.Actor{UserID: owner.ID}, g.ID, "", 200)
		if ok != 3 || len(members) != 4 {
			t.Fatalf("%d accepts succeeded and the group has %d members; want 3 and 4", ok, len(members))
		}
	})
}

func TestVerifyTokenRules(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		db := sqldbtest.Open(t, e)
		now := time.Now()
		db.Now = func() time.Time { return now }
		res, err := db.Register(ctx, wmory.Actor{}, sqldb.Registration{Email: "v@example.com", Name: "V", PasswordHash: "h1"}, testLetters)
		if err != nil {
			t.Fatal(err)
		}
		// A second registration of the unverified address issues a token carrying
		// its own password; the first token still works but then both die.
		res2, err := db.Register(ctx, wmory.Actor{}, sqldb.Registration{Email: "v@example.com", Name: "V2", PasswordHash: "h2"}, testLetters)
		if err != nil || res2.VerifyToken == "" {
			t.Fatal(res2, err)
		}
		db.Now = func() time.Time { return now.Add(wmory.VerifyTokenLifetime + time.Second) }
		if _, err := db.VerifyEmail(ctx, wmory.Actor{}, res.VerifyToken); wmory.ErrorCode(err) != wmory.ECodeInvalidToken {
			t.Fatalf("expired token: %v; want invalid_token", err)
		}
		db.Now = func() time.Time { return now.Add(time.Minute) }
		u, err := db.VerifyEmail(ctx, wmory.Actor{}, res2.VerifyToken)
		if err != nil || u.Name != "V2" {
			t.Fatalf("verify: %+v, %v", u, err)
		}
		if hash, _ := db.PasswordHash(ctx, u.ID); hash != "h2" {
			t.Fatalf("password hash after verification = %q; want the one of the verified registration", hash)
		}
		for _, tok := range []string{res2.VerifyToken, res.VerifyToken, "not-a-token"} {
			if _, err := db.VerifyEmail(ctx, wmory.Actor{}, tok); wmory.ErrorCode(err) != wmory.ECodeInvalidToken {
				t.Fatalf("reused/other token: %v; want invalid_token", err)
			}
		}
	})
}

func TestDeleteAccountHandsGroupsOn(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		db := sqldbtest.Open(t, e)
		a := verifiedUser(t, db, "a@example.com")
		b := verifiedUser(t, db, "b@example.com")
		c := verifiedUser(t, db, "c@example.com")
		shared, _ := db.CreateGroup(ctx, wmory.Actor{UserID: a.ID}, "Shared")
		alone, _ := db.CreateGroup(ctx, wmory.Actor{UserID: a.ID}, "Alone")
		inv, _ := db.CreateInvite(ctx, wmory.Actor{UserID: a.ID}, shared.ID, nil, time.Hour)
		for _, u := range []*wmory.User{b, c} {
			if _, err := db.AcceptInvite(ctx, wmory.Actor{UserID: u.ID}, inv.Code); err != nil {
				t.Fatal(err)
			}
		}
		// c joined later but is an admin: admins come first.
		if _, err := db.ChangeRole(ctx, wmory.Actor{UserID: a.ID}, shared.ID, c.ID, wmory.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteAccount(ctx, wmory.Actor{UserID: a.ID}); err != nil {
			t.Fatal(err)
		}
		g, err := db.Group(ctx, wmory.Actor{UserID: c.ID}, shared.ID)
		if err != nil || g.Role != wmory.RoleOwner || g.MemberCount != 2 {
			t.Fatalf("shared group after owner deletion: %+v, %v; want c as owner of 2", g, err)
		}
		if _, err := db.User(ctx, a.ID); wmory.ErrorCode(err) != wmory.ECodeNotFound {
			t.Fatalf("deleted user still there: %v", err)
		}
		entries, _ := db.AuditEntries(ctx)
		var sawDelete bool
		for _, en := range entries {
			if en.Action == wmory.AuditGroupDelete && en.GroupID == alone.ID {
				sawDelete = true
				if en.ActorName != wmory.DeletedUserName {
					t.Errorf("actor of an entry by a deleted user = %q", en.ActorName)
				}
			}
		}
		if !sawDelete {
			t.Fatal("the group the deleted user owned alone was not deleted (no audit entry)")
		}
	})
}

func TestThrottleLocksAfterMax(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		db := sqldbtest.Open(t, e)
		now := time.Now().Truncate(time.Millisecond)
		db.Now = func() time.Time { return now }
		rule := sqldb.ThrottleRule{Key: "acct:x@example.com", Max: 3, Window: time.Minute, Lock: 10 * time.Minute}
		for i := 1; i <= 3; i++ {
			locked, err := db.RecordFailure(ctx, wmory.Actor{}, wmory.AuditLoginFail, "user", "x", rule)
			if err != nil || locked != (i == 3) {
				t.Fatalf("failure %d: locked=%v err=%v", i, locked, err)
			}
		}
		if d, _ := db.Locked(ctx, rule.Key, "ip:other"); d != 10*time.Minute {
			t.Fatalf("Locked = %v; want 10m", d)
		}
		db.Now = func() time.Time { return now.Add(11 * time.Minute) }
		if d, _ := db.Locked(ctx, rule.Key); d > 0 {
			t.Fatalf("still locked after the lock time: %v", d)
		}
	})
}

func TestDomainErrorsPassThrough(t *testing.T) {
	db := sqldbtest.Open(t, sqldbtest.Engines(t)[0])
	err := db.RevokeSession(ctx, wmory.Actor{UserID: "nobody"}, "nothing")
	var we *wmory.Error
	if !errors.As(err, &we) || we.Code != wmory.ECodeNotFound {
		t.Fatalf("RevokeSession of a missing session = %v; want not_found", err)
	}
}

// Writing a value a row already has still counts as one row on every engine
// (MySQL counts only changed rows unless told otherwise).
func TestUnchangedUpdateFindsTheRow(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		db := sqldbtest.Open(t, e)
		u := verifiedUser(t, db, "same@example.com")
		now := time.Now()
		db.Now = func() time.Time { return now }
		for range 2 {
			if _, err := db.UpdateName(ctx, wmory.Actor{UserID: u.ID}, "Same Name"); err != nil {
				t.Fatalf("setting the same name twice: %v", err)
			}
		}
	})
}

// Reads do not queue behind a writer: on SQLite a gallery page is served while
// another connection holds the write lock (an upload completing, say), where a
// locking BEGIN would wait for it.
func TestReadsDoNotWaitForWriters(t *testing.T) {
	db, dbURL := sqldbtest.OpenURL(t, sqldbtest.Engines(t)[0])
	u := verifiedUser(t, db, "a@example.com")
	g, err := db.CreateGroup(ctx, wmory.Actor{UserID: u.ID}, "Trip")
	if err != nil {
		t.Fatal(err)
	}
	_, driver, dsn, _ := sqldb.ParseURL(dbURL)
	other, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	writer, err := other.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Rollback()
	if _, err := writer.ExecContext(ctx, `UPDATE users SET name = 'Busy' WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	// Far below the busy timeout (10 s) that a locking read would wait out.
	rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, _, err := db.Gallery(rctx, wmory.Actor{UserID: u.ID}, g.ID, sqldb.GalleryFilter{}, "", 50); err != nil {
		t.Fatalf("gallery while another connection writes: %v", err)
	}
	if _, _, err := db.Members(rctx, wmory.Actor{UserID: u.ID}, g.ID, "", 50); err != nil {
		t.Fatalf("members while another connection writes: %v", err)
	}
}

// Counters that no limit looks at any more are pruned: the tables of throttle
// counts and mail deliveries do not grow with every address ever seen.
func TestPruneCounters(t *testing.T) {
	db, dbURL := sqldbtest.OpenURL(t, sqldbtest.Engines(t)[0])
	now := time.Now()
	db.Now = func() time.Time { return now }
	rule := sqldb.ThrottleRule{Key: "register:192.0.2.1", Max: 20, Window: time.Hour, Lock: time.Hour}
	if err := db.CountAttempt(ctx, rule); err != nil {
		t.Fatal(err)
	}
	verifiedUser(t, db, "a@example.com") // queues a verification mail
	if err := db.PruneCounters(ctx); err != nil {
		t.Fatal(err)
	}
	if s := sqldbtest.Snapshot(t, dbURL, "login_throttle", "mail_log"); len(s["login_throttle"]) != 1 || len(s["mail_log"]) != 1 {
		t.Fatalf("fresh counters were pruned: %v", s)
	}
	now = now.Add(25 * time.Hour)
	if err := db.PruneCounters(ctx); err != nil {
		t.Fatal(err)
	}
	if s := sqldbtest.Snapshot(t, dbURL, "login_throttle", "mail_log"); len(s["login_throttle"]) != 0 || len(s["mail_log"]) != 0 {
		t.Fatalf("stale counters were kept: %v", s)
	}
}

// A MySQL URL's tls parameter is a connection option: with "preferred" the
// test server (which offers no TLS) is still reached, and every other value
// than the driver's four is refused before connecting.
func TestMySQLTLSOption(t *testing.T) {
	if e, ok := sqldbtest.OfDialect(t, sqldb.MySQL); ok {
		db, err := sqldb.Open(ctx, e.URL(t)+"?tls=preferred", sqldb.PoolConfig{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Ping(ctx); err != nil {
			t.Fatalf("tls=preferred: %v", err)
		}
	}
	if _, _, _, err := sqldb.ParseURL("mysql://u@db:3306/wmory?tls=maybe"); err == nil || !strings.Contains(err.Error(), "tls") {
		t.Fatalf("tls=maybe: %v", err)
	}
}
