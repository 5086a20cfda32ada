package wmory

import "time"

// Report is a member's complaint about a media item of their group.
type Report struct {
	ID      string
	MediaID string
	// CommentID, when set, is the comment on MediaID the report is about.
	CommentID  string
	GroupID    string
	ReporterID string
	Reason     string
	Details    string
	Status     string // open, resolved
	Action     string // set when resolved
	CreatedAt  time.Time
	ResolvedAt *time.Time
	ResolvedBy string
	Escalated  bool
}

// IsReportReason tells the reasons a member may give for a report.
func IsReportReason(reason string) bool {
	switch reason {
	case "spam", "nudity", "violence", "harassment", "copyright", "depicts_me", "wrong_group", "other":
		return true
	}
	return false
}

// ReportAction is the group action a resolution needs (and whether it is one).
func ReportAction(resolution string) (GroupAction, bool) {
	switch resolution {
	case "remove_media":
		return ActResolveRemoveMedia, true
	case "dismiss":
		return ActResolveDismiss, true
	case "remove_uploader":
		return ActResolveRemoveUploader, true
	}
	return "", false
}

const (
	ReportOpen       = "open"
	ReportResolved   = "resolved"
	MaxReportDetails = 2000
)
