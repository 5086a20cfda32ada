// Package wmory holds the domain of the wmory gallery: its types, its errors and
// its permission rules. Implementations live in internal/ packages named after
// what they wrap (sqldb, http, mail, password).
package wmory

import (
	"errors"
	"fmt"
)

// Code names what went wrong. Codes are part of the HTTP API: clients switch
// on them, so they never change once published. Every code is declared here,
// and each has its HTTP status in internal/http (a test holds the two together).
type Code string

const (
	ECodeInvalidRequest     Code = "invalid_request"
	ECodeUnauthenticated    Code = "unauthenticated"
	ECodeForbidden          Code = "forbidden"
	ECodeNotFound           Code = "not_found"
	ECodeConflict           Code = "conflict"
	ECodeRateLimited        Code = "rate_limited"
	ECodeInternal           Code = "internal"
	ECodeUnavailable        Code = "unavailable"
	ECodeInvalidCredentials Code = "invalid_credentials"
	// ECodeWrongPassword refuses a signed-in caller whose current password is
	// wrong: not 401, which clients take as "signed out".
	ECodeWrongPassword     Code = "wrong_password"
	ECodeEmailNotVerified  Code = "email_not_verified"
	ECodeAccountSuspended  Code = "account_suspended"
	ECodeWeakPassword      Code = "weak_password"
	ECodeInvalidToken      Code = "invalid_token"
	ECodeInviteInvalid     Code = "invite_invalid"
	ECodeOwnerMustTransfer Code = "owner_must_transfer"
	ECodeRequestTooLarge   Code = "request_too_large"
	ECodeUnsupportedMedia  Code = "unsupported_media_type"
	ECodeMethodNotAllowed  Code = "method_not_allowed"
	ECodeAlreadyReported   Code = "already_reported"

	// The media flow.
	ECodeFileTooLarge       Code = "file_too_large"
	ECodeQuotaExceeded      Code = "quota_exceeded"
	ECodeDuplicate          Code = "duplicate"
	ECodeUploadMissing      Code = "upload_missing"
	ECodeUploadRejected     Code = "upload_rejected"
	ECodeUploadExpired      Code = "upload_expired"
	ECodeStorageUnavailable Code = "storage_unavailable"
)

// Codes lists every code, for the checks that each has its place (its HTTP
// status, its documentation).
func Codes() []Code {
	return []Code{ECodeInvalidRequest, ECodeUnauthenticated, ECodeForbidden, ECodeNotFound, ECodeConflict, ECodeRateLimited,
		ECodeInternal, ECodeUnavailable, ECodeInvalidCredentials, ECodeWrongPassword, ECodeEmailNotVerified, ECodeAccountSuspended,
		ECodeWeakPassword, ECodeInvalidToken, ECodeInviteInvalid, ECodeOwnerMustTransfer, ECodeRequestTooLarge, ECodeUnsupportedMedia,
		ECodeMethodNotAllowed, ECodeAlreadyReported, ECodeFileTooLarge, ECodeQuotaExceeded, ECodeDuplicate, ECodeUploadMissing,
		ECodeUploadRejected, ECodeUploadExpired, ECodeStorageUnavailable}
}

// Error is the one error type that crosses package boundaries with meaning.
// Anything else reaching the HTTP layer is an internal error and is not shown.
type Error struct {
	Code    Code
	Message string
	// RetryAfterSeconds is set with ECodeRateLimited.
	RetryAfterSeconds int
	// Extra fields for the error body, beside "error" (such as media_id of a
	// duplicate).
	Extra map[string]any
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf builds a domain error with a formatted, user-facing message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of a domain error, or ECodeInternal for anything else.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return ECodeInternal
}

// ErrorMessage returns the user-facing message of a domain error; internal errors
// get a generic sentence so that nothing about the implementation leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}

// NotFound is the answer for anything the caller may not know exists.
func NotFound(what string) *Error { return Errorf(ECodeNotFound, "%s not found.", what) }

// Invalid reports a bad request field; the message names the field.
func Invalid(field, problem string) *Error {
	return Errorf(ECodeInvalidRequest, "%s: %s", field, problem)
}
