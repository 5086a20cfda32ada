package media

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/archive"
	"github.com/wmory/wmory/internal/sqldb"
)

// archivePage is how many items an archive reads from the database at once.
const archivePage = 200

// WriteArchive streams a download's ZIP into w, the originals read from the
// store as they are written: one folder named after the archive, then a
// folder per day the items were taken (the camera's calendar), or none for
// an album. A client that goes away ends it: the error is the write's.
func (s *Service) WriteArchive(ctx context.Context, w io.Writer, a *sqldb.Archive) error {
	zw := archive.NewWriter(w)
	err := s.eachArchived(ctx, a, func(it sqldb.ArchiveItem) error {
		folder := archive.SafeName(a.Name)
		if a.AlbumID == "" {
			folder = path.Join(folder, wallClock(it).Format(time.DateOnly))
		}
		_, err := s.addOriginal(ctx, zw, path.Join(folder, wmory.DownloadName(it.Filename, it.ContentType)), it)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

// WriteExport streams an account's export into w: every original it uploaded
// that is not in a trash, by group and day, and wmory-export.json with the
// account, its groups, its items' metadata (and where each is in the
// archive) and its comments.
func (s *Service) WriteExport(ctx context.Context, w io.Writer, userID string) error {
	u, err := s.db.User(ctx, userID)
	if err != nil {
		return err
	}
	a := sqldb.ExportArchive(userID)
	zw := archive.NewWriter(w)
	index := exportIndex{Account: exportAccount{ID: u.ID, Email: u.Email, Name: u.Name, CreatedAt: u.CreatedAt}, Media: []exportMedia{}}
	// A folder per group, named after it; two groups of one name get two.
	folders, used := map[string]string{}, map[string]bool{}
	err = s.eachArchived(ctx, a, func(it sqldb.ArchiveItem) error {
		folder, ok := folders[it.GroupID]
		if !ok {
			base := archive.SafeName(it.GroupName)
			folder = base
			for n := 2; used[strings.ToLower(folder)]; n++ {
				folder = fmt.Sprintf("%s (%d)", base, n)
			}
			folders[it.GroupID], used[strings.ToLower(folder)] = folder, true
		}
		name := path.Join(a.Name, folder, wallClock(it).Format(time.DateOnly), wmory.DownloadName(it.Filename, it.ContentType))
		name, err := s.addOriginal(ctx, zw, name, it)
		index.Media = append(index.Media, exportMedia{ID: it.ID, GroupID: it.GroupID, Path: name, Filename: it.Filename,
			ContentType: it.ContentType, Size: it.Size, TakenAt: it.TakenAt, UploadedAt: it.UploadedAt, SHA256: it.SHA256})
		return err
	})
	if err != nil {
		return err
	}
	for after := ""; ; {
		groups, next, err := s.db.Groups(ctx, userID, after, 100)
		if err != nil {
			return err
		}
		for _, g := range groups {
			index.Groups = append(index.Groups, exportGroup{ID: g.ID, Name: g.Name, Role: string(g.Role)})
		}
		if next == "" {
			break
		}
		after = next
	}
	comments, err := s.db.CommentsBy(ctx, userID)
	if err != nil {
		return err
	}
	for _, c := range comments {
		index.Comments = append(index.Comments, exportComment{ID: c.ID, MediaID: c.MediaID, GroupID: c.GroupID, Text: c.Text, CreatedAt: c.CreatedAt})
	}
	js, err := json.MarshalIndent(index, "", "  ")
	if err != nil {
		return err
	}
	if err := zw.AddBytes(path.Join(a.Name, "wmory-export.json"), s.db.Clock(), js); err != nil {
		return err
	}
	return zw.Close()
}

// eachArchived calls fn for each item of an archive, a page at a time.
func (s *Service) eachArchived(ctx context.Context, a *sqldb.Archive, fn func(sqldb.ArchiveItem) error) error {
	for after := ""; ; {
		items, next, err := s.db.ArchivePage(ctx, a, after, archivePage)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		after = next
	}
}

// addOriginal copies an item's original into the archive and returns the
// name it got there.
func (s *Service) addOriginal(ctx context.Context, zw *archive.Writer, name string, it sqldb.ArchiveItem) (string, error) {
	return zw.Add(ctx, name, wallClock(it), func(ctx context.Context) (io.ReadCloser, error) {
		rc, err := s.store.Open(ctx, it.ObjectKey)
		if err != nil {
			return nil, fmt.Errorf("archive %s: %w", it.ID, err)
		}
		return rc, nil
	})
}

// wallClock is when an item was taken, in the camera's zone when it said
// (UTC otherwise): archives show the time as it was where it was taken.
func wallClock(it sqldb.ArchiveItem) time.Time {
	if it.TakenOffset == nil {
		return it.TakenAt.UTC()
	}
	return it.TakenAt.In(time.FixedZone("", *it.TakenOffset*60))
}

type exportIndex struct {
	Account  exportAccount   `json:"account"`
	Groups   []exportGroup   `json:"groups"`
	Media    []exportMedia   `json:"media"`
	Comments []exportComment `json:"comments"`
}

type exportAccount struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

type exportGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

type exportMedia struct {
	ID          string    `json:"id"`
	GroupID     string    `json:"group_id"`
	Path        string    `json:"path"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	TakenAt     time.Time `json:"taken_at"`
	UploadedAt  time.Time `json:"uploaded_at"`
	SHA256      string    `json:"sha256,omitempty"`
}

type exportComment struct {
	ID        string    `json:"id"`
	MediaID   string    `json:"media_id"`
	GroupID   string    `json:"group_id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}
