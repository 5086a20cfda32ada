package mail

import (
	"net/url"
	"strings"
)

// Letters composes wmory's e-mails with their links. Links are built from the
// configured base URL only, never from request headers, so that nobody can
// make wmory mail out a link to their own host.
type Letters struct {
	Base *url.URL
}

func (l Letters) link(path string, query url.Values) string {
	u := *l.Base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = query.Encode()
	return u.String()
}

func (l Letters) VerifyEmail(to, name, token string) Message {
	return VerifyEmail(to, name, l.link("/verify-email", url.Values{"token": {token}}))
}

func (l Letters) AlreadyRegistered(to, name string) Message {
	return AlreadyRegistered(to, name, l.link("/", nil), l.link("/forgot-password", nil))
}

func (l Letters) PasswordReset(to, name, token string) Message {
	return PasswordReset(to, name, l.link("/reset-password", url.Values{"token": {token}}))
}

func (l Letters) PasswordChanged(to, name string) Message { return PasswordChanged(to, name) }

func (l Letters) ReportFiled(to, groupID, groupName string) Message {
	return ReportFiled(to, groupName, l.link("/groups/"+groupID+"/reports", nil))
}

func (l Letters) Trashed(to, name, groupID, groupName string, by []string, count, days int) Message {
	return Trashed(to, name, groupName, by, count, days, l.link("/groups/"+url.PathEscape(groupID)+"/trash", nil))
}
