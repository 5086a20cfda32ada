// Package mail sends wmory's e-mails: through an SMTP server in production, or to
// the console (and a folder) when none is configured, so that a development
// instance shows every link it would have sent.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Message is one e-mail: plain text, and the same in HTML for the mail
// clients that show it.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
	// Unsubscribe, when set, is the URL whose POST stops such messages in one
	// click (RFC 8058), which mail clients offer beside the message.
	Unsubscribe string `json:"unsubscribe,omitempty"`
}

// Mailer delivers messages.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// format renders a message as RFC 5322 bytes with CRLF line ends.
func format(from string, m Message, now time.Time) ([]byte, error) {
	if _, err := mail.ParseAddress(m.To); err != nil {
		return nil, fmt.Errorf("mail: bad recipient: %w", err)
	}
	var id [12]byte
	rand.Read(id[:])
	domain := "wmory.local"
	if at := strings.LastIndexByte(from, '@'); at >= 0 {
		domain = strings.Trim(from[at+1:], ">")
	}
	var b bytes.Buffer
	header := func(k, v string) {
		// Values never carry CR or LF: subjects and addresses are ours or validated.
		v = strings.NewReplacer("\r", "", "\n", "").Replace(v)
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	header("From", from)
	header("To", m.To)
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	header("MIME-Version", "1.0")
	if m.Unsubscribe != "" {
		header("List-Unsubscribe", "<"+m.Unsubscribe+">")
		header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	if m.HTML == "" {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		writeQuotedPrintable(&b, m.Text)
		return b.Bytes(), nil
	}
	parts := multipart.NewWriter(&b)
	header("Content-Type", "multipart/alternative; boundary="+parts.Boundary())
	b.WriteString("\r\n")
	// The last part is the one clients prefer: HTML where they can show it.
	for _, p := range []struct{ kind, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := parts.CreatePart(textproto.MIMEHeader{
			"Content-Type": {p.kind + "; charset=utf-8"}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		writeQuotedPrintable(w, p.body)
	}
	if err := parts.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeQuotedPrintable(w io.Writer, text string) {
	qp := quotedprintable.NewWriter(w)
	qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	qp.Close()
}

// The messages wmory sends. Links are built from the configured base URL only,
// never from request headers.

func VerifyEmail(to, name, link string) Message {
	return Message{To: to, Subject: "Confirm your e-mail address for wmory", Text: fmt.Sprintf(
		"Hello %s,\n\nopen this link to confirm your e-mail address and activate your wmory account:\n\n%s\n\n"+
			"The link works once, for 24 hours. If you did not sign up, ignore this message.\n", name, link)}
}

func AlreadyRegistered(to, name, loginURL, resetURL string) Message {
	return Message{To: to, Subject: "Someone tried to sign up with your e-mail address", Text: fmt.Sprintf(
		"Hello %s,\n\nsomeone (perhaps you) tried to create a wmory account with this address, which already has one.\n\n"+
			"To sign in: %s\nForgot your password? %s\n\nIf it was not you, nothing has changed and you can ignore this message.\n",
		name, loginURL, resetURL)}
}

func PasswordReset(to, name, link string) Message {
	return Message{To: to, Subject: "Reset your wmory password", Text: fmt.Sprintf(
		"Hello %s,\n\nopen this link to choose a new password:\n\n%s\n\n"+
			"The link works once, for one hour. If you did not ask for it, ignore this message: your password stays as it is.\n", name, link)}
}

func PasswordChanged(to, name string) Message {
	return Message{To: to, Subject: "Your wmory password was changed", Text: fmt.Sprintf(
		"Hello %s,\n\nthe password of your wmory account was just changed and every other session was signed out.\n"+
			"If this was not you, reset your password at once.\n", name)}
}

func mailParse(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", err
	}
	return a.Address, nil
}

// ReportFiled tells a group's moderators that something in it was reported.
func ReportFiled(to, group, link string) Message {
	return Message{To: to, Subject: fmt.Sprintf("An item in %s was reported", group), Text: fmt.Sprintf(
		"Hello,\n\na member reported an item in %s, a wmory group you manage. Review the reports here:\n\n%s\n\n"+
			"You get at most one such message per group and hour.\n", group, link)}
}

// Trashed tells a member that others moved some of their items to the trash,
// and how to have them back.
func Trashed(to, name, group string, by []string, count, days int, link string) Message {
	items := "one of your items"
	if count > 1 {
		items = fmt.Sprintf("%d of your items", count)
	}
	return Message{To: to, Subject: fmt.Sprintf("%s moved %s to the trash in %s", people(by), items, group), Text: fmt.Sprintf(
		"Hello %s,\n\n%s moved %s to the trash in %s.\n\n"+
			"They stay in the group's trash for %d days, then are deleted for good. Until then you, or the group's owner and admins, can restore them:\n\n%s\n",
		name, people(by), items, group, days, link)}
}
