package mail_test

import (
	"bytes"
	"context"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	wmail "github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/mail/smtptest"
)

func decodeBody(t *testing.T, raw string) (*mail.Message, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	return msg, string(body)
}

func TestSMTPDeliversWithAuth(t *testing.T) {
	srv := smtptest.Start(t, "mailer", "s3cret pass")
	m, err := wmail.NewSMTP("smtp://mailer:s3cret%20pass@"+srv.Addr, "wmory <noreply@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	link := "http://localhost:8080/verify-email?token=" + strings.Repeat("A", 43)
	if err := m.Send(context.Background(), wmail.VerifyEmail("zoë@example.com", "Zoë", link)); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].User != "mailer" || got[0].From != "noreply@example.com" || got[0].To[0] != "zoë@example.com" {
		t.Fatalf("received %+v", got)
	}
	msg, body := decodeBody(t, got[0].Data)
	if !strings.Contains(body, link) {
		t.Fatalf("body does not hold the whole link:\n%s", body)
	}
	if msg.Header.Get("Message-Id") == "" || msg.Header.Get("Date") == "" {
		t.Fatal("missing Message-ID or Date")
	}
}

func TestSMTPWrongPasswordFails(t *testing.T) {
	srv := smtptest.Start(t, "mailer", "right")
	m, _ := wmail.NewSMTP("smtp://mailer:wrong@"+srv.Addr, "noreply@example.com")
	if err := m.Send(context.Background(), wmail.PasswordChanged("a@example.com", "A")); err == nil {
		t.Fatal("sending with a wrong password succeeded")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

func TestNewSMTPRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"http://host", "smtp://", "smtp://user:pa ss@host:%zz"} {
		if _, err := wmail.NewSMTP(u, "x@example.com"); err == nil {
			t.Errorf("NewSMTP(%q) accepted", u)
		} else if strings.Contains(err.Error(), "pa ss") {
			t.Errorf("error echoes the password: %v", err)
		}
	}
}

func TestConsolePrintsAndKeepsCopy(t *testing.T) {
	var out bytes.Buffer
	dir := filepath.Join(t.TempDir(), "mail")
	c, err := wmail.NewConsole(&out, dir, "noreply@example.com")
	if err != nil {
		t.Fatal(err)
	}
	link := "http://localhost:8080/reset-password?token=abc_DEF-123"
	if err := c.Send(context.Background(), wmail.PasswordReset("a@example.com", "A", link)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), link) {
		t.Fatalf("console output lacks the link:\n%s", out.String())
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Fatalf("%d files in the mail folder; want 1", len(files))
	}
	raw, _ := os.ReadFile(filepath.Join(dir, files[0].Name()))
	if _, body := decodeBody(t, string(raw)); !strings.Contains(body, link) {
		t.Fatal("the kept copy lacks the link")
	}
}

func TestHeaderInjectionIsImpossible(t *testing.T) {
	var out bytes.Buffer
	c, _ := wmail.NewConsole(&out, t.TempDir(), "noreply@example.com")
	err := c.Send(context.Background(), wmail.Message{To: "a@example.com\r\nBcc: evil@example.com", Subject: "x", Text: "y"})
	if err == nil {
		t.Fatal("a recipient with CRLF was accepted")
	}
}
