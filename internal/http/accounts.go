package http

import (
	"net/http"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/sqldb"
)

const accountKeyPrefix = "acct:"

func (s *Server) throttleRules(email, ip string) []sqldb.ThrottleRule {
	return []sqldb.ThrottleRule{
		// Per account: 5 failures in 15 minutes lock it for 15 minutes, at most
		// ~20 guesses an hour whatever the number of addresses used.
		{Key: accountKeyPrefix + email, Max: s.cfg.AccountFailures, Window: 15 * time.Minute, Lock: 15 * time.Minute},
		// Per client IP: a wider budget, since many people can share one address.
		{Key: "ip:" + ip, Max: s.cfg.IPFailures, Window: 15 * time.Minute, Lock: 15 * time.Minute},
	}
}

// checkThrottle answers 429 while any of the keys is locked.
func (s *Server) checkThrottle(r *http.Request, rules []sqldb.ThrottleRule) error {
	keys := make([]string, len(rules))
	for i, rule := range rules {
		keys[i] = rule.Key
	}
	wait, err := s.db.Locked(r.Context(), keys...)
	if err != nil {
		return err
	}
	if wait > 0 {
		return &wmory.Error{Code: wmory.ECodeRateLimited, Message: "Too many failed attempts; try again later.", RetryAfterSeconds: int(wait.Seconds()) + 1}
	}
	return nil
}

type registerRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	var req registerRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := wmory.NormalizeEmail(req.Email)
	if err != nil {
		return err
	}
	if err := wmory.ValidatePassword("password", req.Password); err != nil {
		return err
	}
	name, err := wmory.ValidateName("name", req.Name)
	if err != nil {
		return err
	}
	// Sign-ups are limited per client address whatever their outcome: each
	// costs an argon2 hash and may send an e-mail.
	rule := sqldb.ThrottleRule{Key: "register:" + s.clientIP(r), Max: s.cfg.RegistrationsPerIP, Window: time.Hour, Lock: time.Hour}
	if err := s.checkThrottle(r, []sqldb.ThrottleRule{rule}); err != nil {
		return err
	}
	if err := s.db.CountAttempt(r.Context(), rule); err != nil {
		return err
	}
	// The hash is computed in every case, so that a taken address answers as
	// fast as a free one.
	hash, err := s.hasher.Hash(r.Context(), req.Password)
	if err != nil {
		return err
	}
	// The worker carries the sign-up out and sends its mail: the answer takes
	// the same time whether or not the address has an account.
	if err := s.db.QueueRegistration(r.Context(), s.actor(r), sqldb.Registration{Email: email, Name: name, PasswordHash: hash}); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"status": "verification_sent"})
}

type tokenRequest struct {
	Token string `json:"token"`
}

func (s *Server) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	var req tokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Token == "" {
		return wmory.Invalid("token", "is required.")
	}
	u, err := s.confirmEmail(w, r, req.Token)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewUser(u))
}

// confirmEmail spends a verification token. The link proves the address is
// theirs, as a reset link would: the browser that confirms is signed in, and
// the first thing after sign-up is the app itself (the cross-origin check of
// every cookie request keeps other sites from doing so).
func (s *Server) confirmEmail(w http.ResponseWriter, r *http.Request, token string) (*wmory.User, error) {
	u, err := s.db.VerifyEmail(r.Context(), s.actor(r), token)
	if err != nil || u.Suspended {
		return u, err
	}
	session, sess, err := s.db.CreateSession(r.Context(), s.actor(r), u, accountKeyPrefix+u.Email, s.cfg.SessionMaxAge)
	if err != nil {
		// The address is confirmed all the same: signing in works.
		s.log.Error("session after e-mail confirmation", "err", err, "request_id", requestID(r.Context()))
		return u, nil
	}
	s.setSessionCookie(w, session, sess.ExpiresAt)
	return u, nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      userView  `json:"user"`
}

