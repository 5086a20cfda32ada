package http

import "net/http"

// route is one endpoint of the API: the handler, who may call it, and what it
// takes and gives. The OpenAPI document is generated from this table and the
// authorization tests iterate it, so a route cannot exist undocumented or
// without an access policy.
type route struct {
	method  string
	path    string
	access  access
	summary string
	request string // schema name of the JSON body, "" for none
	status  int    // success status
	resp    string // schema name of the success body, "" for none
	list    bool   // takes cursor and limit
	handle  func(s *Server, w http.ResponseWriter, r *http.Request) error
}

// access is a route's policy before any group rule applies.
type access int

const (
	public   access = iota // no credentials needed
	signedIn               // a live session of a verified, unsuspended account
	admin                  // an instance administrator; everyone else gets 404
)

// routes lists every endpoint; this is where a request enters wmory.
func routes() []route {
	return []route{
		{"GET", "/healthz", public, "Process is alive", "", 200, "Status", false, (*Server).healthz},
		{"GET", "/readyz", public, "Database reachable", "", 200, "Status", false, (*Server).readyz},
		{"GET", "/api/openapi.json", public, "This API's OpenAPI 3.1 document", "", 200, "", false, (*Server).openAPI},
		{"POST", "/events/s3", public, "S3 event notifications from the store (authenticated by WMORY_S3_EVENT_SECRET): uploads whose bytes arrived complete", "", 204, "", false, (*Server).storeEvents},

		{"POST", "/api/v1/auth/register", public, "Create an account and send a verification e-mail", "RegisterRequest", 202, "StatusResponse", false, (*Server).register},
		{"POST", "/api/v1/auth/verify-email", public, "Confirm an e-mail address with the token from the e-mail", "TokenRequest", 200, "User", false, (*Server).verifyEmail},
		{"POST", "/api/v1/auth/login", public, "Sign in; returns a bearer token and sets the session cookie", "LoginRequest", 200, "LoginResponse", false, (*Server).login},
		{"POST", "/api/v1/auth/logout", signedIn, "Sign out the current session", "", 204, "", false, (*Server).logout},
		{"POST", "/api/v1/auth/password-reset", public, "Send a password reset e-mail", "EmailRequest", 202, "StatusResponse", false, (*Server).passwordReset},
		{"POST", "/api/v1/auth/password-reset/confirm", public, "Set a new password with the token from the e-mail", "ResetConfirmRequest", 204, "", false, (*Server).passwordResetConfirm},

		{"GET", "/api/v1/me", signedIn, "The caller's account and daily quota", "", 200, "Me", false, (*Server).me},
		{"PATCH", "/api/v1/me", signedIn, "Change name or password", "UpdateMeRequest", 200, "User", false, (*Server).updateMe},
		{"DELETE", "/api/v1/me", signedIn, "Delete the account", "PasswordRequest", 204, "", false, (*Server).deleteMe},
		{"GET", "/api/v1/me/sessions", signedIn, "The caller's sessions", "", 200, "SessionList", true, (*Server).sessions},
		{"DELETE", "/api/v1/me/sessions/{id}", signedIn, "Revoke one of the caller's sessions", "", 204, "", false, (*Server).revokeSession},

		{"POST", "/api/v1/groups", signedIn, "Create a group; the caller becomes its owner", "CreateGroupRequest", 201, "Group", false, (*Server).createGroup},
		{"GET", "/api/v1/groups", signedIn, "The caller's groups", "", 200, "GroupList", true, (*Server).groups},
		{"GET", "/api/v1/groups/{gid}", signedIn, "One group", "", 200, "Group", false, (*Server).group},
		{"PATCH", "/api/v1/groups/{gid}", signedIn, "Rename a group or change its settings", "UpdateGroupRequest", 200, "Group", false, (*Server).updateGroup},
		{"DELETE", "/api/v1/groups/{gid}", signedIn, "Delete a group", "", 204, "", false, (*Server).deleteGroup},
		{"GET", "/api/v1/groups/{gid}/members", signedIn, "A group's members", "", 200, "MemberList", true, (*Server).members},
		{"PATCH", "/api/v1/groups/{gid}/members/{uid}", signedIn, "Change a member's role", "ChangeRoleRequest", 200, "Member", false, (*Server).changeRole},
		{"DELETE", "/api/v1/groups/{gid}/members/{uid}", signedIn, "Remove a member, or leave (uid = me; ?media=trash moves what one uploaded to the trash, keep is the default)", "", 204, "", false, (*Server).removeMember},
		{"POST", "/api/v1/groups/{gid}/transfer", signedIn, "Transfer ownership", "TransferRequest", 200, "Group", false, (*Server).transfer},
		{"POST", "/api/v1/groups/{gid}/invites", signedIn, "Create an invite link", "CreateInviteRequest", 201, "Invite", false, (*Server).createInvite},
		{"GET", "/api/v1/groups/{gid}/invites", signedIn, "A group's invites", "", 200, "InviteList", true, (*Server).invites},
		{"DELETE", "/api/v1/groups/{gid}/invites/{iid}", signedIn, "Revoke an invite", "", 204, "", false, (*Server).revokeInvite},
		{"GET", "/api/v1/groups/{gid}/audit", signedIn, "A group's audit log, newest first", "", 200, "AuditList", true, (*Server).groupAudit},
		{"POST", "/api/v1/groups/{gid}/uploads", signedIn, "Authorize an upload; returns a signed URL to send the file to, or for a resumable upload its parts", "UploadRequest", 201, "Upload", false, (*Server).authorizeUpload},
		{"POST", "/api/v1/groups/{gid}/albums", signedIn, "Make an album in the group (members)", "AlbumName", 201, "Album", false, (*Server).createAlbum},
		{"GET", "/api/v1/groups/{gid}/albums", signedIn, "The group's albums, newest first", "", 200, "AlbumList", true, (*Server).albums},
		{"PATCH", "/api/v1/albums/{aid}", signedIn, "Rename an album (its creator; owner, admin)", "AlbumName", 200, "Album", false, (*Server).renameAlbum},
		{"DELETE", "/api/v1/albums/{aid}", signedIn, "Delete an album (its creator; owner, admin); its items stay in the group", "", 204, "", false, (*Server).deleteAlbum},
		{"POST", "/api/v1/albums/{aid}/media", signedIn, "Add up to 500 of the group's items to an album, by reference (no bytes copied, no quota used)", "AlbumMedia", 200, "Album", false, (*Server).addToAlbum},
		{"DELETE", "/api/v1/albums/{aid}/media", signedIn, "Take up to 500 items out of an album (they stay in the group)", "AlbumMedia", 200, "Album", false, (*Server).takeFromAlbum},
		{"POST", "/api/v1/groups/{gid}/downloads", signedIn, "A signed link (1 h) to a ZIP of a selection of the group's items, an album, or (neither) the whole group", "DownloadRequest", 201, "Download", false, (*Server).createDownload},
		{"GET", "/api/v1/downloads/{token}", public, "The ZIP a download's link names, streamed as it is written (the link is the credential, for its hour)", "", 200, zipBody, false, (*Server).download},
		{"GET", "/api/v1/me/export", signedIn, "A ZIP of every original the caller uploaded (by group and day) and wmory-export.json (account, groups, items, comments), streamed", "", 200, zipBody, false, (*Server).export},
		{"GET", "/api/v1/groups/{gid}/activity", signedIn, "The group's activity, newest first: uploads by batch, joins, departures, comments", "", 200, "ActivityList", true, (*Server).activity},
		{"POST", "/api/v1/groups/{gid}/seen", signedIn, "Mark everything in the group so far as seen by the caller (its unseen_count starts again from 0)", "", 204, "", false, (*Server).markSeen},
		{"GET", "/api/v1/media/{mid}/comments", signedIn, "An item's comments, oldest first", "", 200, "CommentList", true, (*Server).comments},
		{"POST", "/api/v1/media/{mid}/comments", signedIn, "Comment on an item (plain text, 1 to 1024 characters; 30 per member per 10 minutes)", "CommentRequest", 201, "Comment", false, (*Server).addComment},
		{"POST", "/api/v1/comments/{cid}/reports", signedIn, "Report a comment into the group's report queue (remove_media then removes the comment)", "ReportRequest", 201, "Report", false, (*Server).createCommentReport},
		{"DELETE", "/api/v1/comments/{cid}", signedIn, "Delete a comment: its author, or the group's owner and admins", "", 204, "", false, (*Server).deleteComment},
		{"GET", "/api/v1/groups/{gid}/notifications", signedIn, "How the caller hears about the group by e-mail (batched by default)", "", 200, "Notifications", false, (*Server).notifications},
		{"PUT", "/api/v1/groups/{gid}/notifications", signedIn, "Choose how to hear about the group by e-mail: a message per batch, a daily digest, or none", "Notifications", 200, "Notifications", false, (*Server).setNotifications},
		{"POST", "/api/v1/unsubscribe", public, "One-click unsubscribe (RFC 8058) with the token of an e-mail's List-Unsubscribe link (?token=): turns that member's e-mail about that group off, without a session", oneClickForm, 200, "Notifications", false, (*Server).unsubscribe},
		{"PUT", "/api/v1/media/{mid}/like", signedIn, "Like an item (once per member; again changes nothing)", "", 204, "", false, (*Server).like},
		{"DELETE", "/api/v1/media/{mid}/like", signedIn, "Withdraw a like (none changes nothing)", "", 204, "", false, (*Server).unlike},
		{"POST", "/api/v1/uploads/{upload_id}/parts", signedIn, "Sign the URLs of parts of a resumable upload, each for exactly its part's length", "PartsRequest", 200, "Parts", false, (*Server).signParts},
		{"GET", "/api/v1/uploads/{upload_id}", signedIn, "An upload and, for a resumable one, the parts the store already holds", "", 200, "UploadProgress", false, (*Server).uploadProgress},
		{"POST", "/api/v1/uploads/{upload_id}/complete", signedIn, "Verify the stored file (assembling a resumable upload's parts first) and record the media", "", 201, "Media", false, (*Server).completeUpload},
		{"DELETE", "/api/v1/uploads/{upload_id}", signedIn, "Abandon a pending upload: its quota is released at once and nothing it stored stays", "", 204, "", false, (*Server).abandonUpload},
		{"GET", "/api/v1/groups/{gid}/media", signedIn, "A group's gallery, newest first", "", 200, "MediaList", true, (*Server).gallery},
		{"GET", "/api/v1/groups/{gid}/media/months", signedIn, "How many items each month holds (as the cameras' calendars had it), newest first: to jump to a month of a long gallery with ?until=", "", 200, "MonthList", false, (*Server).galleryMonths},
		{"GET", "/api/v1/media/{mid}", signedIn, "One media item with a signed URL of the original", "", 200, "Media", false, (*Server).getMedia},
		{"DELETE", "/api/v1/media/{mid}", signedIn, "Move an item to the group's trash (its uploader; owner, admin): out of every member's sight, restorable until it is purged", "", 204, "", false, (*Server).trashMedia},
		{"POST", "/api/v1/media/{mid}/restore", signedIn, "Take an item out of the trash (its uploader while a member; owner, admin)", "", 200, "Media", false, (*Server).restoreMedia},
		{"DELETE", "/api/v1/media/{mid}/permanent", signedIn, "Delete an item for good now, in the trash or not (its uploader; owner, admin)", "", 204, "", false, (*Server).purgeMedia},
		{"GET", "/api/v1/groups/{gid}/trash", signedIn, "The group's trash, most recently trashed first: everything for owners and admins, one's own items for members", "", 200, "TrashList", true, (*Server).trash},
		{"POST", "/api/v1/media/{mid}/reports", signedIn, "Report a media item to the group's moderators", "ReportRequest", 201, "Report", false, (*Server).createReport},
		{"GET", "/api/v1/groups/{gid}/reports", signedIn, "A group's reports: all for owners and admins, one's own for members", "", 200, "ReportList", true, (*Server).groupReports},
		{"POST", "/api/v1/reports/{rid}/resolve", signedIn, "Resolve every open report on the item", "ResolveRequest", 200, "Report", false, (*Server).resolveReport},
		{"POST", "/api/v1/reports/{rid}/escalate", signedIn, "Hand a report to the instance admins", "", 200, "Report", false, (*Server).escalateReport},
		{"GET", "/api/v1/admin/users", admin, "Search accounts (?q= matches e-mail or name)", "", 200, "AdminUserList", true, (*Server).adminUsers},
		{"POST", "/api/v1/admin/users/{uid}/suspend", admin, "Suspend an account and end all its sessions", "", 200, "AdminUser", false, setSuspended(true)},
		{"POST", "/api/v1/admin/users/{uid}/reinstate", admin, "Reinstate a suspended account", "", 200, "AdminUser", false, setSuspended(false)},
		{"PATCH", "/api/v1/admin/users/{uid}/limits", admin, "Override a user's quota and size limits (null: instance default)", "Limits", 200, "Limits", false, (*Server).adminLimits},
		{"GET", "/api/v1/admin/reports", admin, "Escalated reports, and reports in groups whose owner is suspended", "", 200, "ReportList", true, (*Server).adminReports},
		{"GET", "/api/v1/admin/audit", admin, "Search the audit log (?actor=&group=&action=&since=&until=)", "", 200, "AuditList", true, (*Server).adminAudit},
		{"GET", "/api/v1/invites/{code}", public, "Preview an invite (also signed out, so a dead link says so before sign-up); failed lookups are rate-limited per client address", "", 200, "InvitePreview", false, (*Server).previewInvite},
		{"POST", "/api/v1/invites/{code}/accept", signedIn, "Join a group through an invite", "", 200, "Group", false, (*Server).acceptInvite},
	}
}
