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

// Every code is declared in errors.go and listed by Codes, so that the checks
// built on the list (each code has its HTTP status) see them all.
func TestCodesListsEveryCode(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	type place struct{ file, name string }
	declared := map[Code]place{}
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
			if typ, ok := spec.Type.(*ast.Ident); !ok || typ.Name != "Code" {
				return true
			}
			for i, v := range spec.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					declared[Code(strings.Trim(lit.Value, `"`))] = place{name, spec.Names[i].Name}
				}
			}
			return true
		})
	}
	if len(declared) < 20 {
		t.Fatalf("found %d codes; the search is broken", len(declared))
	}
	for code, at := range declared {
		if at.file != "errors.go" {
			t.Errorf("%s (%s) is declared in %s, not errors.go", at.name, code, at.file)
		}
		if !slices.Contains(Codes(), code) {
			t.Errorf("Codes() leaves out %s (%s)", at.name, code)
		}
	}
	if len(Codes()) != len(declared) {
		t.Errorf("Codes() lists %d codes; %d are declared", len(Codes()), len(declared))
	}
}
