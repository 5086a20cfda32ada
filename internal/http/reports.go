package http

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/wmory/wmory"
)

type reportRequest struct {
	Reason  string  `json:"reason"`
	Details *string `json:"details"`
}

type reportView struct {
	ID         string     `json:"id"`
	MediaID    string     `json:"media_id"`
	CommentID  *string    `json:"comment_id"`
	GroupID    string     `json:"group_id"`
	ReporterID *string    `json:"reporter_id"`
	Reason     string     `json:"reason"`
	Details    string     `json:"details"`
	Status     string     `json:"status"`
	Action     *string    `json:"action"`
	Escalated  bool       `json:"escalated"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	ResolvedBy *string    `json:"resolved_by"`
}

func viewReport(r wmory.Report) reportView {
	v := reportView{ID: r.ID, MediaID: r.MediaID, GroupID: r.GroupID, Reason: r.Reason, Details: r.Details, Status: r.Status,
		Escalated: r.Escalated, CreatedAt: r.CreatedAt, ResolvedAt: r.ResolvedAt}
	if r.ReporterID != "" {
		v.ReporterID = &r.ReporterID
	}
	if r.CommentID != "" {
		v.CommentID = &r.CommentID
	}
	if r.Action != "" {
		v.Action = &r.Action
	}
	if r.ResolvedBy != "" {
		v.ResolvedBy = &r.ResolvedBy
	}
	return v
}

func (s *Server) createReport(w http.ResponseWriter, r *http.Request) error {
	reason, details, err := reportOf(w, r)
	if err != nil {
		return err
	}
	rep, _, err := s.db.CreateReport(r.Context(), s.actor(r), r.PathValue("mid"), reason, details, s.letters)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, viewReport(*rep))
}

func (s *Server) createCommentReport(w http.ResponseWriter, r *http.Request) error {
	reason, details, err := reportOf(w, r)
	if err != nil {
		return err
	}
	rep, _, err := s.db.CreateCommentReport(r.Context(), s.actor(r), r.PathValue("cid"), reason, details, s.letters)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, viewReport(*rep))
}

// reportOf reads and checks a report's reason and details.
func reportOf(w http.ResponseWriter, r *http.Request) (reason, details string, err error) {
	var req reportRequest
	if err := decode(w, r, &req); err != nil {
		return "", "", err
	}
	if !wmory.IsReportReason(req.Reason) {
		return "", "", wmory.Invalid("reason", "must be one of spam, nudity, violence, harassment, copyright, depicts_me, wrong_group, other.")
	}
	if req.Details != nil {
		details = *req.Details
		if !utf8.ValidString(details) || utf8.RuneCountInString(details) > wmory.MaxReportDetails {
			return "", "", wmory.Invalid("details", "must be valid text of at most 2000 characters.")
		}
	}
	return req.Reason, details, nil
}

func (s *Server) groupReports(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if status != "" && status != wmory.ReportOpen && status != wmory.ReportResolved {
		return wmory.Invalid("status", "must be open or resolved.")
	}
	list, next, err := s.db.Reports(r.Context(), s.actor(r), r.PathValue("gid"), status, p.after, p.limit)
	if err != nil {
		return err
	}
	return writeList(w, mapList(list, viewReport), next)
}

type resolveRequest struct {
	Action string `json:"action"`
}

func (s *Server) resolveReport(w http.ResponseWriter, r *http.Request) error {
	var req resolveRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if _, ok := wmory.ReportAction(req.Action); !ok {
		return wmory.Invalid("action", "must be remove_media, dismiss or remove_uploader.")
	}
	rep, err := s.db.ResolveReport(r.Context(), s.actor(r), r.PathValue("rid"), req.Action)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewReport(*rep))
}

func (s *Server) escalateReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.db.EscalateReport(r.Context(), s.actor(r), r.PathValue("rid"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewReport(*rep))
}
