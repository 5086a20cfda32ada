package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/mail"
)

const (
	purposeVerify = "verify"
	purposeReset  = "reset"

	// Per account and hour: how many e-mails of one kind wmory sends at most, so
	// that nobody can flood a mailbox through the public forms.
	maxVerifyMailsPerHour = 5
	maxResetMailsPerHour  = 3

	// Sliding sessions write last_seen_at at most this often.
	sessionTouchInterval = time.Minute
)

type scanner interface{ Scan(dest ...any) error }

const userColumns = `u.id, u.email, u.name, u.email_verified_at, u.suspended_at, u.is_admin, u.created_at`

func scanUser(row scanner, extra ...any) (*wmory.User, error) {
	var u wmory.User
	var verified, suspended sql.NullInt64
	var created int64
	dest := append([]any{&u.ID, &u.Email, &u.Name, &verified, &suspended, &u.IsAdmin, &created}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.EmailVerified, u.Suspended = verified.Valid, suspended.Valid
	u.CreatedAt = fromMS(created)
	return &u, nil
}

// Registration is a sign-up request that has passed validation; the password is
// already hashed.
type Registration struct {
	Email        string `json:"email"`
	Name         string `json:"name"`
	PasswordHash string `json:"password_hash"`
}

// RegisterResult tells the caller which e-mail to send. Exactly one of
// VerifyToken (send the verification link) and AlreadyVerified (tell the owner
// that someone tried to register) is set, unless the mail budget is spent.
type RegisterResult struct {
	User            *wmory.User
	VerifyToken     string
	AlreadyVerified bool
}

// Register creates an unverified account. For an e-mail that already has an
// unverified account it issues a new verification token that carries the new
// password: whoever proves ownership of the address decides the password, so an
// attacker who registered it first gains nothing. The e-mail it calls for is
// queued in the same transaction.
func (db *DB) Register(ctx context.Context, actor wmory.Actor, r Registration, letters mail.Letters) (RegisterResult, error) {
	var res RegisterResult
	err := db.inTx(ctx, func(tx *Tx) error {
		res = RegisterResult{}
		u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = ?`+tx.forUpdate(), r.Email))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			u = &wmory.User{ID: wmory.NewID(tx.now), Email: r.Email, Name: r.Name, CreatedAt: fromMS(ms(tx.now))}
			if _, err := tx.exec(ctx, `INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				u.ID, u.Email, u.Name, r.PasswordHash, ms(tx.now), ms(tx.now)); err != nil {
				return err
			}
			if err := tx.audit(ctx, wmory.Actor{UserID: u.ID, IP: actor.IP, UserAgent: actor.UserAgent, RequestID: actor.RequestID}, "", wmory.AuditRegister, wmory.AuditTargetUser, u.ID, nil); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if err := tx.audit(ctx, actor, "", wmory.AuditRegisterExisting, wmory.AuditTargetUser, u.ID, nil); err != nil {
				return err
			}
			if u.EmailVerified {
				res.User, res.AlreadyVerified = u, true
				return tx.queueMail(ctx, letters.AlreadyRegistered(u.Email, u.Name))
			}
		}
		res.User = u
		// Only the newest registration of an address can be confirmed: an
		// older link (perhaps an attacker's, carrying their password) dies
		// here, even when no new mail goes out.
		if _, err := tx.exec(ctx, `UPDATE email_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
			ms(tx.now), u.ID, purposeVerify); err != nil {
			return err
		}
		n, err := tx.countTokens(ctx, u.ID, purposeVerify)
		if err != nil || n >= maxVerifyMailsPerHour {
			return err
		}
		if res.VerifyToken, err = tx.insertEmailToken(ctx, u, purposeVerify, wmory.VerifyTokenLifetime, r.PasswordHash, r.Name); err != nil {
			return err
		}
		return tx.queueMail(ctx, letters.VerifyEmail(u.Email, r.Name, res.VerifyToken))
	})
	return res, err
}

func (tx *Tx) countTokens(ctx context.Context, userID, purpose string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM email_tokens WHERE user_id = ? AND purpose = ? AND created_at > ?`,
		userID, purpose, ms(tx.now.Add(-time.Hour))).Scan(&n)
	return n, err
}

func (tx *Tx) insertEmailToken(ctx context.Context, u *wmory.User, purpose string, life time.Duration, passwordHash, name string) (string, error) {
	token := wmory.NewToken()
	_, err := tx.exec(ctx, `INSERT INTO email_tokens (id, user_id, purpose, token_hash, email, password_hash, name, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		wmory.NewID(tx.now), u.ID, purpose, wmory.HashToken(token), u.Email, nullString(passwordHash), nullString(name),
		ms(tx.now), ms(tx.now.Add(life)))
	return token, err
}

var errInvalidToken = wmory.Errorf(wmory.ECodeInvalidToken, "This link is invalid or has expired.")

// useEmailToken consumes a token: it must exist, be unused, unexpired, of the
// purpose, and bound to the account's current e-mail. All other tokens of the same
// purpose for that account die with it.
func (tx *Tx) useEmailToken(ctx context.Context, token, purpose string) (*wmory.User, sql.NullString, sql.NullString, error) {
	var tokenID, tokenEmail string
	var pwHash, name sql.NullString
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+`, t.id, t.email, t.password_hash, t.name
		FROM email_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.purpose = ? AND t.used_at IS NULL AND t.expires_at > ?`+tx.forUpdate(),
		wmory.HashToken(token), purpose, ms(tx.now)), &tokenID, &tokenEmail, &pwHash, &name)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && tokenEmail != u.Email) {
		return nil, pwHash, name, errInvalidToken
	}
	if err != nil {
		return nil, pwHash, name, err
	}
	if err := tx.execOne(ctx, errInvalidToken, `UPDATE email_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL`, ms(tx.now), tokenID); err != nil {
		return nil, pwHash, name, err
	}
	_, err = tx.exec(ctx, `UPDATE email_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, ms(tx.now), u.ID, purpose)
	return u, pwHash, name, err
}

// VerifyEmail consumes a verification token and activates the account with the
// password and name of the registration that the token belongs to. Sessions made
// before the proof of ownership (there should be none) are revoked.
func (db *DB) VerifyEmail(ctx context.Context, actor wmory.Actor, token string) (*wmory.User, error) {
	var user *wmory.User
	err := db.inTx(ctx, func(tx *Tx) error {
		u, pwHash, name, err := tx.useEmailToken(ctx, token, purposeVerify)
		if err != nil {
			return err
		}
		if u.EmailVerified {
			return errInvalidToken
		}
		if pwHash.Valid {
			if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, pwHash.String, u.ID); err != nil {
				return err
			}
		}
		if name.Valid {
			u.Name = name.String
		}
		if _, err := tx.exec(ctx, `UPDATE users SET email_verified_at = ?, name = ?, updated_at = ? WHERE id = ?`, ms(tx.now), u.Name, ms(tx.now), u.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		u.EmailVerified = true
		user = u
		actor.UserID = u.ID
		return tx.audit(ctx, actor, "", wmory.AuditEmailVerify, wmory.AuditTargetUser, u.ID, nil)
	})
	return user, err
}

// Credentials returns the account and password hash for a login name; a missing
// account is (nil, "", nil) so that the caller can still spend the hashing time.
func (db *DB) Credentials(ctx context.Context, email string) (*wmory.User, string, error) {
	var hash string
	u, err := scanUser(db.sql.QueryRowContext(ctx, db.rebind(`SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.email = ?`), email), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", db.domainError(err)
	}
	return u, hash, nil
}

// PasswordHash returns a user's password hash, to check the current password.
func (db *DB) PasswordHash(ctx context.Context, userID string) (string, error) {
	var hash string
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT password_hash FROM users WHERE id = ?`), userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", wmory.NotFound("User")
	}
	return hash, db.domainError(err)
}

// User returns one account.
func (db *DB) User(ctx context.Context, id string) (*wmory.User, error) {
	u, err := scanUser(db.sql.QueryRowContext(ctx, db.rebind(`SELECT `+userColumns+` FROM users u WHERE u.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wmory.NotFound("User")
	}
	return u, db.domainError(err)
}

