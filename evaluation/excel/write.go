package excel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"junheng/evaluation"
)

// Write writes the template filled with in, so that a district can download its saved data, change it in Excel
// and upload it again: one 学校 row per school and stage with the facilities on the school's first row (or on
// each stage's row, marked 是 in 设施按学段填报, when the school gives them per stage), the
// key-value sheets by key (yes/no as 是/否, rates as fractions), and 是 on the vetoes that apply. Import reads in
// back unchanged, except that its vetoes come in the template's order and none is an empty list.
func Write(w io.Writer, in evaluation.Input) error {
	// The filled file is the very workbook districts download, with its layout, formats and dropdowns.
	var tpl bytes.Buffer
	if err := WriteTemplate(&tpl); err != nil {
		return err
	}
	f, err := excelize.OpenReader(&tpl)
	if err != nil {
		return err
	}
	defer f.Close()
	doc, err := jsonObject(in)
	if err != nil {
		return err
	}
	if err := writeForms(f, doc); err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	if err := writeSchools(f, in.Schools); err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	if err := writeVetoes(f, in.Vetoes); err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	return f.Write(w)
}

// jsonObject is v as the importer's JSON document: the canonical keys of the template are its JSON names.
func jsonObject(v any) (map[string]any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(data, &m)
}

// writeForms fills the value cells of the key-value sheets; a part the input lacks stays empty, as Import
// expects of a missing part.
func writeForms(f *excelize.File, doc map[string]any) error {
	for _, fm := range forms {
		for i, it := range fm.items {
			if it.key == "" {
				continue // a row shown for information
			}
			v, ok := lookup(doc, join(fm.part, it.key))
			if !ok {
				continue
			}
			if err := f.SetCellValue(fm.sheet, fmt.Sprintf("D%d", firstDataRow+i), cellValue(v)); err != nil {
				return err
			}
		}
	}
	return nil
}

// lookup finds a dotted path ("government.nearby_enrollment_rate.primary") in a JSON document.
func lookup(doc map[string]any, path string) (any, bool) {
	head, rest, nested := strings.Cut(path, ".")
	v, ok := doc[head]
	if !ok || !nested {
		return v, ok
	}
	child, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	return lookup(child, rest)
}

// cellValue writes yes/no as the template's dropdown values; numbers and text go as they are.
func cellValue(v any) any {
	if b, ok := v.(bool); ok {
		if b {
			return "是"
		}
		return "否"
	}
	return v
}

// writeSchools writes one row per school and stage in the template's stage order; the senior row holds its
// students only.
func writeSchools(f *excelize.File, schools []evaluation.School) error {
	row := firstDataRow
	for _, s := range schools {
		doc, err := jsonObject(s)
		if err != nil {
			return err
		}
		byStage := doc["stages"].(map[string]any)
		facilities, _ := doc["facilities"].(map[string]any) // absent when given per stage
		for _, g := range stages {
			values, ok := byStage[string(g)].(map[string]any) // absent stages are omitted in JSON
			if !ok {
				continue
			}
			values["code"], values["name"], values["kind"], values["stage"] =
				s.Code, s.Name, s.Kind.NameZh(), g.NameZh()
			if own, ok := values["facilities"].(map[string]any); ok {
				facilities, values[facilitiesPerStage] = own, "是"
			}
			for k, v := range facilities {
				values[k] = v
			}
			facilities = nil // whole-school figures go on the school's first row only
			cells := make([]any, len(schoolColumns))
			for i, c := range schoolColumns {
				cells[i] = values[c.key]
			}
			if err := f.SetSheetRow(SheetSchools, fmt.Sprintf("A%d", row), &cells); err != nil {
				return err
			}
			row++
		}
	}
	return nil
}

// writeVetoes marks the template's veto rows that apply with 是, and adds a row for a key the template lacks
// (another profile's), so that nothing the district reported is dropped.
func writeVetoes(f *excelize.File, vetoes []string) error {
	items := evaluation.National2017().Vetoes
	extra := 0
	for _, key := range vetoes {
		i := slices.IndexFunc(items, func(v evaluation.VetoItem) bool { return v.Key == key })
		if i < 0 {
			i = len(items) + extra
			extra++
			if err := f.SetCellValue(SheetVetoes, fmt.Sprintf("C%d", firstDataRow+i), key); err != nil {
				return err
			}
		}
		if err := f.SetCellValue(SheetVetoes, fmt.Sprintf("D%d", firstDataRow+i), "是"); err != nil {
			return err
		}
	}
	return nil
}
