package http

import (
	"html/template"
	"net/http"

	"github.com/wmory/wmory"
)

// Server-rendered landing pages for the links wmory e-mails, so that they work
// from any mail client with no JavaScript. They confirm only on a POST from the
// page itself: mail scanners that pre-open links cannot spend a token.

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · wmory</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;line-height:1.5}
label,input,button{display:block;width:100%;box-sizing:border-box;margin:.5rem 0}input,button{padding:.6rem;font-size:1rem}
.error{color:#a00}</style></head>
<body><main><h1>{{.Title}}</h1>
{{if .Message}}<p role="status" {{if .Error}}class="error"{{end}}>{{.Message}}</p>{{end}}
{{if .Form}}<form method="post" action="{{.Action}}">
<input type="hidden" name="token" value="{{.Token}}">
{{if .AskEmail}}<label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="email" required>{{end}}
{{if .AskPassword}}<label for="password">New password (at least 10 characters)</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required>{{end}}
<button type="submit">{{.Button}}</button></form>{{end}}
</main></body></html>`))

type pageData struct {
	Title, Message, Action, Token, Button string
	Error, Form, AskEmail, AskPassword    bool
}

// registerPages serves the account pages (confirm, reset, forgot) when no
// app is built in, and the unsubscribe page always: it is the server's,
// whether or not the app is, so that it needs no JavaScript at all.
func (s *Server) registerPages() {
	page := s.page
	s.mux.Handle("GET /unsubscribe", page(func(w http.ResponseWriter, r *http.Request) pageData {
		return pageData{Title: "Stop e-mail about this group", Message: "You will get no more e-mail about this group; you can turn it on again in the group's settings.",
			Form: true, Action: "/unsubscribe", Token: r.URL.Query().Get("token"), Button: "Stop these e-mails"}
	}))
	s.mux.Handle("POST /unsubscribe", page(func(w http.ResponseWriter, r *http.Request) pageData {
		group, err := s.db.Unsubscribe(r.Context(), r.PostFormValue("token"))
		if err != nil {
			return pageData{Title: "Stop e-mail about this group", Error: true, Message: s.pageMessage(r, err)}
		}
		return pageData{Title: "E-mail stopped", Message: "You will get no more e-mail about " + group + ". You can turn it on again in the group's settings."}
	}))
	if s.cfg.App != nil {
		return // the app has screens of its own for the account's links
	}
	s.mux.Handle("GET /{$}", page(func(w http.ResponseWriter, r *http.Request) pageData {
		return pageData{Title: "wmory", Message: "Your private group gallery. The API lives under /api/v1 and is described at /api/openapi.json."}
	}))
	s.mux.Handle("GET /verify-email", page(func(w http.ResponseWriter, r *http.Request) pageData {
		return pageData{Title: "Confirm your e-mail", Form: true, Action: "/verify-email", Token: r.URL.Query().Get("token"), Button: "Confirm my e-mail address"}
	}))
	s.mux.Handle("POST /verify-email", page(func(w http.ResponseWriter, r *http.Request) pageData {
		if _, err := s.confirmEmail(w, r, r.PostFormValue("token")); err != nil {
			return pageData{Title: "Confirm your e-mail", Error: true, Message: s.pageMessage(r, err)}
		}
		return pageData{Title: "E-mail confirmed", Message: "Your account is active. You can sign in now."}
	}))
	s.mux.Handle("GET /reset-password", page(func(w http.ResponseWriter, r *http.Request) pageData {
		return pageData{Title: "Choose a new password", Form: true, AskPassword: true, Action: "/reset-password", Token: r.URL.Query().Get("token"), Button: "Set password"}
	}))
	s.mux.Handle("POST /reset-password", page(func(w http.ResponseWriter, r *http.Request) pageData {
		if err := s.resetPassword(r, r.PostFormValue("token"), r.PostFormValue("password")); err != nil {
			d := pageData{Title: "Choose a new password", Error: true, Message: s.pageMessage(r, err)}
			if wmory.ErrorCode(err) == wmory.ECodeWeakPassword {
				d.Form, d.AskPassword, d.Action, d.Token, d.Button = true, true, "/reset-password", r.PostFormValue("token"), "Set password"
			}
			return d
		}
		return pageData{Title: "Password changed", Message: "Your password is set and every session was signed out. Sign in with the new password."}
	}))
	s.mux.Handle("GET /forgot-password", page(func(w http.ResponseWriter, r *http.Request) pageData {
		return pageData{Title: "Forgot your password?", Form: true, AskEmail: true, Action: "/forgot-password", Button: "Send me a reset link"}
	}))
	s.mux.Handle("POST /forgot-password", page(func(w http.ResponseWriter, r *http.Request) pageData {
		email, err := wmory.NormalizeEmail(r.PostFormValue("email"))
		if err == nil {
			err = s.db.QueuePasswordReset(r.Context(), s.actor(r), email)
		}
		if err != nil {
			return pageData{Title: "Forgot your password?", Error: true, Message: s.pageMessage(r, err)}
		}
		return pageData{Title: "Check your e-mail", Message: "If an account uses this address, a reset link is on its way."}
	}))
}

func (s *Server) pageMessage(r *http.Request, err error) string {
	if wmory.ErrorCode(err) == wmory.ECodeInternal {
		s.log.Error("page", "request_id", requestID(r.Context()), "err", err)
	}
	return wmory.ErrorMessage(err)
}

// page serves a server-rendered page, with the headers that keep its token in it.
func (s *Server) page(h func(w http.ResponseWriter, r *http.Request) pageData) http.Handler {
	return s.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		d := h(w, r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		// Tokens sit in these pages' URLs: they must not leave in a Referer.
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		if d.Error {
			w.WriteHeader(http.StatusBadRequest)
		}
		pageTemplate.Execute(w, d)
	}))
}