// CreateSession signs a user in: a new session with a fresh token (never one the
// client brought along), the account's failure count cleared, and the login audited.
// maxAge is the session's absolute lifetime, however active it stays.
func (db *DB) CreateSession(ctx context.Context, actor wmory.Actor, u *wmory.User, accountThrottleKey string, maxAge time.Duration) (string, *wmory.Session, error) {
	token := wmory.NewToken()
	var s *wmory.Session
	err := db.inTx(ctx, func(tx *Tx) error {
		s = &wmory.Session{ID: wmory.NewID(tx.now), UserID: u.ID, CreatedAt: fromMS(ms(tx.now)), LastSeenAt: fromMS(ms(tx.now)),
			UserAgent: truncate(actor.UserAgent, 512), IP: truncate(actor.IP, 64)}
		s.EndsAt = s.CreatedAt.Add(maxAge)
		s.ExpiresAt = minTime(fromMS(ms(tx.now.Add(wmory.SessionIdleLifetime))), s.EndsAt)
		if _, err := tx.exec(ctx, `INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.UserID, wmory.HashToken(token), ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt), s.UserAgent, s.IP); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM login_throttle WHERE throttle_key = ?`, accountThrottleKey); err != nil {
			return err
		}
		actor.UserID, actor.SessionID = u.ID, s.ID
		return tx.audit(ctx, actor, "", wmory.AuditLoginSuccess, wmory.AuditTargetSession, s.ID, nil)
	})
	return token, s, err
}

