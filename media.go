package wmory

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MediaKind is what a media item is.
type MediaKind string

const (
	KindPhoto MediaKind = "photo"
	KindVideo MediaKind = "video"
)

// Media status as the gallery shows it.
const (
	StatusProcessing = "processing"
	StatusReady      = "ready"
	StatusFailed     = "failed"
)

// KindOf is the upload allow-list: the kind of an allowed content type.
// Anything else is refused, whatever its extension.
func KindOf(contentType string) (MediaKind, bool) {
	switch contentType {
	case "image/jpeg", "image/png", "image/heic", "image/heif", "image/webp", "image/avif", "image/gif":
		return KindPhoto, true
	case "video/mp4", "video/quicktime", "video/webm":
		return KindVideo, true
	}
	return "", false
}

// Limits bound what one user may upload.
type Limits struct {
	MaxPhotoBytes   int64
	MaxVideoBytes   int64
	DailyBytesLimit int64
	DailyFilesLimit int64
}

// DefaultLimits are the instance defaults unless configured otherwise.
var DefaultLimits = Limits{MaxPhotoBytes: 100 << 20, MaxVideoBytes: 4 << 30, DailyBytesLimit: 5 << 30, DailyFilesLimit: 1000}

// UploadTTL is how long a signed upload URL works; a pending upload that is not
// completed is cleaned up after twice that.
const UploadTTL = 10 * time.Minute

// UploadURLDeadline is when no upload URL signed for an upload authorized at
// created can store anything any more: its lifetime plus a margin for the
// store's clock. Until then an S3 store accepts bytes for an upload that has
// ended, so whatever arrives is deleted again after this moment.
func UploadURLDeadline(created time.Time) time.Time { return created.Add(UploadTTL + time.Minute) }

// SniffLen is how many leading bytes Sniff needs.
const SniffLen = 64

// Sniff identifies an allowed media type from the first bytes of a file by its
// magic numbers, or returns "". Extensions and declared types play no part.
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return "image/gif"
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return "image/webp"
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		// EBML: WebM declares its DocType near the start; other Matroska files are
		// not allowed.
		if bytes.Contains(head[:min(len(head), SniffLen)], []byte("webm")) {
			return "video/webm"
		}
		return ""
	case len(head) >= 12 && bytes.Equal(head[4:8], []byte("ftyp")):
		return sniffFtyp(head)
	case len(head) >= 8 && classicQuickTime(head):
		return "video/quicktime"
	}
	return ""
}

// classicQuickTime recognises QuickTime movies from before the ftyp box (older
// cameras and QuickTime itself wrote them): the file opens with one of the
// atoms a movie may start with, with a size that can hold it.
func classicQuickTime(head []byte) bool {
	size := binary.BigEndian.Uint32(head[:4])
	switch string(head[4:8]) {
	case "moov", "mdat", "wide", "free", "skip", "pnot":
		return size == 0 || size == 1 || size >= 8
	}
	return false
}

