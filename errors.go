// Package wmory holds the domain of the wmory gallery: its types, its errors and
// its permission rules. Implementations live in internal/ packages named after
// what they wrap (sqldb, http, mail, password).
package wmory

import (
	"errors"
	"fmt"
)

// Error codes are part of the HTTP contract (../shared/API.md): clients switch on
// them, so they never change once published.
const (
	ECodeInvalidRequest     = "invalid_request"
	ECodeUnauthenticated    = "unauthenticated"
	ECodeForbidden          = "forbidden"
	ECodeNotFound           = "not_found"
	ECodeConflict           = "conflict"
	ECodeRateLimited        = "rate_limited"
	ECodeInternal           = "internal"
	ECodeUnavailable        = "unavailable"
	ECodeInvalidCredentials = "invalid_credentials"
	// ECodeWrongPassword refuses a signed-in caller whose current password is
	// wrong: not 401, which clients take as "signed out".
	ECodeWrongPassword     = "wrong_password"
	ECodeEmailNotVerified  = "email_not_verified"
	ECodeAccountSuspended  = "account_suspended"
	ECodeWeakPassword      = "weak_password"
	ECodeInvalidToken      = "invalid_token"
	ECodeInviteInvalid     = "invite_invalid"
	ECodeOwnerMustTransfer = "owner_must_transfer"
	ECodeRequestTooLarge   = "request_too_large"
	ECodeUnsupportedMedia  = "unsupported_media_type"
	ECodeMethodNotAllowed  = "method_not_allowed"
)

// Error is the one error type that crosses package boundaries with meaning.
// Anything else reaching the HTTP layer is an internal error and is not shown.
type Error struct {
	Code    string
	Message string
	// RetryAfterSeconds is set with ECodeRateLimited.
	RetryAfterSeconds int
	// Extra fields for the error body, beside "error" (such as media_id of a
	// duplicate).
	Extra map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds a domain error with a formatted, user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of a domain error, or ECodeInternal for anything else.
func ErrorCode(err error) string {
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
