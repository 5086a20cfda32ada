package http

import (
	"context"
	"net/http"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/blob"
	"github.com/wmory/wmory/internal/media"
	"github.com/wmory/wmory/internal/sqldb"
)

type createGroupRequest struct {
	Name string `json:"name"`
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) error {
	var req createGroupRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	name, err := wmory.ValidateName("name", req.Name)
	if err != nil {
		return err
	}
	g, err := s.db.CreateGroup(r.Context(), s.actor(r), name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, viewGroup(*g))
}

func (s *Server) groups(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.Groups(r.Context(), caller(r).user.ID, p.after, p.limit)
	if err != nil {
		return err
	}
	views := make([]groupView, len(list))
	for i, g := range list {
		if views[i], err = s.viewGroupWithCover(r.Context(), g); err != nil {
			return err
		}
	}
	return writeList(w, views, next)
}

// viewGroupWithCover adds the signed URL of the group's cover thumbnail.
func (s *Server) viewGroupWithCover(ctx context.Context, g wmory.Group) (groupView, error) {
	v := viewGroup(g)
	if g.CoverKey == "" {
		return v, nil
	}
	var err error
	v.CoverURL, err = s.store.PresignGet(ctx, wmory.ThumbnailOf(g.CoverKey), blob.GetOptions{ContentType: "image/webp", Disposition: "inline", TTL: derivedURLTTL})
	if err != nil {
		return v, media.StorageError(err)
	}
	return v, nil
}

func (s *Server) group(w http.ResponseWriter, r *http.Request) error {
	g, err := s.db.Group(r.Context(), s.actor(r), r.PathValue("gid"))
	if err != nil {
		return err
	}
	v, err := s.viewGroupWithCover(r.Context(), *g)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

type updateGroupRequest struct {
	Name             *string `json:"name"`
	MembersCanInvite *bool   `json:"members_can_invite"`
	AutoHideReports  *int    `json:"auto_hide_reports"`
}

func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request) error {
	var req updateGroupRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	patch := sqldb.GroupPatch{MembersCanInvite: req.MembersCanInvite, AutoHideReports: req.AutoHideReports}
	if req.Name != nil {
		name, err := wmory.ValidateName("name", *req.Name)
		if err != nil {
			return err
		}
		patch.Name = &name
	}
	if req.AutoHideReports != nil && (*req.AutoHideReports < 0 || *req.AutoHideReports > wmory.MaxAutoHideReports) {
		return wmory.Invalid("auto_hide_reports", "must be from 0 (off) to 1000.")
	}
	g, err := s.db.UpdateGroup(r.Context(), s.actor(r), r.PathValue("gid"), patch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewGroup(*g))
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.DeleteGroup(r.Context(), s.actor(r), r.PathValue("gid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) members(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.Members(r.Context(), s.actor(r), r.PathValue("gid"), p.after, p.limit)
	if err != nil {
		return err
	}
	return writeList(w, mapList(list, viewMember), next)
}

// memberID resolves the {uid} path value; "me" is the caller.
func memberID(r *http.Request) string {
	if uid := r.PathValue("uid"); uid != "me" {
		return uid
	}
	return caller(r).user.ID
}

type changeRoleRequest struct {
	Role string `json:"role"`
}

func (s *Server) changeRole(w http.ResponseWriter, r *http.Request) error {
	var req changeRoleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	role := wmory.Role(req.Role)
	if role != wmory.RoleAdmin && role != wmory.RoleMember {
		return wmory.Invalid("role", `must be "admin" or "member"; ownership moves by transfer.`)
	}
	m, err := s.db.ChangeRole(r.Context(), s.actor(r), r.PathValue("gid"), memberID(r), role)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewMember(*m))
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	media := r.URL.Query().Get("media")
	if media != "" && media != "keep" && media != "trash" {
		return wmory.Invalid("media", `must be "keep" or "trash".`)
	}
	if err := s.db.RemoveMember(r.Context(), s.actor(r), r.PathValue("gid"), memberID(r), media == "trash"); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type transferRequest struct {
	UserID string `json:"user_id"`
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request) error {
	var req transferRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.UserID == "" {
		return wmory.Invalid("user_id", "is required.")
	}
	g, err := s.db.Transfer(r.Context(), s.actor(r), r.PathValue("gid"), req.UserID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewGroup(*g))
}

type createInviteRequest struct {
	MaxUses        *int `json:"max_uses"`
	ExpiresInHours *int `json:"expires_in_hours"`
}

func (s *Server) createInvite(w http.ResponseWriter, r *http.Request) error {
	var req createInviteRequest
	// The body is optional: no body means the defaults.
	if r.ContentLength != 0 {
		if err := decode(w, r, &req); err != nil {
			return err
		}
	}
	if req.MaxUses != nil && (*req.MaxUses < 1 || *req.MaxUses > wmory.MaxInviteUses) {
		return wmory.Invalid("max_uses", "must be from 1 to 10000, or null for no limit.")
	}
	lifetime := wmory.DefaultInviteLifetime
	if req.ExpiresInHours != nil {
		lifetime = time.Duration(*req.ExpiresInHours) * time.Hour
		if *req.ExpiresInHours < 1 || lifetime > wmory.MaxInviteLifetime {
			return wmory.Invalid("expires_in_hours", "must be from 1 to 720 (30 days).")
		}
	}
	inv, err := s.db.CreateInvite(r.Context(), s.actor(r), r.PathValue("gid"), req.MaxUses, lifetime)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, s.viewInvite(*inv))
}

func (s *Server) invites(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.Invites(r.Context(), s.actor(r), r.PathValue("gid"), p.after, p.limit)
	if err != nil {
		return err
	}
	return writeList(w, mapList(list, s.viewInvite), next)
}

func (s *Server) revokeInvite(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.RevokeInvite(r.Context(), s.actor(r), r.PathValue("gid"), r.PathValue("iid")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type invitePreviewView struct {
	GroupName string    `json:"group_name"`
	InvitedBy string    `json:"invited_by"`
	ExpiresAt time.Time `json:"expires_at"`
}

// previewInvite answers anyone who has the link, signed in or not. Codes are
// unguessable; still, an address that keeps asking for codes that do not
// exist is locked out for a while.
func (s *Server) previewInvite(w http.ResponseWriter, r *http.Request) error {
	rule := []sqldb.ThrottleRule{{Key: "invite:" + s.clientIP(r), Max: s.cfg.InviteLookupsPerIP, Window: 15 * time.Minute, Lock: 15 * time.Minute}}
	if err := s.checkThrottle(r, rule); err != nil {
		return err
	}
	p, err := s.db.PreviewInvite(r.Context(), r.PathValue("code"))
	if wmory.ErrorCode(err) == wmory.ECodeInviteInvalid {
		if cerr := s.db.CountAttempt(r.Context(), rule...); cerr != nil {
			return cerr
		}
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, invitePreviewView{GroupName: p.GroupName, InvitedBy: p.InvitedBy, ExpiresAt: p.ExpiresAt})
}

func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	g, err := s.db.AcceptInvite(r.Context(), s.actor(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewGroup(*g))
}

func (s *Server) groupAudit(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, next, err := s.db.GroupAudit(r.Context(), s.actor(r), r.PathValue("gid"), p.after, p.limit)
	if err != nil {
		return err
	}
	return writeList(w, mapList(list, viewAudit), next)
}
