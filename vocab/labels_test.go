package vocab

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestEveryWordHasLabels reads the constants declared in vocab.go, so that a word added there without its labels
// fails here rather than showing as its raw value on a page.
func TestEveryWordHasLabels(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "vocab.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{"CycleStage": "stage", "ItemStatus": "status", "CreationPlanStatus": "plan",
		"Role": "role", "SchoolStatus": "school", "Verdict": "verdict", "Severity": "severity", "Source": "source"}
	seen := map[string]int{}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			typ, ok := vs.Type.(*ast.Ident)
			if !ok || kinds[typ.Name] == "" {
				continue
			}
			for _, v := range vs.Values {
				word := v.(*ast.BasicLit).Value
				word = word[1 : len(word)-1]
				l := LabelOf(kinds[typ.Name], word)
				if l.Zh == word || l.En == "" { // the fallback shows the word itself
					t.Errorf("%s %q has no labels: %+v", typ.Name, word, l)
				}
				seen[typ.Name]++
			}
		}
	}
	for kind := range kinds {
		if seen[kind] == 0 {
			t.Errorf("no constants of %s found in vocab.go", kind)
		}
	}
}
