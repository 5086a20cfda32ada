package wmory

import "time"

// Actor is who does something and from where; every audited change carries one.
type Actor struct {
	UserID    string
	SessionID string
	IP        string
	UserAgent string
	RequestID string
}

// AuditEntry is one security-relevant event. Details never hold secrets.
type AuditEntry struct {
	ID         string
	At         time.Time
	ActorID    string
	ActorName  string
	GroupID    string
	Action     AuditAction
	TargetType AuditTarget
	TargetID   string
	IP         string
	UserAgent  string
	RequestID  string
	Details    map[string]any
}

// AuditAction names what an audit entry records, after the OWASP logging
// vocabulary where it has a name. Every action is declared here: group
// owners and instance administrators search by them.
type AuditAction string

const (
	AuditRegister          AuditAction = "user_register"
	AuditRegisterExisting  AuditAction = "user_register_existing"
	AuditEmailVerify       AuditAction = "email_verify"
	AuditLoginSuccess      AuditAction = "authn_login_success"
	AuditLoginFail         AuditAction = "authn_login_fail"
	AuditLoginLock         AuditAction = "authn_login_lock"
	AuditLogout            AuditAction = "session_logout"
	AuditSessionRevoke     AuditAction = "session_revoke"
	AuditPasswordChange    AuditAction = "authn_password_change"
	AuditPasswordResetAsk  AuditAction = "password_reset_request"
	AuditPasswordReset     AuditAction = "password_reset_complete"
	AuditPasswordResetFail AuditAction = "password_reset_fail"
	AuditUserUpdate        AuditAction = "user_update"
	AuditUserDelete        AuditAction = "user_delete"
	AuditUserSuspend       AuditAction = "user_suspend"
	AuditUserReinstate     AuditAction = "user_reinstate"
	AuditAdminUserCreate   AuditAction = "admin_user_create"
	AuditAdminPromote      AuditAction = "admin_promote" // details say whether it was made or unmade
	AuditAdminLimits       AuditAction = "admin_limits"
	AuditGroupCreate       AuditAction = "group_create"
	AuditGroupUpdate       AuditAction = "group_update"
	AuditGroupDelete       AuditAction = "group_delete"
	AuditGroupTransfer     AuditAction = "group_transfer"
	AuditInviteCreate      AuditAction = "invite_create"
	AuditInviteRevoke      AuditAction = "invite_revoke"
	AuditInviteAccept      AuditAction = "invite_accept"
	AuditMemberRoleChange  AuditAction = "member_role_change"
	AuditMemberRemove      AuditAction = "member_remove"
	AuditMemberLeave       AuditAction = "member_leave"
	AuditAuthzFail         AuditAction = "authz_fail"
	AuditUploadAuthorize   AuditAction = "upload_authorize"
	AuditUploadComplete    AuditAction = "upload_complete"
	AuditUploadRejected    AuditAction = "upload_validation_failed"
	AuditUploadAbandon     AuditAction = "upload_abandon"
	AuditMediaDelete       AuditAction = "media_delete"
	AuditMediaTrash        AuditAction = "media_trash"
	AuditMediaRestore      AuditAction = "media_restore"
	AuditMediaFailed       AuditAction = "media_processing_failed"
	AuditReportCreate      AuditAction = "report_create"
	AuditReportResolve     AuditAction = "report_resolve"
	AuditReportEscalate    AuditAction = "report_escalate"
	AuditAlbumCreate       AuditAction = "album_create"
	AuditAlbumRename       AuditAction = "album_rename"
	AuditAlbumDelete       AuditAction = "album_delete"
	AuditAlbumChange       AuditAction = "album_change"
	AuditCommentCreate     AuditAction = "comment_create"
	AuditCommentDelete     AuditAction = "comment_delete"
)

// AuditTarget is the kind of thing an audit entry is about.
type AuditTarget string

const (
	AuditTargetUser    AuditTarget = "user"
	AuditTargetGroup   AuditTarget = "group"
	AuditTargetInvite  AuditTarget = "invite"
	AuditTargetSession AuditTarget = "session"
	AuditTargetUpload  AuditTarget = "upload"
	AuditTargetMedia   AuditTarget = "media"
	AuditTargetReport  AuditTarget = "report"
	AuditTargetComment AuditTarget = "comment"
	AuditTargetAlbum   AuditTarget = "album"
)

// DeletedUserName stands for an actor whose account is gone.
const DeletedUserName = "deleted user"
