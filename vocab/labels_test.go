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
	label := map[string]func(string) Label{
		"CycleStage":         func(v string) Label { return CycleStage(v).Label() },
		"ItemStatus":         func(v string) Label { return ItemStatus(v).Label() },
		"CreationPlanStatus": func(v string) Label { return CreationPlanStatus(v).Label() },
		"Role":               func(v string) Label { return Role(v).Label() },
		"Verdict":            func(v string) Label { return Verdict(v).Label() },
		"Severity":           func(v string) Label { return Severity(v).Label() },
		"Source":             func(v string) Label { return Source(v).Label() },
	}
	seen := map[string]int{}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			typ, ok := vs.Type.(*ast.Ident)
			if !ok || label[typ.Name] == nil {
				continue
			}
			for _, v := range vs.Values {
				word := v.(*ast.BasicLit).Value
				word = word[1 : len(word)-1]
				l := label[typ.Name](word)
				if l.Zh == word || l.En == "" { // the fallback shows the word itself
					t.Errorf("%s %q has no labels: %+v", typ.Name, word, l)
				}
				seen[typ.Name]++
			}
		}
	}
	for kind := range label {
		if seen[kind] == 0 {
			t.Errorf("no constants of %s found in vocab.go", kind)
		}
	}
}
