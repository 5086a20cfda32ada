package wmory

import "time"

// Report is a member's complaint about a media item of their group.
type Report struct {
	ID         string
	MediaID    string
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

// Report reasons and resolutions of the contract.
var (
	ReportReasons = map[string]bool{"spam": true, "nudity": true, "violence": true, "harassment": true, "copyright": true,
		"depicts_me": true, "wrong_group": true, "other": true}
	// ReportActions maps each resolution to the group action it needs.
	ReportActions = map[string]GroupAction{"remove_media": ActResolveRemoveMedia, "dismiss": ActResolveDismiss, "remove_uploader": ActResolveRemoveUploader}
)

const (
	ReportOpen       = "open"
	ReportResolved   = "resolved"
	MaxReportDetails = 2000

	AuditReportCreate   = "report_create"
	AuditReportResolve  = "report_resolve"
	AuditReportEscalate = "report_escalate"
	AuditTargetReport   = "report"
)
