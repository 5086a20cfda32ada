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
	Action     string
	TargetType string
	TargetID   string
	IP         string
	UserAgent  string
	RequestID  string
	Details    map[string]any
}

// Audit actions, named after the OWASP logging vocabulary where it has a name.
const (
	AuditRegister          = "user_register"
	AuditRegisterExisting  = "user_register_existing"
	AuditEmailVerify       = "email_verify"
	AuditLoginSuccess      = "authn_login_success"
	AuditLoginFail         = "authn_login_fail"
	AuditLoginLock         = "authn_login_lock"
	AuditLogout            = "session_logout"
	AuditSessionRevoke     = "session_revoke"
	AuditPasswordChange    = "authn_password_change"
	AuditPasswordResetAsk  = "password_reset_request"
	AuditPasswordReset     = "password_reset_complete"
	AuditPasswordResetFail = "password_reset_fail"
	AuditUserUpdate        = "user_update"
	AuditUserDelete        = "user_delete"
	AuditGroupCreate       = "group_create"
	AuditGroupUpdate       = "group_update"
	AuditGroupDelete       = "group_delete"
	AuditGroupTransfer     = "group_transfer"
	AuditInviteCreate      = "invite_create"
	AuditInviteRevoke      = "invite_revoke"
	AuditInviteAccept      = "invite_accept"
	AuditMemberRoleChange  = "member_role_change"
	AuditMemberRemove      = "member_remove"
	AuditMemberLeave       = "member_leave"
	AuditAuthzFail         = "authz_fail"
	DeletedUserName        = "deleted user"
	AuditTargetUser        = "user"
	AuditTargetGroup       = "group"
	AuditTargetInvite      = "invite"
	AuditTargetSession     = "session"
)
