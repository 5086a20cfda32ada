package jobs

import (
	"context"

	"github.com/wmory/wmory/internal/sqldb"
)

// ProcessMediaForTest exposes the registered media handler.
func ProcessMediaForTest(w *Worker) func(context.Context, *sqldb.Job) error {
	return w.handlers[sqldb.JobProcessMedia]
}
