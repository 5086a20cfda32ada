package http

import (
	"time"

	"github.com/wmory/wmory"
)

// The JSON shapes of the contract. Domain types never go on the wire directly, so
// a field added to the domain cannot leak by accident.

type userView struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	Name          string `json:"name"`
	EmailVerified bool   `json:"email_verified"`
	// IsAdmin tells clients whether to offer the instance's administration.
	IsAdmin   bool      `json:"is_admin"`
	CreatedAt time.Time `json:"created_at"`
}

// viewUser is the account as its owner sees it.
func viewUser(u *wmory.User) userView {
	return userView{ID: u.ID, Email: u.Email, Name: u.Name, EmailVerified: u.EmailVerified, IsAdmin: u.IsAdmin, CreatedAt: u.CreatedAt}
}

type quotaView struct {
	DailyBytesLimit int64     `json:"daily_bytes_limit"`
	DailyBytesUsed  int64     `json:"daily_bytes_used"`
	DailyFilesLimit int64     `json:"daily_files_limit"`
	DailyFilesUsed  int64     `json:"daily_files_used"`
	ResetsAt        time.Time `json:"resets_at"`
	// StoredBytes is everything the caller uploaded that is kept, all days.
	StoredBytes int64 `json:"stored_bytes"`
}

type sessionView struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"` // unless used again before
	EndsAt     time.Time `json:"ends_at"`    // however active it stays
	UserAgent  string    `json:"user_agent"`
	IP         string    `json:"ip"`
	Current    bool      `json:"current"`
}

type groupView struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Role             string    `json:"role"`
	MemberCount      int       `json:"member_count"`
	MediaCount       int       `json:"media_count"`
	MembersCanInvite bool      `json:"members_can_invite"`
	AutoHideReports  int       `json:"auto_hide_reports"`
	CreatedAt        time.Time `json:"created_at"`
	// CoverURL is the thumbnail of its newest item, signed (lists and the group itself).
	CoverURL string `json:"cover_url,omitempty"`
	// UnseenCount is how many items others added since the caller last said
	// it had looked (POST /groups/{gid}/seen).
	UnseenCount int `json:"unseen_count"`
}

func viewGroup(g wmory.Group) groupView {
	return groupView{ID: g.ID, Name: g.Name, Role: string(g.Role), MemberCount: g.MemberCount, MediaCount: g.MediaCount,
		MembersCanInvite: g.MembersCanInvite, AutoHideReports: g.AutoHideReports, CreatedAt: g.CreatedAt, UnseenCount: g.UnseenCount}
}

type memberView struct {
	UserID   string    `json:"user_id"`
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

func viewMember(m wmory.Member) memberView {
	return memberView{UserID: m.UserID, Name: m.Name, Role: string(m.Role), JoinedAt: m.JoinedAt}
}

type inviteView struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	URL       string    `json:"url"`
	MaxUses   *int      `json:"max_uses"`
	Uses      int       `json:"uses"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedBy *string   `json:"created_by"`
	Revoked   bool      `json:"revoked"`
}

func (s *Server) viewInvite(i wmory.Invite) inviteView {
	v := inviteView{ID: i.ID, Code: i.Code, URL: s.link("/invite/"+i.Code, nil), MaxUses: i.MaxUses, Uses: i.Uses,
		ExpiresAt: i.ExpiresAt, Revoked: i.Revoked}
	if i.CreatedBy != "" {
		v.CreatedBy = &i.CreatedBy
	}
	return v
}

type actorView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type auditView struct {
	ID         string            `json:"id"`
	At         time.Time         `json:"at"`
	Actor      *actorView        `json:"actor"`
	GroupID    string            `json:"group_id,omitempty"`
	Action     wmory.AuditAction `json:"action"`
	TargetType wmory.AuditTarget `json:"target_type"`
	TargetID   string            `json:"target_id"`
	IP         string            `json:"ip"`
	Details    map[string]any    `json:"details"`
}

func viewAudit(e wmory.AuditEntry) auditView {
	v := auditView{ID: e.ID, At: e.At, GroupID: e.GroupID, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID,
		IP: e.IP, Details: e.Details}
	if e.ActorID != "" {
		v.Actor = &actorView{ID: e.ActorID, Name: e.ActorName}
	}
	if v.Details == nil {
		v.Details = map[string]any{}
	}
	return v
}
