package http

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// The OpenAPI 3.1 document is generated from the route table and the schemas
// below, so it always lists exactly the routes the server has.

type schema = map[string]any

func obj(required []string, props schema) schema {
	s := schema{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func ref(name string) schema { return schema{"$ref": "#/components/schemas/" + name} }

var (
	str      = schema{"type": "string"}
	boolean  = schema{"type": "boolean"}
	integer  = schema{"type": "integer"}
	dateTime = schema{"type": "string", "format": "date-time"}
	id       = schema{"type": "string", "minLength": 1}
	role     = schema{"type": "string", "enum": []string{"owner", "admin", "member"}}
)

// signedRequest adds what a client needs to send bytes itself to props.
func signedRequest(props schema) schema {
	props["method"] = schema{"type": "string", "enum": []string{"PUT"}}
	props["url"] = schema{"type": "string", "format": "uri"}
	props["headers"] = schema{"type": "object", "additionalProperties": str}
	props["expires_at"] = dateTime
	return props
}

func list(item string) schema {
	return obj([]string{"items"}, schema{"items": schema{"type": "array", "items": ref(item)}, "next_cursor": str})
}

func schemas() schema {
	failureReason := schema{"type": []string{"string", "null"}, "enum": []any{"undecodable", "too_large", "too_long", "timeout",
		"original_missing", "original_changed", "processing_failed", nil}}
	mediaRequired := []string{"id", "group_id", "uploader", "kind", "content_type", "filename", "size", "width", "height", "duration_ms", "taken_at", "taken_at_local", "taken_at_offset", "uploaded_at", "status", "failure_reason", "playback_status", "playback_failure_reason", "like_count", "liked_by_me", "comment_count", "taken_at_source"}
	mediaProps := schema{
		"id": id, "group_id": id, "uploader": obj([]string{"id", "name"}, schema{"id": str, "name": str}),
		"kind": schema{"type": "string", "enum": []string{"photo", "video"}}, "content_type": str, "filename": str, "size": integer,
		"width": schema{"type": []string{"integer", "null"}}, "height": schema{"type": []string{"integer", "null"}}, "duration_ms": schema{"type": []string{"integer", "null"}},
		"taken_at": dateTime, "taken_at_local": schema{"type": "string", "pattern": `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`},
		"taken_at_offset": schema{"type": []string{"string", "null"}, "pattern": `^[+-]\d{2}:\d{2}$`}, "uploaded_at": dateTime, "status": schema{"type": "string", "enum": []string{"processing", "ready", "failed"}},
		"failure_reason": failureReason, "playback_status": schema{"type": "string", "enum": []string{"pending", "ready", "failed", "none"}},
		"playback_failure_reason": failureReason, "playback_url": schema{"type": "string", "format": "uri"},
		"like_count": integer, "liked_by_me": boolean, "comment_count": integer,
		"taken_at_source": schema{"type": "string", "enum": []string{"camera", "upload"}},
		"thumbnail_url":   schema{"type": "string", "format": "uri"}, "preview_url": schema{"type": "string", "format": "uri"}, "original_url": schema{"type": "string", "format": "uri"}}
	trashedProps := schema{"deleted_at": dateTime, "purge_at": dateTime,
		"deleted_by": schema{"oneOf": []schema{{"type": "null"}, obj([]string{"id", "name"}, schema{"id": str, "name": str})}}}
	maps.Copy(trashedProps, mediaProps)
	return schema{
		"Error": obj([]string{"error"}, schema{"error": obj([]string{"code", "message"}, schema{
			"code": schema{"type": "string", "pattern": "^[a-z_]+$"}, "message": str, "request_id": str}),
			"media_id": schema{"type": "string", "description": "with duplicate: the media that already holds the file"},
			"trashed":  schema{"type": "boolean", "description": "with duplicate: the media that holds the file is in the group's trash"},
			"missing":  schema{"type": "array", "items": integer, "description": "with upload_missing, for a resumable upload: the parts the store lacks"}}),
		"Status":         obj([]string{"status"}, schema{"status": str}),
		"StatusResponse": obj([]string{"status"}, schema{"status": str}),
		"User": obj([]string{"id", "email", "name", "email_verified", "is_admin", "created_at"}, schema{
			"id": id, "email": schema{"type": "string", "format": "email"}, "name": str, "email_verified": boolean, "is_admin": boolean, "created_at": dateTime}),
		"Quota": obj([]string{"daily_bytes_limit", "daily_bytes_used", "daily_files_limit", "daily_files_used", "resets_at", "stored_bytes"}, schema{
			"daily_bytes_limit": integer, "daily_bytes_used": integer, "daily_files_limit": integer, "daily_files_used": integer, "resets_at": dateTime,
			"stored_bytes": integer}),
		"Me":                  obj([]string{"user", "quota"}, schema{"user": ref("User"), "quota": ref("Quota")}),
		"RegisterRequest":     obj([]string{"email", "password", "name"}, schema{"email": str, "password": schema{"type": "string", "minLength": 10}, "name": str}),
		"TokenRequest":        obj([]string{"token"}, schema{"token": str}),
		"LoginRequest":        obj([]string{"email", "password"}, schema{"email": str, "password": str}),
		"LoginResponse":       obj([]string{"token", "expires_at", "user"}, schema{"token": str, "expires_at": dateTime, "user": ref("User")}),
		"EmailRequest":        obj([]string{"email"}, schema{"email": str}),
		"ResetConfirmRequest": obj([]string{"token", "password"}, schema{"token": str, "password": str}),
		"UpdateMeRequest":     obj(nil, schema{"name": str, "password": str, "new_password": str}),
		"PasswordRequest":     obj([]string{"password"}, schema{"password": str}),
		"Session": obj([]string{"id", "created_at", "last_seen_at", "expires_at", "ends_at", "user_agent", "ip", "current"}, schema{
			"id": id, "created_at": dateTime, "last_seen_at": dateTime, "expires_at": dateTime, "ends_at": dateTime,
			"user_agent": str, "ip": str, "current": boolean}),
		"SessionList":        list("Session"),
		"CreateGroupRequest": obj([]string{"name"}, schema{"name": str}),
		"UpdateGroupRequest": obj(nil, schema{"name": str, "members_can_invite": boolean, "auto_hide_reports": schema{"type": "integer", "minimum": 0}}),
		"Group": obj([]string{"id", "name", "role", "member_count", "media_count", "members_can_invite", "auto_hide_reports", "created_at", "unseen_count"}, schema{
			"id": id, "name": str, "role": role, "member_count": integer, "media_count": integer,
			"members_can_invite": boolean, "auto_hide_reports": integer, "created_at": dateTime, "cover_url": schema{"type": "string", "format": "uri"},
			"unseen_count": integer}),
		"CommentRequest": obj([]string{"text"}, schema{"text": schema{"type": "string", "minLength": 1, "maxLength": 4096}}),
		"Comment": obj([]string{"id", "media_id", "author", "text", "created_at"}, schema{"id": id, "media_id": id,
			"author": obj([]string{"id", "name"}, schema{"id": str, "name": str}), "text": str, "created_at": dateTime}),
		"CommentList": list("Comment"),
		"AlbumName":   obj([]string{"name"}, schema{"name": str}),
		"AlbumMedia":  obj([]string{"media_ids"}, schema{"media_ids": schema{"type": "array", "items": id, "minItems": 1, "maxItems": 500}}),
		"Album": obj([]string{"id", "group_id", "name", "created_by", "media_count", "created_at"}, schema{"id": id, "group_id": id, "name": str,
			"created_by": schema{"type": []string{"string", "null"}}, "media_count": integer, "cover_url": schema{"type": "string", "format": "uri"}, "created_at": dateTime}),
		"AlbumList":       list("Album"),
		"DownloadRequest": obj(nil, schema{"media_ids": schema{"type": "array", "items": id, "maxItems": 2000}, "album_id": id}),
		"Download":        obj([]string{"url", "expires_at", "count", "bytes"}, schema{"url": schema{"type": "string", "format": "uri"}, "expires_at": dateTime, "count": integer, "bytes": integer}),
		oneClickForm:      obj(nil, schema{"List-Unsubscribe": schema{"type": "string", "const": "One-Click"}}),
		"Notifications":   obj([]string{"email"}, schema{"email": schema{"type": "string", "enum": []string{"batched", "daily", "off"}}}),
		"Activity": obj([]string{"id", "at", "type", "actor", "count", "media_ids"}, schema{"id": id, "at": dateTime,
			"type":  schema{"type": "string", "enum": []string{"uploaded", "joined", "left", "commented", "album_created"}},
			"actor": schema{"oneOf": []schema{{"type": "null"}, obj([]string{"id", "name"}, schema{"id": str, "name": str})}},
			"count": integer, "media_ids": schema{"type": "array", "items": id}, "comment_id": id, "album_id": id}),
		"ActivityList":      list("Activity"),
		"GroupList":         list("Group"),
		"Member":            obj([]string{"user_id", "name", "role", "joined_at"}, schema{"user_id": id, "name": str, "role": role, "joined_at": dateTime}),
		"MemberList":        list("Member"),
		"ChangeRoleRequest": obj([]string{"role"}, schema{"role": schema{"type": "string", "enum": []string{"admin", "member"}}}),
		"TransferRequest":   obj([]string{"user_id"}, schema{"user_id": id}),
		"CreateInviteRequest": obj(nil, schema{
			"max_uses":         schema{"type": []string{"integer", "null"}, "minimum": 1, "maximum": 10000},
			"expires_in_hours": schema{"type": "integer", "minimum": 1, "maximum": 720}}),
		"Invite": obj([]string{"id", "code", "url", "max_uses", "uses", "expires_at", "created_by", "revoked"}, schema{
			"id": id, "code": str, "url": schema{"type": "string", "format": "uri"}, "max_uses": schema{"type": []string{"integer", "null"}},
			"uses": integer, "expires_at": dateTime, "created_by": schema{"type": []string{"string", "null"}}, "revoked": boolean}),
		"InviteList":    list("Invite"),
		"InvitePreview": obj([]string{"group_name", "invited_by", "expires_at"}, schema{"group_name": str, "invited_by": str, "expires_at": dateTime}),
		"AuditEntry": obj([]string{"id", "at", "actor", "action", "target_type", "target_id", "ip", "details"}, schema{
			"id": id, "at": dateTime,
			"actor":    schema{"oneOf": []schema{{"type": "null"}, obj([]string{"id", "name"}, schema{"id": str, "name": str})}},
			"group_id": str, "action": str, "target_type": str, "target_id": str, "ip": str, "details": schema{"type": "object", "additionalProperties": true}}),
		"AuditList": list("AuditEntry"),
		"UploadRequest": obj([]string{"filename", "content_type", "size"}, schema{"filename": str, "content_type": str,
			"size": schema{"type": "integer", "minimum": 1}, "sha256": schema{"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}, "resumable": boolean,
			"time_zone": schema{"type": "string", "description": "the uploader's IANA time zone: a camera clock without an offset is read in it"}}),
		"Upload":          schema{"oneOf": []schema{ref("SingleUpload"), ref("ResumableUpload")}},
		"SingleUpload":    obj([]string{"upload_id", "method", "url", "headers", "expires_at"}, signedRequest(schema{"upload_id": id})),
		"ResumableUpload": obj([]string{"upload_id", "resumable", "part_size", "part_count", "expires_at"}, schema{"upload_id": id, "resumable": schema{"const": true}, "part_size": integer, "part_count": integer, "expires_at": dateTime}),
		"PartsRequest":    obj([]string{"numbers"}, schema{"numbers": schema{"type": "array", "minItems": 1, "maxItems": 100, "items": schema{"type": "integer", "minimum": 1}}}),
		"Parts": obj([]string{"parts"}, schema{"parts": schema{"type": "array", "items": obj([]string{"number", "method", "url", "headers", "expires_at"},
			signedRequest(schema{"number": integer}))}}),
		"UploadProgress": obj([]string{"upload_id", "status", "filename", "size", "resumable", "part_size", "part_count", "parts_done", "expires_at"}, schema{
			"upload_id": id, "status": schema{"type": "string", "enum": []string{"pending", "completed", "rejected", "expired", "abandoned"}},
			"filename": str, "size": integer, "resumable": boolean, "part_size": integer, "part_count": integer, "expires_at": dateTime,
			"media_id": id, "parts_done": schema{"type": "array", "items": obj([]string{"number", "size"}, schema{"number": integer, "size": integer})}}),
		"Media":        obj(mediaRequired, mediaProps),
		"TrashedMedia": obj(append(mediaRequired[:len(mediaRequired):len(mediaRequired)], "deleted_at", "deleted_by", "purge_at"), trashedProps),
		"TrashList":    list("TrashedMedia"),
		"MediaList":    list("Media"),
		"Month":        obj([]string{"month", "count"}, schema{"month": schema{"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}, "count": integer}),
		"MonthList":    list("Month"),
		"ReportRequest": obj([]string{"reason"}, schema{"reason": schema{"type": "string", "enum": []string{"spam", "nudity", "violence", "harassment", "copyright", "depicts_me", "wrong_group", "other"}},
			"details": schema{"type": "string", "maxLength": 2000}}),
		"ResolveRequest": obj([]string{"action"}, schema{"action": schema{"type": "string", "enum": []string{"remove_media", "dismiss", "remove_uploader"}}}),
		"Report": obj([]string{"id", "media_id", "comment_id", "group_id", "reporter_id", "reason", "details", "status", "action", "created_at", "resolved_at", "resolved_by"}, schema{
			"id": id, "media_id": id, "comment_id": schema{"type": []string{"string", "null"}}, "group_id": id, "reporter_id": schema{"type": []string{"string", "null"}}, "reason": str, "details": str,
			"status": schema{"type": "string", "enum": []string{"open", "resolved"}}, "action": schema{"type": []string{"string", "null"}},
			"escalated": boolean, "created_at": dateTime, "resolved_at": schema{"type": []string{"string", "null"}, "format": "date-time"},
			"resolved_by": schema{"type": []string{"string", "null"}}}),
		"ReportList": list("Report"),
		"AdminUser": obj([]string{"id", "email", "name", "email_verified", "suspended", "is_admin", "created_at", "daily_bytes_used", "stored_bytes", "rendition_bytes"}, schema{"id": id, "email": str, "name": str,
			"email_verified": boolean, "suspended": boolean, "is_admin": boolean, "created_at": dateTime, "daily_bytes_used": integer, "stored_bytes": integer,
			"rendition_bytes": integer}),
		"AdminUserList": list("AdminUser"),
		"Limits": obj(nil, schema{"daily_bytes_limit": schema{"type": []string{"integer", "null"}, "minimum": 0}, "daily_files_limit": schema{"type": []string{"integer", "null"}, "minimum": 0},
			"max_photo_bytes": schema{"type": []string{"integer", "null"}, "minimum": 0}, "max_video_bytes": schema{"type": []string{"integer", "null"}, "minimum": 0}}),
	}
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// filters are the query parameters that narrow a route's list.
func filters(route string) []schema {
	switch route {
	case "GET /api/v1/groups/{gid}/media":
		return []schema{
			{"name": "uploader", "in": "query", "schema": str, "description": "only the items this member added"},
			{"name": "kind", "in": "query", "schema": schema{"type": "string", "enum": []string{"photo", "video"}}},
			{"name": "since", "in": "query", "schema": dateTime, "description": "only items taken at or after this time"},
			{"name": "until", "in": "query", "schema": dateTime, "description": "only items taken before this time"},
			{"name": "ids", "in": "query", "schema": str, "description": "only these items (ids separated by commas, at most 100): a client's look at the items it shows as processing"},
		}
	case "GET /api/v1/admin/audit":
		return []schema{
			{"name": "actor", "in": "query", "schema": str},
			{"name": "group", "in": "query", "schema": str},
			{"name": "action", "in": "query", "schema": str},
			{"name": "since", "in": "query", "schema": dateTime},
			{"name": "until", "in": "query", "schema": dateTime},
		}
	}
	return nil
}

// OpenAPI returns the document describing every route.
func (s *Server) OpenAPI() map[string]any {
	paths := schema{}
	for _, rt := range s.routes {
		op := schema{
			"operationId": operationID(rt),
			"summary":     rt.summary,
			"tags":        []string{tag(rt.path)},
		}
		if rt.access == public {
			op["security"] = []schema{}
		}
		var params []schema
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, schema{"name": m[1], "in": "path", "required": true, "schema": str})
		}
		if rt.list {
			params = append(params,
				schema{"name": "cursor", "in": "query", "schema": str, "description": "next_cursor of the previous page"},
				schema{"name": "limit", "in": "query", "schema": schema{"type": "integer", "minimum": 1, "maximum": 200, "default": 50}})
		}
		params = append(params, filters(rt.method+" "+rt.path)...)
		if params != nil {
			op["parameters"] = params
		}
		if rt.request == oneClickForm {
			op["requestBody"] = schema{"required": false, "content": schema{"application/x-www-form-urlencoded": schema{"schema": ref(rt.request)}}}
		} else if rt.request != "" {
			op["requestBody"] = schema{"required": rt.request != "CreateInviteRequest" && rt.request != "UpdateGroupRequest",
				"content": schema{"application/json": schema{"schema": ref(rt.request)}}}
		}
		ok := schema{"description": http.StatusText(rt.status)}
		switch {
		case rt.resp == zipBody:
			ok["content"] = schema{"application/zip": schema{"schema": schema{"type": "string", "format": "binary"}}}
		case rt.resp != "":
			ok["content"] = schema{"application/json": schema{"schema": ref(rt.resp)}}
		case rt.path == "/api/openapi.json":
			ok["content"] = schema{"application/json": schema{"schema": schema{"type": "object"}}}
		}
		op["responses"] = schema{
			strconv.Itoa(rt.status): ok,
			"default": schema{"description": "An error; see the code.",
				"content": schema{"application/json": schema{"schema": ref("Error")}}},
		}
		item, _ := paths[rt.path].(schema)
		if item == nil {
			item = schema{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": schema{"title": "wmory API", "version": "1",
			"description": "Private group galleries. Errors are {\"error\": {\"code\", \"message\"}}; lists are {\"items\", \"next_cursor\"}."},
		"servers": []schema{{"url": s.link("", nil)}},
		"paths":   paths,
		"components": schema{
			"schemas": schemas(),
			"securitySchemes": schema{
				"bearer":  schema{"type": "http", "scheme": "bearer"},
				"session": schema{"type": "apiKey", "in": "cookie", "name": s.cookieName()},
			},
		},
		"security": []schema{{"bearer": []string{}}, {"session": []string{}}},
	}
}

func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, part := range strings.FieldsFunc(rt.path, func(r rune) bool { return r == '/' || r == '-' || r == '.' }) {
		if part == "api" || part == "v1" {
			continue
		}
		part = strings.Trim(part, "{}")
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func tag(path string) string {
	switch {
	case strings.HasPrefix(path, "/api/v1/auth"), strings.HasPrefix(path, "/api/v1/me"):
		return "accounts"
	case strings.HasPrefix(path, "/api/v1/admin"):
		return "administration"
	case strings.HasSuffix(path, "/reports"), strings.HasPrefix(path, "/api/v1/reports"):
		return "moderation"
	case strings.HasSuffix(path, "/uploads"), strings.HasSuffix(path, "/media"), strings.HasPrefix(path, "/api/v1/media"), strings.HasPrefix(path, "/api/v1/uploads"):
		return "media"
	case strings.HasPrefix(path, "/api/v1/groups"), strings.HasPrefix(path, "/api/v1/invites"):
		return "groups"
	}
	return "operations"
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	return json.NewEncoder(w).Encode(s.OpenAPI())
}
