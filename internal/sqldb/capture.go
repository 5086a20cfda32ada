package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/wmory/wmory"
)

// JobRereadCapture reads again the capture times of a page of items processed
// before wmory read the camera's UTC offset (migration 0008), then queues the
// next page: migration 0016 queued the first.
const JobRereadCapture JobKind = "reread_capture"

// RereadCapturePayload is where the pages stand: after this item id.
type RereadCapturePayload struct {
	After string `json:"after"`
}

// CaptureRereads lists, by id after the cursor, the ready items whose capture
// time was read before offsets were: those without an offset, uploaded before
// migration 0008 was applied.
func (db *DB) CaptureRereads(ctx context.Context, after string, limit int) ([]wmory.Media, error) {
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT `+mediaColumns+` FROM media m JOIN users u ON u.id = m.uploader_id
		WHERE m.status = ? AND m.taken_offset IS NULL AND m.id > ?
		AND m.uploaded_at < (SELECT applied_at FROM schema_migrations WHERE version = 8) ORDER BY m.id LIMIT ?`), wmory.StatusReady, after, limit)
	if err != nil {
		return nil, db.domainError(err)
	}
	out, err := collect(rows, scanMedia)
	return out, db.domainError(err)
}

// SetCaptureTime records an item's capture time read again from its file.
func (db *DB) SetCaptureTime(ctx context.Context, id string, taken time.Time, offset *int) error {
	var off sql.NullInt64
	if offset != nil {
		off = sql.NullInt64{Int64: int64(*offset), Valid: true}
	}
	_, err := db.sql.ExecContext(ctx, db.rebind(`UPDATE media SET taken_at = ?, taken_offset = ?, taken_at_source = ? WHERE id = ?`),
		ms(taken), off, wmory.TakenFromCamera, id)
	return db.domainError(err)
}

// QueueCaptureReread queues the next page of capture times to read again.
func (db *DB) QueueCaptureReread(ctx context.Context, after string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return tx.enqueue(ctx, JobRereadCapture, RereadCapturePayload{After: after})
	})
}
