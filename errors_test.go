package wmory

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// constPlace is where a constant of the domain is declared.
type constPlace struct{ file, name string }

// declaredConstants finds the constants of the named type in the package's
// own files, by value.
func declaredConstants(t *testing.T, typeName string) map[string]constPlace {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]constPlace{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			if typ, ok := spec.Type.(*ast.Ident); !ok || typ.Name != typeName {
				return true
			}
			for i, v := range spec.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					found[strings.Trim(lit.Value, `"`)] = constPlace{name, spec.Names[i].Name}
				}
			}
			return true
		})
	}
	if len(found) < 5 {
		t.Fatalf("found %d constants of type %s; the search is broken", len(found), typeName)
	}
	return found
}

// Every code is declared in errors.go and listed by Codes, so that the checks
// built on the list (each code has its HTTP status and its line in
// docs/API.md) see them all.
func TestCodesListsEveryCode(t *testing.T) {
	declared := declaredConstants(t, "Code")
	for code, at := range declared {
		if at.file != "errors.go" {
			t.Errorf("%s (%s) is declared in %s, not errors.go", at.name, code, at.file)
		}
		if !slices.Contains(Codes(), Code(code)) {
			t.Errorf("Codes() leaves out %s (%s)", at.name, code)
		}
	}
	if len(Codes()) != len(declared) {
		t.Errorf("Codes() lists %d codes; %d are declared", len(Codes()), len(declared))
	}
}

// Audit actions and targets are declared in audit.go, each name once.
func TestAuditWordsInOnePlace(t *testing.T) {
	for _, typ := range []string{"AuditAction", "AuditTarget"} {
		for value, at := range declaredConstants(t, typ) {
			if at.file != "audit.go" {
				t.Errorf("%s (%s) is declared in %s, not audit.go", at.name, value, at.file)
			}
		}
	}
}
