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
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// Message is one plain-text e-mail.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
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
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(m.Text, "\n", "\r\n")))
	qp.Close()
	return b.Bytes(), nil
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
