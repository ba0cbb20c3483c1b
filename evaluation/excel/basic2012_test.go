package excel

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"

	"junheng/evaluation"
)

func basicInput(t testing.TB) evaluation.Input {
	t.Helper()
	return testInput(t, "basic-2012.json")
}

// Write then Import keeps the 2012 figures and conditions, and the workbook evaluates under basic-2012 as the JSON
// does.
func TestWriteRoundTripBasic2012(t *testing.T) {
	got := roundTrip(t, "basic-2012", basicInput(t))
	if r, err := evaluation.Evaluate(got, evaluation.BasicBalance2012()); err != nil || r.Verdict != evaluation.Meets {
		t.Errorf("%v %v", r.Verdict, err)
	}
}

// A workbook from before the 2012 columns and sheet still imports the same 2017 self-assessment.
func TestImportWithout2012Columns(t *testing.T) {
	f := fill(t, sampleInput(t))
	for _, key := range []string{"library_books", "computers", "intermediate_title_teachers", "teachers"} {
		if err := f.RemoveCol(SheetSchools, columnOf(t, key)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.DeleteSheet(SheetBasic2012); err != nil {
		t.Fatal(err)
	}
	in, err := importFile(t, f)
	if err != nil || !reflect.DeepEqual(in, sampleInput(t)) {
		t.Fatalf("%v", err)
	}
}

// Bad 2012 figures are put on their cells; a partly filled 基本均衡监测 sheet names its empty cell.
func TestImportBasic2012Problems(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, basicInput(t)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf) // not fill: that adds 2017 figures this district does not report
	if err != nil {
		t.Fatal(err)
	}
	fl := filler{t, f}
	computers, teachers := columnOf(t, "computers"), columnOf(t, "teachers")
	fl.set(SheetSchools, computers+"3", "many")
	fl.set(SheetSchools, teachers+"4", -1)
	fl.set(SheetBasic2012, "D4", "")
	fl.set(SheetBasic2012, "D5", 1.2)
	_, err = importFile(t, f)
	want := []where{
		{SheetSchools, 3, computers, "computers"},
		{SheetSchools, 4, teachers, "teachers"},
		{SheetBasic2012, 4, "D", "county_government_score"},
		{SheetBasic2012, 5, "D", "public_satisfaction_rate"},
	}
	if got := problemsOf(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems %v, want %v\n%v", got, want, err)
	}
}

// What only the basic-2012 profile needs is put on its cell when the workbook is read under that profile: an empty
// teachers or computers cell, and an empty 基本均衡监测 sheet on the sheet. Under the 2017 profile they are optional.
func TestImportRequiredByBasic2012(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, basicInput(t)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	fl := filler{t, f}
	computers, teachers := columnOf(t, "computers"), columnOf(t, "teachers")
	fl.set(SheetSchools, teachers+"3", "")
	fl.set(SheetSchools, computers+"4", "")
	for _, ref := range []string{"D3", "D4", "D5"} {
		fl.set(SheetBasic2012, ref, "")
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(bytes.NewReader(out.Bytes()), int64(out.Len()), evaluation.National2017()); err != nil {
		t.Errorf("under national-2017: %v", err)
	}
	_, err = Import(bytes.NewReader(out.Bytes()), int64(out.Len()), evaluation.BasicBalance2012())
	want := []where{
		{SheetSchools, 3, teachers, "teachers"},
		{SheetSchools, 4, computers, "computers"},
		{SheetBasic2012, 0, "", "basic_2012"},
	}
	if got := problemsOf(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems %v, want %v\n%v", got, want, err)
	}
}
