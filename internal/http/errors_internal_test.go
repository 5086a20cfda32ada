package http

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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

// docs/API.md, the API's reference for its users, names every route and
// every code with the status it answers.
func TestAPIReferenceIsComplete(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "API.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range routes() {
		if !strings.Contains(string(doc), rt.method+" "+rt.path) {
			t.Errorf("docs/API.md does not describe %s %s", rt.method, rt.path)
		}
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| ([0-9]{3}) \\|")
	documented := map[wmory.Code]int{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		documented[wmory.Code(m[1])], _ = strconv.Atoi(m[2])
	}
	for _, code := range wmory.Codes() {
		status, _ := statusOf(code)
		if documented[code] != status {
			t.Errorf("docs/API.md gives %s the status %d; it answers %d", code, documented[code], status)
		}
	}
	if len(documented) != len(wmory.Codes()) {
		t.Errorf("docs/API.md lists %d codes; there are %d", len(documented), len(wmory.Codes()))
	}
}
