package wmory

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Comment is a member's words on an item: plain text, shown as text.
type Comment struct {
	ID         string
	MediaID    string
	GroupID    string
	AuthorID   string
	AuthorName string
	Text       string
	CreatedAt  time.Time
}

// MaxCommentRunes is the longest comment, in characters.
const MaxCommentRunes = 1024

// CommentsPerWindow comments per member within CommentWindow, at most.
const (
	CommentsPerWindow = 30
	CommentWindow     = 10 * time.Minute
)

// ValidateComment trims a comment and checks it: 1 to MaxCommentRunes
// characters, no control characters.
func ValidateComment(text string) (string, error) {
	text = strings.TrimSpace(text)
	if !utf8.ValidString(text) || strings.IndexFunc(text, unicode.IsControl) >= 0 {
		return "", Invalid("text", "must be plain text without control characters.")
	}
	if n := utf8.RuneCountInString(text); n == 0 || n > MaxCommentRunes {
		return "", Invalid("text", "must be 1 to 1024 characters.")
	}
	return text, nil
}

// ActivityType is what an entry of a group's activity tells.
type ActivityType string

const (
	ActivityUploaded  ActivityType = "uploaded" // one uploader's run of uploads
	ActivityJoined    ActivityType = "joined"
	ActivityLeft      ActivityType = "left"
	ActivityCommented ActivityType = "commented"
	ActivityAlbum     ActivityType = "album_created"
)

// UploadBatchGap ends an uploader's batch: an upload more than this after the
// last one starts a new entry (and, later, a new e-mail).
const UploadBatchGap = 10 * time.Minute

// ActivityMediaShown is how many items an entry names (the first of its batch).
const ActivityMediaShown = 12

// Activity is one entry of a group's activity, newest first.
type Activity struct {
	ID        string
	At        time.Time // its latest event
	Type      ActivityType
	ActorID   string // "" once the account is gone
	ActorName string
	Count     int
	MediaIDs  []string
	CommentID string
	AlbumID   string
}

// EmailChoice is how a member hears about a group by e-mail.
type EmailChoice string

const (
	// EmailBatched: a message per uploader's batch once it has ended, and one
	// per run of comments on the member's items.
	EmailBatched EmailChoice = "batched"
	// EmailDaily: one digest of the same news a day at most.
	EmailDaily EmailChoice = "daily"
	EmailOff   EmailChoice = "off"
)

// DigestEvery is the shortest time between two daily digests of a group.
const DigestEvery = 24 * time.Hour

// ParseEmailChoice reads a member's choice of e-mail.
func ParseEmailChoice(s string) (EmailChoice, error) {
	switch c := EmailChoice(s); c {
	case EmailBatched, EmailDaily, EmailOff:
		return c, nil
	}
	return "", Invalid("email", `must be "batched", "daily" or "off".`)
}

// NoticeKind is what a batch told by e-mail is made of.
type NoticeKind string

const (
	// NoticeUploads is one uploader's run of uploads, told to the others.
	NoticeUploads NoticeKind = "uploads"
	// NoticeComments is a run of comments on one member's items, told to them.
	NoticeComments NoticeKind = "comments"
	// NoticeTrashed is a run of a member's items that others moved to the
	// trash, told to that member whatever their choice of news: it is about
	// what they shared, and they may want it back.
	NoticeTrashed NoticeKind = "trashed"
)
