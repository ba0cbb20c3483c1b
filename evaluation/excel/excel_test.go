package excel

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"junheng/evaluation"
)

func sampleInput(t testing.TB) evaluation.Input {
	t.Helper()
	return testInput(t, "district.json")
}

// testInput decodes a self-assessment of the evaluation package's testdata.
func testInput(t testing.TB, name string) evaluation.Input {
	t.Helper()
	f, err := os.Open("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := evaluation.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func template(t testing.TB) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTemplate(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// filler writes into the template the way a clerk does: finding columns and rows by their keys.
type filler struct {
	t *testing.T
	f *excelize.File
}

func (fl filler) set(sheet, ref string, v any) {
	fl.t.Helper()
	if err := fl.f.SetCellValue(sheet, ref, v); err != nil {
		fl.t.Fatal(err)
	}
}

// value fills the value cell of a key in a key-value sheet.
func (fl filler) value(sheet, key string, v any) {
	fl.t.Helper()
	rows, _ := fl.f.GetRows(sheet)
	for i, r := range rows {
		if len(r) > 2 && r[2] == key {
			fl.set(sheet, fmt.Sprintf("D%d", i+1), v)
			return
		}
	}
	fl.t.Fatalf("no key %s in %s", key, sheet)
}

// school fills one row of the 学校 sheet by column key.
func (fl filler) school(row int, values map[string]any) {
	fl.t.Helper()
	for i, c := range schoolColumns {
		if v, ok := values[c.key]; ok {
			name, _ := excelize.ColumnNumberToName(i + 1)
			fl.set(SheetSchools, fmt.Sprintf("%s%d", name, row), v)
		}
	}
}

// fill writes a whole input with Write, then fills two cells the way clerks also do: the second school repeats
// its facilities on its second row, and a rate is typed as text with a percent sign.
func fill(t *testing.T, in evaluation.Input) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	facilities, err := jsonObject(in.Schools[1].Facilities)
	if err != nil {
		t.Fatal(err)
	}
	fl := filler{t, f}
	fl.school(firstDataRow+2, facilities)
	fl.value(SheetGovernment, "nearby_enrollment_rate.junior", "96%")
	return f
}

func importFile(t *testing.T, f *excelize.File) (evaluation.Input, error) {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return Import(&buf, int64(buf.Len()), evaluation.National2017())
}

// Template → filled → import → evaluate gives what the JSON path gives.
func TestRoundTrip(t *testing.T) {
	want := sampleInput(t)
	got, err := importFile(t, fill(t, want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		t.Fatalf("imported\n%s\nwant\n%s", a, b)
	}
	p := evaluation.National2017()
	r1, err1 := evaluation.Evaluate(got, p)
	r2, err2 := evaluation.Evaluate(want, p)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(r1, r2) || r1.Verdict != evaluation.Meets {
		t.Fatalf("results differ or fail: %v %v %s", err1, err2, r1.Verdict)
	}
}

// Write then Import gives the input back: the sample, the sample without its optional parts, and a district of
// every multi-stage kind with fractional figures and vetoes.
func TestWriteRoundTrip(t *testing.T) {
	bare := sampleInput(t)
	bare.BasicBalanceCertifiedYear, bare.Government, bare.Quality, bare.RecognitionRate = nil, nil, nil, nil
	bare.Vetoes = []string{"admission_by_examination", "data_falsification"}

	mixed := sampleInput(t)
	stage := func(n int) *evaluation.StageData {
		return &evaluation.StageData{Students: n, Classes: n / 40, LargestClass: 44, QualifiedTeachers: n / 15,
			BackboneTeachers: n / 80, PEArtTeachers: n / 90}
	}
	facilities := evaluation.Facilities{TeachingRoomAreaM2: 12345.5, SportsAreaM2: 20000.25,
		EquipmentValueYuan: 4567890.1, MultimediaRooms: 60, MusicRooms: 4, ArtRooms: 4}
	mixed.Schools = append(mixed.Schools,
		evaluation.School{Code: "K001", Name: "十二年一贯制学校", Kind: evaluation.KindTwelveYear, Facilities: facilities,
			Stages: evaluation.Stages{Primary: stage(720), Junior: stage(480),
				Senior: &evaluation.SeniorData{Students: 600}}},
		evaluation.School{Code: "C001", Name: "第二中学", Kind: evaluation.KindCompleteSecondary, Facilities: facilities,
			Stages: evaluation.Stages{Junior: stage(800), Senior: &evaluation.SeniorData{Students: 900}}})
	mixed.Government.NearbyEnrollmentRate.Junior = 0.955
	mixed.Quality.MonitoringLevelIIIReached = false
	mixed.Vetoes = []string{"key_schools_or_classes"}

	for name, in := range map[string]evaluation.Input{"sample": sampleInput(t), "bare": bare, "mixed": mixed} {
		if err := evaluation.Validate(in, evaluation.National2017()); err != nil {
			t.Fatalf("%s is not a valid input: %v", name, err)
		}
		roundTrip(t, name, in)
	}
}

// roundTrip writes in to a workbook and imports it again, which must give in back.
func roundTrip(t *testing.T, name string, in evaluation.Input) evaluation.Input {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	got, err := Import(&buf, int64(buf.Len()), evaluation.National2017())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !reflect.DeepEqual(got, in) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(in)
		t.Errorf("%s imported\n%s\nwant\n%s", name, a, b)
	}
	return got
}

// A veto of another profile (a province's variant) gets a row of its own rather than being dropped; a profile
// that does not know it has it put on its cell.
func TestWriteKeepsOtherVetoes(t *testing.T) {
	in := sampleInput(t)
	in.Vetoes = []string{"data_falsification", "provincial_item"}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	provincial := evaluation.National2017()
	provincial.Vetoes = append(provincial.Vetoes, evaluation.VetoItem{Key: "provincial_item", NameZh: "省定否决项"})
	got, err := Import(bytes.NewReader(buf.Bytes()), int64(buf.Len()), provincial)
	if err != nil || !slices.Equal(got.Vetoes, in.Vetoes) {
		t.Errorf("vetoes %v (%v), want %v", got.Vetoes, err, in.Vetoes)
	}
	_, err = Import(bytes.NewReader(buf.Bytes()), int64(buf.Len()), evaluation.National2017())
	if got, want := problemsOf(t, err), []where{{SheetVetoes, 8, "C", "key"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("under national-2017: %v, want %v\n%v", got, want, err)
	}
}

// A veto marked 是 and an empty optional sheet come through; the evaluation reports the part as missing.
func TestImportVetoAndMissingPart(t *testing.T) {
	in := sampleInput(t)
	f := fill(t, in)
	fl := filler{t, f}
	fl.value(SheetVetoes, "key_schools_or_classes", "是")
	for _, key := range []string{"junior_retention_rate", "disabled_enrollment_rate", "charters_and_digitisation",
		"teacher_training_budget_share_min", "ict_use_good", "moral_education_good", "curriculum_complete",
		"no_excess_burden", "monitoring_level_iii_reached", "monitoring_difference_rate"} {
		fl.value(SheetQuality, key, "")
	}
	got, err := importFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	if got.Quality != nil || !slices.Equal(got.Vetoes, []string{"key_schools_or_classes"}) {
		t.Fatalf("quality %+v, vetoes %v", got.Quality, got.Vetoes)
	}
	r, _ := evaluation.Evaluate(got, evaluation.National2017())
	if !r.Quality.Missing || len(r.Vetoes) != 1 {
		t.Errorf("quality missing %v, vetoes %+v", r.Quality.Missing, r.Vetoes)
	}
}

type where struct {
	sheet  string
	row    int
	column string
	field  string
}

func problemsOf(t *testing.T, err error) []where {
	t.Helper()
	var ie *evaluation.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v is not an *InputError", err)
	}
	var out []where
	for _, p := range ie.Problems {
		if p.MessageZh == "" || p.MessageEn == "" {
			t.Errorf("problem without message: %+v", p)
		}
		out = append(out, where{p.Sheet, p.Row, p.Column, p.Field})
	}
	return out
}

// Every problem names its sheet, row and column, in workbook order.
func TestImportErrorsNameCells(t *testing.T) {
	in := sampleInput(t)
	f := fill(t, in)
	fl := filler{t, f}
	fl.set(SheetSchools, "E3", -5)        // S001 students
	fl.set(SheetSchools, "C5", "九年一贯制学校") // S002's second row: same kind, fine
	fl.set(SheetSchools, "L5", 1)         // S002's repeated sports area differs
	fl.set(SheetSchools, "G6", 2.5)       // S003 largest class
	fl.set(SheetSchools, "C7", "大学")      // T001 kind
	fl.set(SheetSchools, "R2", "remarks") // an unknown key column
	fl.value(SheetGovernment, "layout_planning_sound", "也许")
	fl.value(SheetGovernment, "rotated_teachers", "")
	fl.value(SheetRecognition, "recognition_rate", "91")
	fl.value(SheetBasic, "year", "二〇二五")
	_, err := importFile(t, f)
	got := problemsOf(t, err)
	want := []where{
		{SheetBasic, 5, "D", "year"},
		{SheetSchools, 2, "R", "remarks"},
		{SheetSchools, 3, "E", "students"},
		{SheetSchools, 5, "L", "sports_area_m2"},
		{SheetSchools, 6, "G", "largest_class"},
		{SheetSchools, 7, "C", "kind"},
		{SheetGovernment, 3, "D", "layout_planning_sound"},
		{SheetGovernment, 16, "D", "rotated_teachers"},
		{SheetRecognition, 3, "D", "recognition_rate"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems\n%v\nwant\n%v\n%v", got, want, err)
	}
}

func TestImportSchoolRows(t *testing.T) {
	f := template(t)
	fl := filler{t, f}
	fl.value(SheetBasic, "district.code", "370211")
	fl.value(SheetBasic, "district.name", "黄岛区")
	fl.value(SheetBasic, "year", 2025)
	row := map[string]any{"code": "C1", "name": "一中", "kind": "完全中学", "stage": "初中", "students": 900, "classes": 20,
		"largest_class": 48, "qualified_teachers": 50, "backbone_teachers": 10, "pe_art_teachers": 9,
		"teaching_room_area_m2": 9000, "sports_area_m2": 20000, "equipment_value_yuan": 5e6, "multimedia_rooms": 40,
		"music_rooms": 2, "art_rooms": 2}
	fl.school(3, row)
	fl.school(4, map[string]any{"code": "C1", "name": "一中", "kind": "complete_secondary", "stage": "高中",
		"students": 800, "classes": 99})
	fl.school(5, map[string]any{"code": "C1", "name": "一中", "kind": "初中", "stage": "初中", "students": 1})
	fl.school(6, map[string]any{"code": "C2", "name": "二中", "kind": "初中", "stage": "大学"})
	fl.school(7, map[string]any{"name": "无代码"})
	fl.school(8, map[string]any{"code": "C1", "name": "一中", "kind": "完全中学", "stage": "初中", "students": 1})
	_, err := importFile(t, f)
	want := []where{
		{SheetSchools, 5, "C", "kind"}, // the first row says 完全中学; "complete_secondary" on row 4 is the same
		{SheetSchools, 6, "D", "stage"},
		{SheetSchools, 7, "A", "code"},
		{SheetSchools, 8, "D", "stage"}, // a second 初中 row
	}
	if got := problemsOf(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems %v, want %v\n%v", got, want, err)
	}
	// Without the faulty rows, the senior row counts for the split only (its classes are not read).
	for range 4 {
		if err := f.RemoveRow(SheetSchools, 5); err != nil {
			t.Fatal(err)
		}
	}
	in, err := importFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	s := in.Schools[0]
	if s.Kind != evaluation.KindCompleteSecondary || s.Stages.Senior == nil || s.Stages.Senior.Students != 800 ||
		s.Facilities.SportsAreaM2 != 20000 {
		t.Errorf("school %+v", s)
	}
}

func TestImportRejectsFiles(t *testing.T) {
	bomb := zipBomb(t)
	for name, tc := range map[string]struct {
		data []byte
		size int64
		want string
	}{
		"text":  {[]byte("code,name\nS1,x\n"), 15, "not an Excel workbook"},
		"empty": {nil, 0, "not an Excel workbook"},
		"xls": {append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), 520,
			"legacy .xls"},
		"oversized":  {[]byte("PK\x03\x04"), MaxFileSize + 1, "over the 10 MiB limit"},
		"lying size": {append([]byte("PK\x03\x04"), make([]byte, MaxFileSize)...), 100, "over the 10 MiB limit"},
		"zip":        {zipOf(t, map[string]string{"hello.txt": "hi"}), 0, "cannot read the workbook"},
		"zip bomb":   {bomb, int64(len(bomb)), "cannot read the workbook"},
	} {
		_, err := Import(bytes.NewReader(tc.data), tc.size, evaluation.National2017())
		var ie *evaluation.InputError
		if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Field != "file" ||
			!strings.Contains(ie.Problems[0].MessageEn, tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

func zipOf(t testing.TB, files map[string]string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, content := range files {
		fw, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb is a workbook whose sheet inflates past the unzip limit from a few hundred kilobytes.
func zipBomb(t testing.TB) []byte {
	return zipOf(t, map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?>` +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"xl/worksheets/sheet1.xml": strings.Repeat(" ", unzipLimit+1),
	})
}

func TestTemplateLayout(t *testing.T) {
	f := template(t)
	if got := f.GetSheetList(); !slices.Equal(got, sheetOrder) {
		t.Errorf("sheets %v", got)
	}
	keys, _ := f.GetRows(SheetSchools)
	if len(keys) < keyRow || !slices.Equal(keys[keyRow-1], columnKeys()) || keys[0][0] != "学校代码" {
		t.Errorf("school headers %v", keys)
	}
	dvs, err := f.GetDataValidations(SheetSchools)
	if err != nil || len(dvs) != len(schoolColumns)-2 { // every column but code and name
		t.Errorf("%d validations on 学校: %v", len(dvs), err)
	}
	var kinds string
	for _, dv := range dvs {
		if strings.HasPrefix(dv.Sqref, "C3:") {
			kinds = dv.Formula1
		}
	}
	if !strings.Contains(kinds, "九年一贯制学校") {
		t.Errorf("kind dropdown %q", kinds)
	}
	gov, _ := f.GetRows(SheetGovernment)
	if len(gov) != firstDataRow-1+23 || gov[4][2] != "" || gov[4][0] != "3" {
		t.Errorf("government rows %v", gov)
	}
}

func columnKeys() []string {
	keys := make([]string, len(schoolColumns))
	for i, c := range schoolColumns {
		keys[i] = c.key
	}
	return keys
}

// FuzzImport: whatever the bytes, Import neither panics nor returns an unlocated problem; what it accepts the
// evaluation accepts.
func FuzzImport(f *testing.F) {
	var tpl bytes.Buffer
	if err := WriteTemplate(&tpl); err != nil {
		f.Fatal(err)
	}
	f.Add(tpl.Bytes())
	f.Add(zipOf(f, map[string]string{"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}))
	f.Add([]byte("PK\x03\x04 not really"))
	// Two codes equal in NFC only ("é" composed, and decomposed): a duplicate once Decode normalises them.
	nfd := sampleInput(f)
	nfd.Schools[0].Code, nfd.Schools[1].Code = "S\u00e9", "Se\u0301"
	var filled bytes.Buffer
	if err := Write(&filled, nfd); err != nil {
		f.Fatal(err)
	}
	f.Add(filled.Bytes())
	var perStage bytes.Buffer // issue 14: pay figures, tilt shares, facilities per stage
	if err := Write(&perStage, figuresInput(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(perStage.Bytes())
	var basic bytes.Buffer // the 2012 figures and the 基本均衡监测 sheet
	if err := Write(&basic, basicInput(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(basic.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		// Under each built-in profile, every problem is put on its cell, and what imports evaluates.
		for _, p := range []evaluation.Profile{evaluation.National2017(), evaluation.BasicBalance2012()} {
			in, err := Import(bytes.NewReader(data), int64(len(data)), p)
			if err != nil {
				var ie *evaluation.InputError
				if !errors.As(err, &ie) || len(ie.Problems) == 0 {
					t.Fatalf("%s: error without problems: %v", p.Name, err)
				}
				for _, pr := range ie.Problems {
					if pr.MessageZh == "" || pr.MessageEn == "" || (pr.Field != "file" && pr.Sheet == "") {
						t.Fatalf("%s: unlocated problem %+v", p.Name, pr)
					}
				}
				continue
			}
			if _, err := evaluation.Evaluate(in, p); err != nil {
				t.Fatalf("%s: imported input fails evaluation: %v", p.Name, err)
			}
		}
	})
}

// A deleted sheet, a deleted column and a renamed key are named as such, and the rest of the sheet is not
// reported cell by cell.
func TestImportStructure(t *testing.T) {
	f := fill(t, sampleInput(t))
	if err := f.DeleteSheet(SheetBasic); err != nil {
		t.Fatal(err)
	}
	if err := f.RemoveCol(SheetSchools, "P"); err != nil { // art_rooms
		t.Fatal(err)
	}
	filler{t, f}.set(SheetGovernment, "C3", "layout_planning")
	_, err := importFile(t, f)
	want := []where{
		{SheetBasic, 0, "", "sheet"},
		{SheetSchools, 2, "", "art_rooms"},
		{SheetGovernment, 0, "", "layout_planning_sound"}, // its row now has an unknown key
		{SheetGovernment, 3, "C", "key"},
	}
	if got := problemsOf(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems %v, want %v\n%v", got, want, err)
	}
}
