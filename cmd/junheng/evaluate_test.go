package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/xuri/excelize/v2"

	"junheng/evaluation/excel"
)

const sampleJSON = "../../evaluation/testdata/district.json"

// runCommand executes a command built by newCmd and returns stdout, stderr and the exit code main would use.
func runCommand(t *testing.T, newCmd func() *cobra.Command, args ...string) (string, string, int) {
	t.Helper()
	cmd := newCmd()
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.Execute()
	code := 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	return out.String(), errOut.String(), code
}

func writeTempFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvaluateJSON(t *testing.T) {
	out, _, code := runCommand(t, newEvaluateCmd, sampleJSON)
	var result struct {
		Verdict  string `json:"verdict"`
		Standard string `json:"standard"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &result) != nil || result.Verdict != "meets" ||
		result.Standard != "national-2017" {
		t.Fatalf("exit %d, output %.300s", code, out)
	}
	if strings.Contains(out, `\u003e`) {
		t.Error("JSON output escapes HTML characters")
	}
}

func TestEvaluateTable(t *testing.T) {
	data, err := os.ReadFile(sampleJSON)
	if err != nil {
		t.Fatal(err)
	}
	failing := writeTempFile(t, "d.json", strings.Replace(string(data), `"sports_area_m2": 9400`,
		`"sports_area_m2": 7290`, 1))
	out, _, code := runCommand(t, newEvaluateCmd, "--format", "table", failing)
	for _, want := range []string{
		"结论:未达到优质均衡发展标准(does_not_meet)",
		"【初中】在校生 1110 人,参评学校 2 所  未达标",
		"生均体育运动场馆面积",
		"未达标学校:S003 第一中学(6 项达标;低于标准值:生均体育运动场馆面积;低于 85%:生均体育运动场馆面积)",
		"不参与计算:T001 山后教学点(49 人)",
		"四、社会认可度:91%(要求 ≥ 85%)  达标",
		"问题清单(共 1 项)",
		"需增加体育运动场馆面积 1890 m²",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if code != 0 {
		t.Errorf("exit %d for an evaluated district that does not meet the standard", code)
	}
}

func TestEvaluateInvalidInput(t *testing.T) {
	bad := writeTempFile(t, "bad.json",
		`{"district": {"code": "x", "name": "y"}, "year": 2025, "schools": [], "extra": 1}`)
	out, errOut, code := runCommand(t, newEvaluateCmd, bad)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != 1 || out != "" || len(lines) != 3 || !strings.HasPrefix(lines[0], "extra: unknown field") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	// The empty template names its cells.
	tpl := filepath.Join(t.TempDir(), "t.xlsx")
	if _, _, code := runCommand(t, newTemplateCmd, "--out", tpl); code != 0 {
		t.Fatalf("template exit %d", code)
	}
	_, errOut, code = runCommand(t, newEvaluateCmd, tpl)
	if code != 1 || !strings.Contains(errOut, "基本信息!D3 district.code: required field is missing") {
		t.Errorf("empty template: exit %d\n%s", code, errOut)
	}
}

func TestEvaluateXLSX(t *testing.T) {
	tpl := filepath.Join(t.TempDir(), "filled.xlsx")
	if _, _, code := runCommand(t, newTemplateCmd, "--out", tpl); code != 0 {
		t.Fatalf("template exit %d", code)
	}
	f, err := excelize.OpenFile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	for sheet, cells := range map[string]map[string]any{
		excel.SheetBasic: {"D3": "370211", "D4": "黄岛区", "D5": 2025},
		excel.SheetSchools: {"A3": "S1", "B3": "一小", "C3": "小学", "D3": "小学", "E3": 1000, "F3": 24, "G3": 45, "H3": 50,
			"I3": 12, "J3": 10, "K3": 5000, "L3": 8000, "M3": 2.2e6, "N3": 25, "O3": 2, "P3": 2},
	} {
		for ref, v := range cells {
			if err := f.SetCellValue(sheet, ref, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCommand(t, newEvaluateCmd, "--format=json", tpl)
	if code != 0 || !strings.Contains(out, `"verdict": "does_not_meet"`) ||
		!strings.Contains(out, `"id": "government:not_reported:district"`) {
		t.Errorf("exit %d %s\n%.400s", code, errOut, out)
	}
}

// Input hygiene, through both readers: text that is not UTF-8 is refused naming its field, a byte order mark is
// skipped, and codes equal in NFC are duplicates, in JSON as in a workbook (named by its cell).
func TestEvaluateInputText(t *testing.T) {
	data, err := os.ReadFile(sampleJSON)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	nfdCodes := strings.Replace(strings.Replace(doc, `"S001"`, "\"S\u00e9\"", 1), `"S002"`, "\"Se\u0301\"", 1)
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "nfd.xlsx")
	if _, _, code := runCommand(t, newTemplateCmd, "--out", xlsx); code != 0 {
		t.Fatalf("template exit %d", code)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]map[string]any{excel.SheetBasic: {"D3": "370211", "D4": "黄岛区", "D5": 2025},
		excel.SheetSchools: {}}
	for row, code := range map[int]string{3: "S\u00e9", 4: "Se\u0301"} {
		for col, v := range map[string]any{"A": code, "B": "一小", "C": "小学", "D": "小学", "E": 1000, "F": 24, "G": 45,
			"H": 50, "I": 12, "J": 10, "K": 5000, "L": 8000, "M": 2.2e6, "N": 25, "O": 2, "P": 2} {
			cells[excel.SheetSchools][col+strconv.Itoa(row)] = v
		}
	}
	for sheet, refs := range cells {
		for ref, v := range refs {
			if err := f.SetCellValue(sheet, ref, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file string
		code       int
		stderr     string // the only problem listed, when code is 1
	}{
		{"invalid UTF-8", writeTempFile(t, "bad.json", strings.Replace(doc, "实验小学", "实验\xff小学", 1)), 1,
			"schools[0].name: holds bytes that are not valid UTF-8"},
		{"byte order mark", writeTempFile(t, "bom.json", "\xEF\xBB\xBF"+doc), 0, ""},
		{"NFD duplicate in JSON", writeTempFile(t, "nfd.json", nfdCodes), 1,
			`schools[1].code: school code "Sé" is already used by schools[0]`},
		{"NFD duplicate in a workbook", xlsx, 1, `学校!A4 code: school code "Sé" is already used by schools[0]`},
	} {
		out, errOut, code := runCommand(t, newEvaluateCmd, tc.file)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		switch {
		case code != tc.code:
			t.Errorf("%s: exit %d, want %d\n%s", tc.name, code, tc.code, errOut)
		case code == 0 && !strings.Contains(out, `"verdict": "meets"`):
			t.Errorf("%s: output %.300s", tc.name, out)
		case code == 1 && (len(lines) != 1 || !strings.HasPrefix(lines[0], tc.stderr)):
			t.Errorf("%s: stderr\n%s\nwant one problem: %s", tc.name, errOut, tc.stderr)
		}
	}
}

func TestEvaluateUsageErrors(t *testing.T) {
	dir := t.TempDir()
	profile := writeTempFile(t, "p.yaml", "name: shandong\ncv_limits: {junior: 0.4}\n")
	for _, args := range [][]string{
		{},
		{sampleJSON, sampleJSON},
		{"--format", "csv", sampleJSON},
		{"--bogus", sampleJSON},
		{"--profile", filepath.Join(dir, "none.yaml"), sampleJSON},
		{"--profile", writeTempFile(t, "bad.yaml", "name: x\ncv_limits: {junior: -1}\n"), sampleJSON},
		{writeTempFile(t, "d.csv", "a,b")},
		{filepath.Join(dir, "missing.json")},
	} {
		if _, errOut, code := runCommand(t, newEvaluateCmd, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut)
		}
	}
	out, _, code := runCommand(t, newEvaluateCmd, "--profile", profile, sampleJSON)
	if code != 0 || !strings.Contains(out, `"standard": "shandong"`) {
		t.Errorf("with a profile: exit %d", code)
	}
}

func TestTemplateCmd(t *testing.T) {
	out, _, code := runCommand(t, newTemplateCmd, "--out", "-")
	if code != 0 || !strings.HasPrefix(out, "PK") {
		t.Fatalf("template to stdout: exit %d", code)
	}
	path := filepath.Join(t.TempDir(), "t.xlsx")
	if _, errOut, code := runCommand(t, newTemplateCmd, "--out", path); code != 0 || !strings.Contains(errOut, path) {
		t.Fatalf("template to file: exit %d", code)
	}
	f, err := excelize.OpenFile(path)
	if err != nil || len(f.GetSheetList()) != 8 { // the 2017 sheets and 基本均衡监测
		t.Fatalf("written template: %v, sheets %v", err, f.GetSheetList())
	}
	if _, _, code := runCommand(t, newTemplateCmd, "extra"); code == 0 {
		t.Error("template accepted an argument")
	}
}

// TestEvaluateBasic2012Profile: --profile takes a built-in name as well as a file; basic-2012 monitors a district
// certified for basic balance, and asks for the 2012 fields the 2017 sample lacks.
func TestEvaluateBasic2012Profile(t *testing.T) {
	const basic = "../../evaluation/testdata/basic-2012.json"
	out, _, code := runCommand(t, newEvaluateCmd, "--profile", "basic-2012", basic)
	var result struct {
		Verdict   string          `json:"verdict"`
		Standard  string          `json:"standard"`
		Basic2012 json.RawMessage `json:"basic_2012"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &result) != nil || result.Verdict != "meets" ||
		result.Standard != "basic-2012" || result.Basic2012 == nil {
		t.Fatalf("exit %d, output %.300s", code, out)
	}
	out, _, code = runCommand(t, newEvaluateCmd, "--profile", "basic-2012", "--format", "table", basic)
	if code != 0 || !strings.Contains(out, "基本均衡") || !strings.Contains(out, "综合差异系数(各项平均):0.2169(上限 0.55)") {
		t.Errorf("exit %d, table:\n%s", code, out)
	}
	_, errOut, code := runCommand(t, newEvaluateCmd, "--profile", "basic-2012", sampleJSON)
	if code != 1 || !strings.Contains(errOut, "schools[0].stages.primary.teachers: required by standard basic-2012") {
		t.Errorf("2017 input under basic-2012: exit %d, stderr %s", code, errOut)
	}
	if _, _, code := runCommand(t, newEvaluateCmd, "--profile", "national-2017", sampleJSON); code != 0 {
		t.Errorf("--profile national-2017: exit %d", code)
	}
	if _, errOut, code := runCommand(t, newEvaluateCmd, "--profile", "basic-2011", sampleJSON); code != 2 {
		t.Errorf("unknown name: exit %d, %s", code, errOut)
	}
}
