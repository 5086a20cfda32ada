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

// statusOf is the one mapping from error codes to HTTP statuses.
func statusOf(code string) int {
	switch code {
	case wmory.ECodeInvalidRequest, wmory.ECodeWeakPassword, wmory.ECodeInvalidToken:
		return http.StatusBadRequest
	case wmory.ECodeUnauthenticated, wmory.ECodeInvalidCredentials:
		return http.StatusUnauthorized
	case wmory.ECodeForbidden, wmory.ECodeWrongPassword, wmory.ECodeEmailNotVerified, wmory.ECodeAccountSuspended:
		return http.StatusForbidden
	case wmory.ECodeNotFound, wmory.ECodeInviteInvalid:
		return http.StatusNotFound
	case wmory.ECodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case wmory.ECodeConflict, wmory.ECodeOwnerMustTransfer, wmory.ECodeAlreadyReported:
		return http.StatusConflict
	case wmory.ECodeRequestTooLarge:
		return http.StatusRequestEntityTooLarge
	case wmory.ECodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case wmory.ECodeRateLimited:
		return http.StatusTooManyRequests
	case wmory.ECodeUnavailable, wmory.ECodeStorageUnavailable:
		return http.StatusServiceUnavailable
	case wmory.ECodeFileTooLarge:
		return http.StatusRequestEntityTooLarge
	case wmory.ECodeQuotaExceeded:
		return http.StatusTooManyRequests
	case wmory.ECodeDuplicate, wmory.ECodeUploadMissing:
		return http.StatusConflict
	case wmory.ECodeUploadRejected:
		return http.StatusUnprocessableEntity
	case wmory.ECodeUploadExpired:
		return http.StatusGone
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// writeError answers with the contract's error body. Errors that are not domain
// errors are logged with the request id and shown only as a generic 500.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := wmory.ErrorCode(err)
	status := statusOf(code)
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
	body := errorBody{Error: errorDetail{Code: code, Message: wmory.ErrorMessage(err), RequestID: requestID(r.Context())}}
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
