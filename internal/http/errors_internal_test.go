package http

import (
	"net/http"
	"testing"

	"github.com/wmory/wmory"
)

// Every code has its status: an unmapped one would reach clients as a 500.
func TestEveryCodeHasAStatus(t *testing.T) {
	for _, code := range wmory.Codes() {
		status, known := statusOf(code)
		if !known {
			t.Errorf("%s has no HTTP status", code)
		}
		if (status == http.StatusInternalServerError) != (code == wmory.ECodeInternal) {
			t.Errorf("%s → %d", code, status)
		}
	}
	if _, known := statusOf("no_such_code"); known {
		t.Error("an unknown code has a status")
	}
}
