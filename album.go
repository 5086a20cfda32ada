package wmory

import "time"

// Album is a named set of a group's items, by reference: an item may be in
// many albums, and an album holds no bytes of its own.
type Album struct {
	ID        string
	GroupID   string
	Name      string
	CreatedBy string // "" once the account is gone
	// MediaCount counts the items members see in it; CoverKey is the
	// original's key of its newest ready one ("" when none).
	MediaCount int
	CoverKey   string
	CreatedAt  time.Time
}

// MaxAlbumBatch is the most items added to or removed from an album at once.
const MaxAlbumBatch = 500