// Authenticate resolves a bearer token to its live session and user, sliding the
// session's expiry, never past maxAge after it began. Suspended or unverified
// accounts do not authenticate.
func (db *DB) Authenticate(ctx context.Context, token string, maxAge time.Duration) (*wmory.Session, *wmory.User, error) {
	now := db.Now().UTC()
	var s wmory.Session
	var created, seen, expires int64
	u, err := scanUser(db.sql.QueryRowContext(ctx, db.rebind(`SELECT `+userColumns+`, s.id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, s.ip
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND s.created_at > ?`),
		wmory.HashToken(token), ms(now), ms(now.Add(-maxAge))),
		&s.ID, &created, &seen, &expires, &s.UserAgent, &s.IP)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, wmory.Errorf(wmory.ECodeUnauthenticated, "Sign in to continue.")
	}
	if err != nil {
		return nil, nil, db.domainError(err)
	}
	if u.Suspended || !u.EmailVerified {
		return nil, nil, wmory.Errorf(wmory.ECodeUnauthenticated, "Sign in to continue.")
	}
	s.UserID = u.ID
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	s.EndsAt = s.CreatedAt.Add(maxAge)
	s.ExpiresAt = minTime(s.ExpiresAt, s.EndsAt)
	if now.Sub(s.LastSeenAt) >= sessionTouchInterval {
		s.LastSeenAt, s.ExpiresAt = fromMS(ms(now)), minTime(fromMS(ms(now.Add(wmory.SessionIdleLifetime))), s.EndsAt)
		if _, err := db.sql.ExecContext(ctx, db.rebind(`UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?`),
			ms(s.LastSeenAt), ms(s.ExpiresAt), s.ID); err != nil {
			return nil, nil, db.domainError(err)
		}
	}
	return &s, u, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Sessions lists a user's live sessions, oldest first.
func (db *DB) Sessions(ctx context.Context, userID, after string, limit int, maxAge time.Duration) ([]wmory.Session, string, error) {
	now := db.Now()
	rows, err := db.sql.QueryContext(ctx, db.rebind(`SELECT id, created_at, last_seen_at, expires_at, user_agent, ip FROM sessions
		WHERE user_id = ? AND expires_at > ? AND created_at > ? AND id > ? ORDER BY id LIMIT ?`), userID, ms(now), ms(now.Add(-maxAge)), after, pageSize(limit))
	if err != nil {
		return nil, "", db.domainError(err)
	}
	defer rows.Close()
	var out []wmory.Session
	for rows.Next() {
		var s wmory.Session
		var c, l, e int64
		if err := rows.Scan(&s.ID, &c, &l, &e, &s.UserAgent, &s.IP); err != nil {
			return nil, "", err
		}
		s.UserID, s.CreatedAt, s.LastSeenAt = userID, fromMS(c), fromMS(l)
		s.EndsAt = s.CreatedAt.Add(maxAge)
		s.ExpiresAt = minTime(fromMS(e), s.EndsAt)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, "", db.domainError(err)
	}
	items, next := trimPage(out, limit, func(s wmory.Session) string { return s.ID })
	return items, next, nil
}