var errInvalidCredentials = wmory.Errorf(wmory.ECodeInvalidCredentials, "The e-mail or password is wrong.")

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := wmory.NormalizeEmail(req.Email)
	if err != nil {
		return err
	}
	if req.Password == "" {
		return wmory.Invalid("password", "is required.")
	}
	if len(req.Password) > wmory.MaxPasswordBytes {
		// Refused before hashing: long inputs are a cheap way to burn CPU.
		return errInvalidCredentials
	}
	ip := s.clientIP(r)
	rules := s.throttleRules(email, ip)
	account, client := rules[:1], rules[1:]
	if err := s.checkThrottle(r, client); err != nil {
		return err
	}
	// A locked account still lets in its owner: a correct password from a
	// client that has not failed recently. Otherwise anyone could lock anyone
	// out, forever, with five wrong guesses every 15 minutes.
	accountLocked := s.checkThrottle(r, account)
	if accountLocked != nil {
		if wmory.ErrorCode(accountLocked) != wmory.ECodeRateLimited {
			return accountLocked
		}
		failed, err := s.db.FailedRecently(r.Context(), client[0].Key, client[0].Window)
		if err != nil {
			return err
		}
		if failed {
			return accountLocked
		}
	}
	u, hash, err := s.db.Credentials(r.Context(), email)
	if err != nil {
		return err
	}
	ok, err := s.hasher.Verify(r.Context(), hash, req.Password)
	if err != nil {
		return err
	}
	if !ok {
		target := "unknown"
		if u != nil {
			target = u.ID
		}
		if _, err := s.db.RecordFailure(r.Context(), s.actor(r), wmory.AuditLoginFail, wmory.AuditTargetUser, target, rules...); err != nil {
			return err
		}
		if accountLocked != nil {
			return accountLocked
		}
		return errInvalidCredentials
	}
	// Only someone who knows the password learns the account's state.
	if u.Suspended {
		return wmory.Errorf(wmory.ECodeAccountSuspended, "This account is suspended.")
	}
	if !u.EmailVerified {
		return wmory.Errorf(wmory.ECodeEmailNotVerified, "Confirm your e-mail address first: open the link we sent, or sign up again to get a new one.")
	}
	token, sess, err := s.db.CreateSession(r.Context(), s.actor(r), u, accountKeyPrefix+email, s.cfg.SessionMaxAge)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token, sess.ExpiresAt)
	return writeJSON(w, http.StatusOK, loginResponse{Token: token, ExpiresAt: sess.ExpiresAt, User: viewUser(u)})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.RevokeSession(r.Context(), s.actor(r), caller(r).session.ID); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type emailRequest struct {
	Email string `json:"email"`
}

func (s *Server) passwordReset(w http.ResponseWriter, r *http.Request) error {
	var req emailRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := wmory.NormalizeEmail(req.Email)
	if err != nil {
		return err
	}
	// Looked up by the worker, so that known and unknown addresses answer alike.
	if err := s.db.QueuePasswordReset(r.Context(), s.actor(r), email); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"status": "reset_sent"})
}

type resetConfirmRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (s *Server) passwordResetConfirm(w http.ResponseWriter, r *http.Request) error {
	var req resetConfirmRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Token == "" {
		return wmory.Invalid("token", "is required.")
	}
	if err := s.resetPassword(r, req.Token, req.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// resetPassword is shared by the API and the reset page. The token is checked
// before the new password is hashed: a bogus token must cost no argon2 time,
// and bad tokens count against the client like failed logins.
func (s *Server) resetPassword(r *http.Request, token, password string) error {
	if err := wmory.ValidatePassword("password", password); err != nil {
		return err
	}
	rule := sqldb.ThrottleRule{Key: "reset:" + s.clientIP(r), Max: s.cfg.IPFailures, Window: 15 * time.Minute, Lock: 15 * time.Minute}
	if err := s.checkThrottle(r, []sqldb.ThrottleRule{rule}); err != nil {
		return err
	}
	if err := s.db.CheckResetToken(r.Context(), token); err != nil {
		if wmory.ErrorCode(err) == wmory.ECodeInvalidToken {
			if _, ferr := s.db.RecordFailure(r.Context(), s.actor(r), wmory.AuditPasswordResetFail, wmory.AuditTargetUser, "unknown", rule); ferr != nil {
				return ferr
			}
		}
		return err
	}
	hash, err := s.hasher.Hash(r.Context(), password)
	if err != nil {
		return err
	}
	_, err = s.db.ResetPassword(r.Context(), s.actor(r), token, hash, accountKeyPrefix, s.letters)
	return err
}

type meResponse struct {
	User  userView  `json:"user"`
	Quota quotaView `json:"quota"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	u := caller(r).user
	bytes, files, err := s.db.QuotaUsed(r.Context(), u.ID)
	if err != nil {
		return err
	}
	limits, err := s.db.Limits(r.Context(), u.ID, s.cfg.Limits)
	if err != nil {
		return err
	}
	stored, err := s.db.StoredBytes(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, meResponse{User: viewUser(u), Quota: quotaView{
		DailyBytesLimit: limits.DailyBytesLimit, DailyBytesUsed: bytes,
		DailyFilesLimit: limits.DailyFilesLimit, DailyFilesUsed: files, ResetsAt: wmory.QuotaResetsAt(s.db.Now()), StoredBytes: stored}})
}

type updateMeRequest struct {
	Name        *string `json:"name"`
	Password    *string `json:"password"`
	NewPassword *string `json:"new_password"`
}

// checkPassword verifies the caller's current password; wrong guesses count
// against the account like failed logins.
func (s *Server) checkPassword(r *http.Request, field string, password *string) error {
	if password == nil || *password == "" {
		return wmory.Invalid(field, "the current password is required.")
	}
	u := caller(r).user
	rules := s.throttleRules(u.Email, s.clientIP(r))
	if err := s.checkThrottle(r, rules); err != nil {
		return err
	}
	hash, err := s.db.PasswordHash(r.Context(), u.ID)
	if err != nil {
		return err
	}
	ok := false
	if len(*password) <= wmory.MaxPasswordBytes {
		if ok, err = s.hasher.Verify(r.Context(), hash, *password); err != nil {
			return err
		}
	}
	if !ok {
		if _, err := s.db.RecordFailure(r.Context(), s.actor(r), wmory.AuditLoginFail, wmory.AuditTargetUser, u.ID, rules...); err != nil {
			return err
		}
		return wmory.Errorf(wmory.ECodeWrongPassword, "The current password is wrong.")
	}
	return nil
}

func (s *Server) updateMe(w http.ResponseWriter, r *http.Request) error {
	var req updateMeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Name == nil && req.NewPassword == nil {
		return wmory.Invalid("body", "give name, or password and new_password.")
	}
	var name string
	if req.Name != nil {
		var err error
		if name, err = wmory.ValidateName("name", *req.Name); err != nil {
			return err
		}
	}
	var hash string
	if req.NewPassword != nil {
		if err := wmory.ValidatePassword("new_password", *req.NewPassword); err != nil {
			return err
		}
		if err := s.checkPassword(r, "password", req.Password); err != nil {
			return err
		}
		var err error
		if hash, err = s.hasher.Hash(r.Context(), *req.NewPassword); err != nil {
			return err
		}
	} else if req.Password != nil {
		return wmory.Invalid("new_password", "is required with password.")
	}
	u := caller(r).user
	var err error
	if req.Name != nil {
		if u, err = s.db.UpdateName(r.Context(), s.actor(r), name); err != nil {
			return err
		}
	}
	if hash != "" {
		if u, err = s.db.ChangePassword(r.Context(), s.actor(r), hash, s.letters); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, viewUser(u))
}

type passwordRequest struct {
	Password *string `json:"password"`
}

func (s *Server) deleteMe(w http.ResponseWriter, r *http.Request) error {
	var req passwordRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.checkPassword(r, "password", req.Password); err != nil {
		return err
	}
	if err := s.db.DeleteAccount(r.Context(), s.actor(r)); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) sessions(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	c := caller(r)
	list, next, err := s.db.Sessions(r.Context(), c.user.ID, p.after, p.limit, s.cfg.SessionMaxAge)
	if err != nil {
		return err
	}
	return writeList(w, mapList(list, func(x wmory.Session) sessionView {
		return sessionView{ID: x.ID, CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, ExpiresAt: x.ExpiresAt, EndsAt: x.EndsAt,
			UserAgent: x.UserAgent, IP: x.IP, Current: x.ID == c.session.ID}
	}), next)
}

func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.RevokeSession(r.Context(), s.actor(r), r.PathValue("id")); err != nil {
		return err
	}
	if r.PathValue("id") == caller(r).session.ID {
		s.clearSessionCookie(w)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
