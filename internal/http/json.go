package http

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wmory/wmory"
)

// maxBodyBytes bounds every JSON body: the largest the API takes (a report's
// details) is a few kilobytes.
const maxBodyBytes = 64 << 10

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if v == nil {
		return nil
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	return enc.Encode(v)
}

// decode reads one JSON object of at most 64 KiB into v. Unknown fields are
// refused so that a client cannot believe it set something it did not
// (owner_id, role, …). Errors name the field.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errTooLarge
	}
	if err != nil {
		return wmory.Invalid("body", "could not be read.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return wmory.Invalid("body", "a JSON object is required.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return wmory.Invalid(typeErr.Field, "must be of type "+jsonType(typeErr.Type.Kind().String())+".")
		case errors.As(err, &typeErr):
			return wmory.Invalid("body", "must be a JSON object.")
		case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
			return wmory.Invalid("body", "is not valid JSON.")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			return wmory.Invalid(field, "is not a known field.")
		}
		return wmory.Invalid("body", "is not valid JSON.")
	}
	if dec.More() {
		return wmory.Invalid("body", "must hold exactly one JSON object.")
	}
	return nil
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "int", "int64", "int32", "float64":
		return "number"
	case "struct", "map":
		return "object"
	}
	return kind
}

// page is a list request's position.
type page struct {
	after string
	limit int
}

var validCursorKey = regexp.MustCompile(`^([0-9]{1,16}\.)?[0-9a-z]{26}$`)

var validIDPattern = regexp.MustCompile(`^[0-9a-z]{26}$`)

func validID(s string) bool { return validIDPattern.MatchString(s) }

// sinceUntil reads ?since= and ?until=, each an RFC 3339 time; an absent one
// is the zero time.
func sinceUntil(q url.Values) (since, until time.Time, err error) {
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &since}, {"until", &until}} {
		if v := q.Get(p.name); v != "" {
			if *p.dst, err = time.Parse(time.RFC3339, v); err != nil {
				return since, until, wmory.Invalid(p.name, "must be an RFC 3339 time such as 2026-01-31T00:00:00Z.")
			}
		}
	}
	return since, until, nil
}

// pageOf reads ?cursor= and ?limit= (default 50, at most 200).
func pageOf(r *http.Request) (page, error) {
	p := page{limit: 50}
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return p, wmory.Invalid("limit", "must be a whole number from 1 to 200.")
		}
		p.limit = n
	}
	if v := q.Get("cursor"); v != "" {
		key, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || !validCursorKey.Match(key) {
			return p, wmory.Invalid("cursor", "is not a cursor this API returned.")
		}
		p.after = string(key)
	}
	return p, nil
}

type listBody[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func writeList[T any](w http.ResponseWriter, items []T, next string) error {
	if items == nil {
		items = []T{}
	}
	cursor := ""
	if next != "" {
		cursor = base64.RawURLEncoding.EncodeToString([]byte(next))
	}
	return writeJSON(w, http.StatusOK, listBody[T]{Items: items, NextCursor: cursor})
}

// mapList converts domain values to their JSON shape.
func mapList[A, B any](in []A, f func(A) B) []B {
	out := make([]B, 0, len(in))
	for _, a := range in {
		out = append(out, f(a))
	}
	return out
}