// RevokeSession ends one of the actor's own sessions; logout is the case where
// it is the current one.
func (db *DB) RevokeSession(ctx context.Context, actor wmory.Actor, sessionID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.execOne(ctx, wmory.NotFound("Session"), `DELETE FROM sessions WHERE id = ? AND user_id = ?`, sessionID, actor.UserID); err != nil {
			return err
		}
		action := wmory.AuditSessionRevoke
		if sessionID == actor.SessionID {
			action = wmory.AuditLogout
		}
		return tx.audit(ctx, actor, "", action, wmory.AuditTargetSession, sessionID, nil)
	})
}

// RequestPasswordReset issues a reset token for a known e-mail, within the hourly
// mail budget. The empty token means "send nothing"; the caller answers the same
// either way.
func (db *DB) RequestPasswordReset(ctx context.Context, actor wmory.Actor, email string, letters mail.Letters) (*wmory.User, string, error) {
	var user *wmory.User
	var token string
	err := db.inTx(ctx, func(tx *Tx) error {
		user, token = nil, ""
		u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = ?`, email))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		n, err := tx.countTokens(ctx, u.ID, purposeReset)
		if err != nil || n >= maxResetMailsPerHour {
			return err
		}
		if token, err = tx.insertEmailToken(ctx, u, purposeReset, wmory.ResetTokenLifetime, "", ""); err != nil {
			return err
		}
		user = u
		if err := tx.queueMail(ctx, letters.PasswordReset(u.Email, u.Name, token)); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "", wmory.AuditPasswordResetAsk, wmory.AuditTargetUser, u.ID, nil)
	})
	return user, token, err
}

// ResetPassword consumes a reset token and sets the new password. Following the
// link proves ownership of the address, so the account counts as verified; every
// session is revoked and the login lock is lifted.
func (db *DB) ResetPassword(ctx context.Context, actor wmory.Actor, token, passwordHash, accountThrottleKeyPrefix string, letters mail.Letters) (*wmory.User, error) {
	var user *wmory.User
	err := db.inTx(ctx, func(tx *Tx) error {
		u, _, _, err := tx.useEmailToken(ctx, token, purposeReset)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?`,
			passwordHash, ms(tx.now), ms(tx.now), u.ID); err != nil {
			return err
		}
		// Pending verification tokens carry an older password; they must not
		// bring it back.
		if _, err := tx.exec(ctx, `UPDATE email_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, ms(tx.now), u.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM login_throttle WHERE throttle_key = ?`, accountThrottleKeyPrefix+u.Email); err != nil {
			return err
		}
		u.EmailVerified = true
		user = u
		actor.UserID = u.ID
		if err := tx.queueMail(ctx, letters.PasswordChanged(u.Email, u.Name)); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "", wmory.AuditPasswordReset, wmory.AuditTargetUser, u.ID, nil)
	})
	return user, err
}

// UpdateName changes the actor's display name.
func (db *DB) UpdateName(ctx context.Context, actor wmory.Actor, name string) (*wmory.User, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.execOne(ctx, wmory.NotFound("User"), `UPDATE users SET name = ?, updated_at = ? WHERE id = ?`, name, ms(tx.now), actor.UserID); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "", wmory.AuditUserUpdate, wmory.AuditTargetUser, actor.UserID, map[string]any{"fields": []string{"name"}})
	})
	if err != nil {
		return nil, err
	}
	return db.User(ctx, actor.UserID)
}

