package jobs

import (
	"context"
	"encoding/json"

	"github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/sqldb"
)

// HandleMail registers the mail flow: sign-ups and reset requests, carried out
// here so that the requests answer alike for known and unknown addresses; the
// news of groups, told once a batch has ended and in daily digests; and the
// delivery of every queued e-mail, retried with backoff like any job.
func (w *Worker) HandleMail(mailer mail.Mailer, letters mail.Letters) {
	w.Handle(sqldb.JobNotify, func(ctx context.Context, job *sqldb.Job) error {
		var p sqldb.NoticePayload
		if err := json.Unmarshal(job.Payload, &p); err != nil {
			return err
		}
		return w.db.SendNotice(ctx, p.ID, letters)
	})
	w.sendDigests = func(ctx context.Context, limit int) (int, error) { return w.db.SendDigests(ctx, letters, limit) }
	w.Handle(sqldb.JobRegister, func(ctx context.Context, job *sqldb.Job) error {
		var p sqldb.RegisterPayload
		if err := json.Unmarshal(job.Payload, &p); err != nil {
			return err
		}
		_, err := w.db.Register(ctx, p.Actor, p.Registration, letters)
		return err
	})
	w.Handle(sqldb.JobPasswordReset, func(ctx context.Context, job *sqldb.Job) error {
		var p sqldb.PasswordResetPayload
		if err := json.Unmarshal(job.Payload, &p); err != nil {
			return err
		}
		_, _, err := w.db.RequestPasswordReset(ctx, p.Actor, p.Email, letters)
		return err
	})
	w.Handle(sqldb.JobSendMail, func(ctx context.Context, job *sqldb.Job) error {
		var p sqldb.SendMailPayload
		if err := json.Unmarshal(job.Payload, &p); err != nil {
			return err
		}
		// Suspended while the message waited: it is not sent.
		if ok, err := w.db.MailAllowed(ctx, p.Message.To); err != nil || !ok {
			return err
		}
		return mailer.Send(ctx, p.Message)
	})
}
