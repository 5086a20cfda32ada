package http

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wmory/wmory"
)

var (
	errUnauthenticated  = wmory.Errorf(wmory.ECodeUnauthenticated, "Sign in to continue.")
	errCrossOrigin      = wmory.Errorf(wmory.ECodeForbidden, "Cross-origin requests that change state are refused.")
	errNoRoute          = wmory.Errorf(wmory.ECodeNotFound, "No such endpoint.")
	errMethodNotAllowed = wmory.Errorf(wmory.ECodeMethodNotAllowed, "This endpoint does not take that method.")
	errTooLarge         = wmory.Errorf(wmory.ECodeRequestTooLarge, "The request body is larger than 64 KiB.")
	errDatabaseDown     = &wmory.Error{Code: wmory.ECodeUnavailable, Message: "The database is unavailable.", RetryAfterSeconds: 5}
)

// statusOf is the one mapping from error codes to HTTP statuses. A code it
// does not know is a 500 (and fails TestEveryCodeHasAStatus).
func statusOf(code wmory.Code) (status int, known bool) {
	switch code {
	case wmory.ECodeInvalidRequest, wmory.ECodeWeakPassword, wmory.ECodeInvalidToken:
		return http.StatusBadRequest, true
	case wmory.ECodeUnauthenticated, wmory.ECodeInvalidCredentials:
		return http.StatusUnauthorized, true
	case wmory.ECodeForbidden, wmory.ECodeWrongPassword, wmory.ECodeEmailNotVerified, wmory.ECodeAccountSuspended:
		return http.StatusForbidden, true
	case wmory.ECodeNotFound, wmory.ECodeInviteInvalid:
		return http.StatusNotFound, true
	case wmory.ECodeMethodNotAllowed:
		return http.StatusMethodNotAllowed, true
	case wmory.ECodeConflict, wmory.ECodeOwnerMustTransfer, wmory.ECodeAlreadyReported, wmory.ECodeDuplicate, wmory.ECodeUploadMissing:
		return http.StatusConflict, true
	case wmory.ECodeUploadExpired:
		return http.StatusGone, true
	case wmory.ECodeRequestTooLarge, wmory.ECodeFileTooLarge:
		return http.StatusRequestEntityTooLarge, true
	case wmory.ECodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType, true
	case wmory.ECodeUploadRejected:
		return http.StatusUnprocessableEntity, true
	case wmory.ECodeRateLimited, wmory.ECodeQuotaExceeded:
		return http.StatusTooManyRequests, true
	case wmory.ECodeInternal:
		return http.StatusInternalServerError, true
	case wmory.ECodeUnavailable, wmory.ECodeStorageUnavailable:
		return http.StatusServiceUnavailable, true
	}
	return http.StatusInternalServerError, false
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      wmory.Code `json:"code"`
	Message   string     `json:"message"`
	RequestID string     `json:"request_id,omitempty"`
}

// writeError answers with the contract's error body. Errors that are not domain
// errors are logged with the request id and shown only as a generic 500.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := wmory.ErrorCode(err)
	status, known := statusOf(code)
	message := wmory.ErrorMessage(err)
	if !known {
		// A code without a status is a mistake here, not the client's: an internal error.
		code, message = wmory.ECodeInternal, wmory.ErrorMessage(nil)
	}
	var we *wmory.Error
	if errors.As(err, &we) && we.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(we.RetryAfterSeconds))
	}
	if status == http.StatusInternalServerError {
		s.log.Error("internal error", "request_id", requestID(r.Context()), "err", err)
	}
	if status == http.StatusUnauthorized && code == wmory.ECodeUnauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="wmory"`)
	}
	body := errorBody{Error: errorDetail{Code: code, Message: message, RequestID: requestID(r.Context())}}
	if we != nil && len(we.Extra) > 0 {
		out := map[string]any{"error": body.Error}
		for k, v := range we.Extra {
			out[k] = v
		}
		writeJSON(w, status, out)
		return
	}
	writeJSON(w, status, body)
}
