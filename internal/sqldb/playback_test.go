package sqldb_test

import (
	"testing"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/sqldb"
	"github.com/wmory/wmory/internal/sqldb/sqldbtest"
)

// An instance upgraded to renditions queues one for every video it already
// shows; videos still processing get theirs when ready, photos none.
func TestMigrationQueuesRenditionsOfExistingVideos(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, e sqldbtest.Engine) {
		db, url := sqldbtest.OpenURL(t, e)
		u := verifiedUser(t, db, "a@example.com")
		actor := wmory.Actor{UserID: u.ID}
		g, err := db.CreateGroup(ctx, actor, "G")
		if err != nil {
			t.Fatal(err)
		}
		add := func(name, contentType string) *wmory.Media {
			up := &wmory.Upload{ID: wmory.NewID(db.Now()), GroupID: g.ID, Filename: name, ContentType: contentType, Size: 10}
			up.ObjectKey = wmory.UploadPrefix + g.ID + "/" + up.ID
			if err := db.AuthorizeUpload(ctx, actor, up, wmory.DefaultLimits); err != nil {
				t.Fatal(err)
			}
			m, err := db.CompleteUpload(ctx, actor, up.ID, sqldb.Stored{}, wmory.PlaybackPending)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		ready, processing, photo := add("a.mp4", "video/mp4"), add("b.mov", "video/quicktime"), add("c.jpg", "image/jpeg")
		for _, m := range []*wmory.Media{ready, photo} {
			if err := db.MediaProcessed(ctx, m.ID, sqldb.Processed{Width: 2, Height: 2}); err != nil {
				t.Fatal(err)
			}
		}

		// The database as it was before migration 0010.
		sqldbtest.Exec(t, url, `DELETE FROM jobs`, `DELETE FROM schema_migrations WHERE version = 10`,
			`ALTER TABLE media DROP COLUMN playback_status`, `ALTER TABLE media DROP COLUMN playback_failure`, `ALTER TABLE media DROP COLUMN playback_bytes`)

		if applied, err := db.Migrate(ctx); err != nil || len(applied) != 1 || applied[0] != 10 {
			t.Fatalf("Migrate applied %v, %v; want [10]", applied, err)
		}
		for m, want := range map[*wmory.Media]wmory.PlaybackStatus{ready: wmory.PlaybackPending, processing: wmory.PlaybackPending, photo: wmory.PlaybackNone} {
			got, _, err := db.MediaToProcess(ctx, m.ID)
			if err != nil || got.Playback != want {
				t.Errorf("%s: playback %v, %v; want %s", m.Filename, got.Playback, err, want)
			}
		}
		if n, _ := db.PendingJobs(ctx, sqldb.JobPlaybackRendition); n != 1 {
			t.Fatalf("%d rendition jobs; want 1, the ready video's", n)
		}
		job, err := db.ClaimJobAbout(ctx, sqldb.JobPlaybackRendition, ready.ObjectKey, 0)
		if err != nil || job == nil || string(job.Payload) != `{"media_id":"`+ready.ID+`"}` {
			t.Fatalf("the ready video's job: %+v, %v", job, err)
		}
		// The one still processing gets its job when it is ready.
		if err := db.MediaProcessed(ctx, processing.ID, sqldb.Processed{Width: 2, Height: 2}); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.PendingJobs(ctx, sqldb.JobPlaybackRendition); n != 2 {
			t.Fatalf("%d rendition jobs after the second video is ready; want 2", n)
		}
	})
}