// sniffFtyp reads the brands of an ISO base media file type box.
func sniffFtyp(head []byte) string {
	size := int(binary.BigEndian.Uint32(head[:4]))
	if size < 16 || size > len(head) {
		size = len(head)
	}
	brands := map[string]bool{string(head[8:12]): true}
	for i := 16; i+4 <= size; i += 4 {
		brands[string(head[i:i+4])] = true
	}
	major := string(head[8:12])
	has := func(names ...string) bool {
		for _, n := range names {
			if brands[n] {
				return true
			}
		}
		return false
	}
	switch {
	case major == "avif" || major == "avis":
		return "image/avif"
	case has("heic", "heix", "heim", "heis", "hevc", "hevx"):
		return "image/heic"
	case major == "mif1" || major == "msf1":
		if has("avif") {
			return "image/avif"
		}
		return "image/heif"
	case major == "qt  ":
		return "video/quicktime"
	case has("isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "mmp4", "dash", "MSNV"):
		return "video/mp4"
	}
	return ""
}

// SameType reports whether bytes sniffed as sniffed may be stored as declared.
// HEIC is a kind of HEIF, and phones label either way.
func SameType(declared, sniffed string) bool {
	if declared == sniffed {
		return true
	}
	heif := map[string]bool{"image/heic": true, "image/heif": true}
	return heif[declared] && heif[sniffed]
}

// Upload is an authorized upload that the client has yet to complete.
type Upload struct {
	ID          string
	UserID      string
	GroupID     string
	ObjectKey   string
	Filename    string
	ContentType string
	Size        int64
	SHA256      string // hex, when the client declared it
	TimeZone    string // the uploader's (IANA), when the client said it
	Status      UploadStatus
	MediaID     string
	ExpiresAt   time.Time
	// MultipartID is the store's multipart upload of a resumable upload,
	// which the client sends in parts of PartSize bytes; empty for one PUT.
	MultipartID string
	PartSize    int64
}

// Resumable uploads: a file sent in parts, each to a URL of its own, that a
// client resumes after a failure by sending only the parts the store lacks.
const (
	PartSize           = 16 << 20 // every part's length but the last's
	MaxParts           = 10_000
	ResumableTTL       = 24 * time.Hour // a resumable upload's life
	PartURLTTL         = time.Hour
	MaxPartsPerSigning = 100 // part URLs signed in one request
)

// Resumable reports whether the upload is sent in parts.
func (u *Upload) Resumable() bool { return u.MultipartID != "" }

// PartCount is how many parts a resumable upload has.
func (u *Upload) PartCount() int {
	if u.PartSize <= 0 {
		return 0
	}
	return int((u.Size + u.PartSize - 1) / u.PartSize)
}

// PartLength is the length of part n (from 1): PartSize but for the last.
func (u *Upload) PartLength(n int) int64 {
	return min(u.PartSize, u.Size-int64(n-1)*u.PartSize)
}

// UploadStatus is where an upload is in its life: pending until its bytes are
// verified (completed) or refused (rejected), or its time runs out (expired)
// or its client gives up (abandoned).
type UploadStatus string

const (
	UploadPending   UploadStatus = "pending"
	UploadCompleted UploadStatus = "completed"
	UploadRejected  UploadStatus = "rejected"
	UploadExpired   UploadStatus = "expired"
	UploadAbandoned UploadStatus = "abandoned"
)

// Media is one photo or video of a group.
type Media struct {
	ID           string
	GroupID      string
	UploaderID   string
	UploaderName string
	Kind         MediaKind
	ContentType  string
	Filename     string
	Size         int64
	ObjectKey    string
	Width        *int
	Height       *int
	DurationMS   *int64
	// TakenAt is when it was taken, the instant lists are sorted by: from the
	// file's metadata (when the file gave no UTC offset, the camera's clock
	// read as UTC), else the upload time.
	TakenAt time.Time
	// TakenOffset is the camera's UTC offset in minutes east, when the file
	// recorded one (or the uploader's time zone gave it).
	TakenOffset *int
	// TakenAtSource says where TakenAt came from: the file, or the upload.
	TakenAtSource TakenAtSource
	// UploadTimeZone is the uploader's time zone (IANA) when the client said
	// it: processing reads a camera clock without an offset in it.
	UploadTimeZone string
	UploadedAt     time.Time
	Status         string
	// FailureReason is set when Status is failed.
	FailureReason FailureReason
	// LikeCount and CommentCount are the item's; LikedByMe says whether the
	// member who asked likes it.
	LikeCount, CommentCount int
	LikedByMe               bool
	// Playback is where a video's playback rendition stands; PlaybackFailure
	// says why when it failed, and PlaybackBytes is its size once made.
	Playback        PlaybackStatus
	PlaybackFailure FailureReason
	PlaybackBytes   int64
}

// TakenAtSource is where an item's capture time came from.
type TakenAtSource string

const (
	TakenFromCamera TakenAtSource = "camera" // the file's metadata
	TakenAtUpload   TakenAtSource = "upload" // the file said nothing: the upload time
)

// PlaybackStatus is where an item's playback rendition stands: a video's is
// pending until it is made (ready) or cannot be (failed, the original still
// viewable); photos, and videos while renditions are off, have none.
type PlaybackStatus string

const (
	PlaybackPending PlaybackStatus = "pending"
	PlaybackReady   PlaybackStatus = "ready"
	PlaybackFailed  PlaybackStatus = "failed"
	PlaybackNone    PlaybackStatus = "none"
)

// VideoHeights are the rendition sizes an instance may choose, as the
// longest short side in pixels.
func VideoHeights() []int { return []int{480, 720, 1080} }

// TakenAtLocal is the wall-clock time where the item was taken, which is
// what people expect to see: TakenAt at the camera's offset, or as UTC when
// the file recorded none (then TakenAt holds the camera's clock as UTC).
func (m *Media) TakenAtLocal() time.Time {
	if m.TakenOffset == nil {
		return m.TakenAt.UTC()
	}
	return m.TakenAt.In(time.FixedZone("", *m.TakenOffset*60))
}

// FormatBytes writes a size as people read it: "512 B", "1.5 KB", "61 KB",
// "4.0 GB" (binary multiples, as file managers show them).
func FormatBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n) / 1024
	units := []string{"KB", "MB", "GB", "TB"}
	u := 0
	for v >= 1000 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v < 10 {
		return fmt.Sprintf("%.1f %s", v, units[u])
	}
	return fmt.Sprintf("%.0f %s", v, units[u])
}

// FormatOffset writes a UTC offset in minutes east as ±hh:mm.
func FormatOffset(minutes int) string {
	sign := '+'
	if minutes < 0 {
		sign, minutes = '-', -minutes
	}
	return fmt.Sprintf("%c%02d:%02d", sign, minutes/60, minutes%60)
}