// ChangePassword sets a new password (the caller has checked the current one)
// and signs out every other session.
func (db *DB) ChangePassword(ctx context.Context, actor wmory.Actor, passwordHash string, letters mail.Letters) (*wmory.User, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.execOne(ctx, wmory.NotFound("User"), `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, passwordHash, ms(tx.now), actor.UserID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, actor.UserID, actor.SessionID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE email_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, ms(tx.now), actor.UserID); err != nil {
			return err
		}
		var email, name string
		if err := tx.queryRow(ctx, `SELECT email, name FROM users WHERE id = ?`, actor.UserID).Scan(&email, &name); err != nil {
			return err
		}
		if err := tx.queueMail(ctx, letters.PasswordChanged(email, name)); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "", wmory.AuditPasswordChange, wmory.AuditTargetUser, actor.UserID, nil)
	})
	if err != nil {
		return nil, err
	}
	return db.User(ctx, actor.UserID)
}

// DeleteAccount removes the actor's account. Each group it owned passes to its
// longest-standing admin, else its longest-standing member, else is deleted.
// Audit entries stay, their actor shown as a deleted user.
func (db *DB) DeleteAccount(ctx context.Context, actor wmory.Actor) error {
	return db.inTx(ctx, func(tx *Tx) error {
		owned, err := tx.strings(ctx, `SELECT group_id FROM group_members WHERE user_id = ? AND role = ?`, actor.UserID, string(wmory.RoleOwner))
		if err != nil {
			return err
		}
		for _, gid := range owned {
			var heir string
			err := tx.queryRow(ctx, `SELECT user_id FROM group_members WHERE group_id = ? AND user_id <> ?
				ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, joined_at, id LIMIT 1`, gid, actor.UserID).Scan(&heir)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := tx.deleteGroup(ctx, actor, gid, "owner_deleted"); err != nil {
					return err
				}
			case err != nil:
				return err
			default:
				if _, err := tx.exec(ctx, `UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ?`, string(wmory.RoleOwner), gid, heir); err != nil {
					return err
				}
				if err := tx.audit(ctx, actor, gid, wmory.AuditGroupTransfer, wmory.AuditTargetUser, heir, map[string]any{"reason": "owner_deleted"}); err != nil {
					return err
				}
			}
		}
		if err := tx.queueMediaDeletes(ctx, `uploader_id = ?`, actor.UserID); err != nil {
			return err
		}
		// Their invites would outlive them as links nobody answers for.
		if _, err := tx.exec(ctx, `UPDATE invites SET revoked_at = ? WHERE created_by = ? AND revoked_at IS NULL`, ms(tx.now), actor.UserID); err != nil {
			return err
		}
		if err := tx.execOne(ctx, wmory.NotFound("User"), `DELETE FROM users WHERE id = ?`, actor.UserID); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "", wmory.AuditUserDelete, wmory.AuditTargetUser, actor.UserID, nil)
	})
}

func (tx *Tx) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetSuspended suspends or reinstates an account. Suspension signs the account
// out everywhere at once; its sessions are deleted, not just refused.
func (db *DB) SetSuspended(ctx context.Context, actor wmory.Actor, userID string, suspended bool) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var at sql.NullInt64
		action := wmory.AuditUserReinstate
		if suspended {
			at, action = sql.NullInt64{Int64: ms(tx.now), Valid: true}, wmory.AuditUserSuspend
		}
		if err := tx.execOne(ctx, wmory.NotFound("User"), `UPDATE users SET suspended_at = ?, updated_at = ? WHERE id = ?`, at, ms(tx.now), userID); err != nil {
			return err
		}
		if suspended {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
				return err
			}
		}
		return tx.audit(ctx, actor, "", action, wmory.AuditTargetUser, userID, nil)
	})
}

// CheckResetToken tells whether a reset token could be used now, without
// using it: the caller checks it before spending time on the new password.
func (db *DB) CheckResetToken(ctx context.Context, token string) error {
	var n int
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM email_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.purpose = ? AND t.used_at IS NULL AND t.expires_at > ? AND t.email = u.email`),
		wmory.HashToken(token), purposeReset, ms(db.Now())).Scan(&n)
	if err != nil {
		return db.domainError(err)
	}
	if n == 0 {
		return errInvalidToken
	}
	return nil
}
