package mail_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"strings"
	"testing"

	wmail "github.com/wmory/wmory/internal/mail"
	"github.com/wmory/wmory/internal/mail/smtptest"
)

// A group's news arrives as plain text and HTML, with the headers that let
// mail clients offer a one-click unsubscribe (RFC 8058); what members wrote is
// text in both, never markup.
func TestNewsMessage(t *testing.T) {
	srv := smtptest.Start(t, "", "")
	m, err := wmail.NewSMTP("smtp://"+srv.Addr, "wmory <noreply@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	letters := wmail.Letters{Base: &url.URL{Scheme: "https", Host: "photos.example.com"}}
	news := wmail.News{GroupID: "g1", GroupName: "Lisbon <2026>", Said: []wmail.Said{{Name: "Bea", Text: `<script>alert(1)</script> & "quotes"`}}}
	if err := m.Send(context.Background(), letters.News("ana@example.com", "Ana", news, "TOKEN")); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	msg, err := mail.ReadMessage(strings.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if h := msg.Header.Get("List-Unsubscribe"); h != "<https://photos.example.com/api/v1/unsubscribe?token=TOKEN>" {
		t.Errorf("List-Unsubscribe: %q", h)
	}
	if h := msg.Header.Get("List-Unsubscribe-Post"); h != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post: %q", h)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "Bea commented on what you shared in Lisbon <2026>" {
		t.Errorf("subject %q", subject)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q", msg.Header.Get("Content-Type"))
	}
	parts := map[string]string{}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		kind, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[kind] = string(body)
	}
	text, html := parts["text/plain"], parts["text/html"]
	if !strings.Contains(text, `Bea: "<script>alert(1)</script> & "quotes""`) || !strings.Contains(text, "https://photos.example.com/unsubscribe?token=TOKEN") ||
		!strings.Contains(text, "https://photos.example.com/groups/g1/activity") {
		t.Errorf("text part:\n%s", text)
	}
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;") ||
		!strings.Contains(html, "Lisbon &lt;2026&gt;") || !strings.Contains(html, `href="https://photos.example.com/unsubscribe?token=TOKEN"`) {
		t.Errorf("HTML part:\n%s", html)
	}
}

func TestNewsHeadlines(t *testing.T) {
	letters := wmail.Letters{Base: &url.URL{Scheme: "https", Host: "photos.example.com"}}
	for _, c := range []struct {
		news wmail.News
		want string
	}{
		{wmail.News{GroupName: "G", Added: []wmail.Added{{Name: "Ana", Photos: 23}}}, "Ana added 23 photos to G"},
		{wmail.News{GroupName: "G", Added: []wmail.Added{{Name: "Ana", Photos: 1, Videos: 2}}}, "Ana added 1 photo and 2 videos to G"},
		{wmail.News{GroupName: "G", Added: []wmail.Added{{Name: "Ana", Videos: 1}}}, "Ana added 1 video to G"},
		{wmail.News{GroupName: "G", Said: []wmail.Said{{Name: "Bea"}, {Name: "Carl"}, {Name: "Bea"}, {Name: "Dan"}, {Name: "Eve"}}}, "Bea, Carl and 2 others commented on what you shared in G"},
		{wmail.News{GroupName: "G", Daily: true, Added: []wmail.Added{{Name: "Ana", Photos: 3}, {Name: "Bea", Photos: 2, Videos: 1}},
			Said: []wmail.Said{{Name: "Carl"}}, MoreSaid: 11}, "Today in G: 5 photos and 1 video from Ana and Bea, 12 comments on yours"},
	} {
		if got := letters.News("x@example.com", "X", c.news, "T").Subject; got != c.want {
			t.Errorf("subject %q; want %q", got, c.want)
		}
	}
}
