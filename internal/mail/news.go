package mail

import (
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
)

// Added is what one member added to a group in the time a message tells of.
type Added struct {
	Name           string
	Photos, Videos int
}

// Said is one comment on the recipient's items.
type Said struct {
	Name, Text string
}

// News is what a message about a group tells one member: who added what, and
// what others said about the member's items. A batch tells one uploader's run
// of uploads, or one run of comments; a daily digest tells a day of both.
type News struct {
	GroupID, GroupName string
	Added              []Added
	Said               []Said
	// MoreSaid counts the comments the message does not quote.
	MoreSaid int
	Daily    bool
}

// QuotedComments is how many comments a message quotes at most.
const QuotedComments = 10

// News composes a message about a group's news, with the links that turn
// this member's e-mail about the group off: one-click (RFC 8058) for mail
// clients, and a page for people.
func (l Letters) News(to, name string, n News, unsubscribeToken string) Message {
	token := url.Values{"token": {unsubscribeToken}}
	v := newsView{News: n, Name: name, Headline: n.headline(), Link: l.link("/groups/"+url.PathEscape(n.GroupID)+"/activity", nil),
		StopLink: l.link("/unsubscribe", token)}
	for _, a := range n.Added {
		v.Adders = append(v.Adders, adder{Name: a.Name, Items: countItems(a.Photos, a.Videos)})
	}
	var text, html strings.Builder
	// The templates are fixed and their data only strings and numbers: they
	// cannot fail but for a bug, which the tests of every kind of news would show.
	if err := newsText.Execute(&text, v); err != nil {
		panic(err)
	}
	if err := newsHTML.Execute(&html, v); err != nil {
		panic(err)
	}
	return Message{To: to, Subject: v.subject(), Text: text.String(), HTML: html.String(), Unsubscribe: l.link("/api/v1/unsubscribe", token)}
}

type newsView struct {
	News
	Name, Headline, Link, StopLink string
	Adders                         []adder
}

type adder struct{ Name, Items string }

func (v newsView) subject() string {
	if v.Daily {
		return "Today in " + v.GroupName + ": " + v.Headline
	}
	return v.Headline
}

// headline says the news in one line: "Ana added 23 photos to Lisbon 2026".
func (n News) headline() string {
	var photos, videos int
	var adders, sayers []string
	for _, a := range n.Added {
		photos += a.Photos
		videos += a.Videos
		adders = append(adders, a.Name)
	}
	seen := map[string]bool{}
	for _, s := range n.Said {
		if !seen[s.Name] {
			seen[s.Name] = true
			sayers = append(sayers, s.Name)
		}
	}
	comments := len(n.Said) + n.MoreSaid
	switch {
	case n.Daily:
		var parts []string
		if photos+videos > 0 {
			parts = append(parts, countItems(photos, videos)+" from "+people(adders))
		}
		if comments > 0 {
			parts = append(parts, plural(comments, "comment", "comments")+" on yours")
		}
		return strings.Join(parts, ", ")
	case photos+videos > 0:
		return people(adders) + " added " + countItems(photos, videos) + " to " + n.GroupName
	default:
		return people(sayers) + " commented on what you shared in " + n.GroupName
	}
}

// countItems says "23 photos", "1 photo and 2 videos".
func countItems(photos, videos int) string {
	switch {
	case videos == 0:
		return plural(photos, "photo", "photos")
	case photos == 0:
		return plural(videos, "video", "videos")
	}
	return plural(photos, "photo", "photos") + " and " + plural(videos, "video", "videos")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// people says "Ana", "Ana and Bea", "Ana, Bea and 2 others".
func people(names []string) string {
	switch len(names) {
	case 0:
		return "Someone"
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	case 3:
		return names[0] + ", " + names[1] + " and " + names[2]
	}
	return names[0] + ", " + names[1] + " and " + fmt.Sprint(len(names)-2) + " others"
}

var newsText = texttemplate.Must(texttemplate.New("news").Parse(`Hello {{.Name}},
{{if .Daily}}
here is what happened today in {{.GroupName}}.
{{range .Adders}}
{{.Name}} added {{.Items}}.{{end}}
{{else if .Added}}
{{.Headline}}.
{{end}}{{if .Said}}
{{if .Added}}Comments on what you shared:{{else}}{{.Headline}}:{{end}}
{{range .Said}}
{{.Name}}: "{{.Text}}"{{end}}{{if .MoreSaid}}
…and {{.MoreSaid}} more.{{end}}
{{end}}
See it in wmory: {{.Link}}

-- 
You get this because you are a member of {{.GroupName}}{{if .Daily}} and chose a daily summary{{end}}.
To get no more e-mail about this group, open {{.StopLink}}
or change it in the group's settings.
`))

var newsHTML = htmltemplate.Must(htmltemplate.New("news").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Headline}}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem;margin:0 auto;padding:1rem;color:#222">
<p>Hello {{.Name}},</p>
{{if .Daily}}<p>Here is what happened today in <strong>{{.GroupName}}</strong>.</p>
{{if .Adders}}<ul>{{range .Adders}}<li>{{.Name}} added {{.Items}}</li>{{end}}</ul>{{end}}
{{else if .Added}}<p><strong>{{.Headline}}</strong>.</p>{{end}}
{{if .Said}}<p>{{if .Added}}Comments on what you shared:{{else}}<strong>{{.Headline}}</strong>:{{end}}</p>
{{range .Said}}<blockquote style="margin:.5rem 0;padding-left:.75rem;border-left:3px solid #ccc"><strong>{{.Name}}</strong>: {{.Text}}</blockquote>{{end}}
{{if .MoreSaid}}<p>…and {{.MoreSaid}} more.</p>{{end}}{{end}}
<p><a href="{{.Link}}" style="display:inline-block;padding:.5rem 1rem;background:#2f6fde;color:#fff;text-decoration:none;border-radius:6px">See it in wmory</a></p>
<hr style="border:0;border-top:1px solid #ddd">
<p style="font-size:.85rem;color:#666">You get this because you are a member of {{.GroupName}}{{if .Daily}} and chose a daily summary{{end}}.
<a href="{{.StopLink}}" style="color:#666">Get no more e-mail about this group</a>, or change it in the group's settings.</p>
</body></html>
`))