// ThumbnailKey, PreviewKey and PlaybackKey are where a media item's derived
// data lives; they are derived from the original's key, so a retried job
// overwrites its own output instead of leaving a second copy.
func (m *Media) ThumbnailKey() string { return ThumbnailOf(m.ObjectKey) }
func (m *Media) PreviewKey() string   { return m.ObjectKey + previewSuffix }
func (m *Media) PlaybackKey() string  { return m.ObjectKey + playbackSuffix }

// DerivedKeys are the keys of everything made from the original: what goes
// when the item goes.
func (m *Media) DerivedKeys() []string {
	return []string{m.ThumbnailKey(), m.PreviewKey(), m.PlaybackKey()}
}

// ThumbnailOf is the thumbnail's key of the original stored under key.
func ThumbnailOf(key string) string { return key + thumbSuffix }

const (
	thumbSuffix    = ".thumb.webp"
	previewSuffix  = ".preview.webp"
	playbackSuffix = ".play.mp4"
)

// OriginalKey returns the key of the original an object belongs to: itself, or
// the original a derived image was made from.
func OriginalKey(key string) string {
	for _, suffix := range []string{thumbSuffix, previewSuffix, playbackSuffix} {
		if k, ok := strings.CutSuffix(key, suffix); ok {
			return k
		}
	}
	return key
}

// UploadPrefix is where every object of the media flow lives in a store;
// nothing else is kept under it.
const UploadPrefix = "o/"

// QuotaDay numbers UTC days since 1970-01-01; quotas reset at UTC midnight.
func QuotaDay(t time.Time) int64 { return t.UTC().Unix() / 86400 }

// QuotaResetsAt is the next UTC midnight after t.
func QuotaResetsAt(t time.Time) time.Time { return time.Unix((QuotaDay(t)+1)*86400, 0).UTC() }

// FailureReason says why an item could not be processed. Only the code is
// stored and shown (the audit log, the uploader); details go to the log,
// since they carry tool output and internals.
type FailureReason string

const (
	FailUndecodable     FailureReason = "undecodable"      // not a readable photo or video
	FailTooLarge        FailureReason = "too_large"        // more pixels, or decoded memory, than allowed
	FailTooLong         FailureReason = "too_long"         // a video past the longest duration
	FailTimeout         FailureReason = "timeout"          // processing passed its deadline
	FailOriginalMissing FailureReason = "original_missing" // the stored file disappeared
	FailOriginalChanged FailureReason = "original_changed" // the stored file was replaced after verification
	FailProcessing      FailureReason = "processing_failed"
)

// Withdrawn reports whether an item that failed for this reason is withdrawn:
// its original is deleted and its quota released, since the bytes are not the
// photo or video they claimed to be (or not the ones verified). An item that
// ran out of time, or failed for wmory's own reasons, keeps its original.
func (r FailureReason) Withdrawn() bool {
	switch r {
	case FailUndecodable, FailTooLarge, FailTooLong, FailOriginalChanged:
		return true
	}
	return false
}

// downloadExtensions are the file name extensions each verified type may carry.
var downloadExtensions = map[string][]string{
	"image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"}, "image/heic": {".heic", ".heif"}, "image/heif": {".heif", ".heic"},
	"image/webp": {".webp"}, "image/avif": {".avif"}, "image/gif": {".gif"},
	"video/mp4": {".mp4", ".m4v"}, "video/quicktime": {".mov", ".qt"}, "video/webm": {".webm"},
}

// DownloadName is the name an original downloads under: the uploader's name,
// with the extension of its verified type appended unless it has one already,
// so that "x.html" holding a JPEG saves as "x.html.jpg", never as a page.
func DownloadName(filename, contentType string) string {
	exts := downloadExtensions[contentType]
	if len(exts) == 0 {
		return filename
	}
	lower := strings.ToLower(filename)
	for _, e := range exts {
		if strings.HasSuffix(lower, e) {
			return filename
		}
	}
	return filename + exts[0]
}

// ValidateFilename returns the display name of an upload: the last path
// segment, trimmed, at most 255 bytes, with no control or bidi characters. It is
// only ever shown and used in Content-Disposition; object keys never derive from it.
func ValidateFilename(s string) (string, error) {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSpace(s)
	if s == "" || s == "." || s == ".." {
		return "", Invalid("filename", "is required.")
	}
	if len(s) > 255 || !utf8.ValidString(s) {
		return "", Invalid("filename", "must be valid UTF-8 of at most 255 bytes.")
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return "", Invalid("filename", "must not contain control characters.")
		}
	}
	return s, nil
}

// DefaultTrashDays is how long an item stays in its group's trash before it
// is purged, unless the instance says otherwise.
const DefaultTrashDays = 30
