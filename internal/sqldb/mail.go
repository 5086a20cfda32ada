package sqldb

import (
	"context"
	"time"

	"github.com/wmory/wmory"
	"github.com/wmory/wmory/internal/mail"
)

// MaxMailsPerAddressHour caps what wmory sends to one address in an hour,
// whatever triggers it: public forms cannot be turned into a mail cannon.
const MaxMailsPerAddressHour = 5

// Job kinds of the mail flow. Account requests that may send mail run as jobs
// too, so that a request answers in the same time whether or not the address
// has an account.
const (
	JobSendMail      JobKind = "send_mail"
	JobRegister      JobKind = "register"
	JobPasswordReset JobKind = "password_reset"
)

// SendMailPayload is one e-mail to deliver. It may carry a link with a token
// until it is delivered (seconds, normally); the job is deleted then.
type SendMailPayload struct {
	Message mail.Message `json:"message"`
}

// RegisterPayload is a sign-up that passed validation; the password is hashed.
type RegisterPayload struct {
	Actor        wmory.Actor  `json:"actor"`
	Registration Registration `json:"registration"`
}

// PasswordResetPayload is a request for a reset link.
type PasswordResetPayload struct {
	Actor wmory.Actor `json:"actor"`
	Email string      `json:"email"`
}

// QueueRegistration writes a sign-up for the worker to carry out.
func (db *DB) QueueRegistration(ctx context.Context, actor wmory.Actor, r Registration) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return tx.enqueue(ctx, JobRegister, RegisterPayload{Actor: actor, Registration: r})
	})
}

// QueuePasswordReset writes a reset request for the worker to carry out.
func (db *DB) QueuePasswordReset(ctx context.Context, actor wmory.Actor, email string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return tx.enqueue(ctx, JobPasswordReset, PasswordResetPayload{Actor: actor, Email: email})
	})
}

// queueMail writes an e-mail in the transaction of the change it announces,
// unless the address has had its hourly share or belongs to a suspended account.
func (tx *Tx) queueMail(ctx context.Context, m mail.Message) error {
	var sent, suspended int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM mail_log WHERE address = ? AND at > ?`, m.To, ms(tx.now.Add(-time.Hour))).Scan(&sent); err != nil {
		return err
	}
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE email = ? AND suspended_at IS NOT NULL`, m.To).Scan(&suspended); err != nil {
		return err
	}
	if sent >= MaxMailsPerAddressHour || suspended > 0 {
		return nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO mail_log (id, address, at) VALUES (?, ?, ?)`, wmory.NewID(tx.now), m.To, ms(tx.now)); err != nil {
		return err
	}
	return tx.enqueue(ctx, JobSendMail, SendMailPayload{Message: m})
}

// MailAllowed reports whether mail may still go to an address now: not to a
// suspended account, even when queued before the suspension.
func (db *DB) MailAllowed(ctx context.Context, address string) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM users WHERE email = ? AND suspended_at IS NOT NULL`), address).Scan(&n)
	return n == 0, db.domainError(err)
}

// PruneCounters forgets what no limit looks at any more: deliveries older than
// the mail cap's window, and throttle counts whose window and lock are long
// over (every rule's window is an hour at most); and the unsubscribe and
// download links that expired.
func (db *DB) PruneCounters(ctx context.Context) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM mail_log WHERE at < ?`, ms(tx.now.Add(-time.Hour))); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM unsubscribe_tokens WHERE created_at < ?`, ms(tx.now.Add(-UnsubscribeTokenLife))); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM downloads WHERE expires_at < ?`, ms(tx.now)); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM login_throttle WHERE window_start < ? AND locked_until < ?`,
			ms(tx.now.Add(-24*time.Hour)), ms(tx.now))
		return err
	})
}
