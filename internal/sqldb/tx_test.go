package sqldb

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/wmory/wmory"
)

// Deadlocks and serialization failures are retried a bounded number of times;
// other errors are not retried at all.
func TestTransientErrorsAreRetried(t *testing.T) {
	db, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "x.db"), PoolConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name      string
		failures  int
		err       error
		wantCalls int
		wantErr   bool
	}{
		{"postgres deadlock twice", 2, &pgconn.PgError{Code: "40P01"}, 3, false},
		{"serialization failure once", 1, &pgconn.PgError{Code: "40001"}, 2, false},
		{"mysql deadlock", 1, &mysql.MySQLError{Number: 1213}, 2, false},
		{"always deadlocked", 100, &mysql.MySQLError{Number: 1213}, maxTxAttempts, true},
		{"unique violation", 100, &pgconn.PgError{Code: "23505"}, 1, true},
		{"domain error", 100, wmory.NotFound("Thing"), 1, true},
	} {
		calls := 0
		err := db.inTx(context.Background(), func(tx *Tx) error {
			calls++
			if calls <= tc.failures {
				return tc.err
			}
			return nil
		})
		if calls != tc.wantCalls || (err != nil) != tc.wantErr {
			t.Errorf("%s: %d calls, err %v; want %d calls, error %v", tc.name, calls, err, tc.wantCalls, tc.wantErr)
		}
		var we *wmory.Error
		if err != nil && !errors.As(err, &we) && tc.name != "always deadlocked" {
			t.Errorf("%s: driver error %v not turned into a domain error", tc.name, err)
		}
	}
}
