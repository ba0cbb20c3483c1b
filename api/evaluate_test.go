package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/store"
	"junheng/store/storetest"
)

// TestEvaluateProfile: POST /evaluate judges by the server's profile, or by the built-in one named in ?profile=;
// any other name is refused before the body is read, naming the built-in ones.
func TestEvaluateProfile(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	e, office := seeded(t, db, 1, func(d *Deps) { d.Profile = evaluation.National2017() })
	read := func(file string) []byte {
		data, err := os.ReadFile("../evaluation/testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	national, basic := read("district.json"), read("basic-2012.json")
	var r evaluation.Result
	rec := send(e, office, http.MethodPost, "/api/v1/evaluate", echo.MIMEApplicationJSON, national)
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &r) != nil ||
		r.Standard != evaluation.NationalName {
		t.Fatalf("default profile: %d %.300s", rec.Code, rec.Body)
	}
	rec = send(e, office, http.MethodPost, "/api/v1/evaluate?profile=basic-2012", echo.MIMEApplicationJSON, basic)
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &r) != nil || r.Standard != "basic-2012" ||
		r.Verdict != evaluation.Meets || r.Basic2012 == nil {
		t.Fatalf("basic-2012: %d %.300s", rec.Code, rec.Body)
	}
	// A 2017 self-assessment lacks the 2012 fields: each is named.
	rec = send(e, office, http.MethodPost, "/api/v1/evaluate?profile=basic-2012", echo.MIMEApplicationJSON, national)
	p := problemOf(t, rec)
	if rec.Code != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != "basic_2012" {
		t.Errorf("2017 input under basic-2012: %d %.300s", rec.Code, rec.Body)
	}
	// The same as a workbook: the missing figures are put on their cells, the conditions on their sheet.
	var in evaluation.Input
	if err := json.Unmarshal(national, &in); err != nil {
		t.Fatal(err)
	}
	var xlsx bytes.Buffer
	if err := excel.Write(&xlsx, in); err != nil {
		t.Fatal(err)
	}
	rec = send(e, office, http.MethodPost, "/api/v1/evaluate?profile=basic-2012", excel.ContentType, xlsx.Bytes())
	p = problemOf(t, rec)
	if last := len(p.Errors) - 1; rec.Code != http.StatusUnprocessableEntity || last < 0 ||
		p.Errors[0].Sheet != excel.SheetSchools || p.Errors[0].Row == 0 ||
		p.Errors[last].Sheet != excel.SheetBasic2012 {
		t.Errorf("2017 workbook under basic-2012: %d %.300s", rec.Code, rec.Body)
	}
	for _, name := range []string{"basic-2011", "../../etc/passwd.yaml"} {
		rec = send(e, office, http.MethodPost, "/api/v1/evaluate?profile="+name, echo.MIMEApplicationJSON, national)
		p := problemOf(t, rec)
		if rec.Code != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "profile" ||
			!strings.Contains(p.Errors[0].MessageEn, "basic-2012, national-2017") {
			t.Errorf("profile %q: %d %.300s", name, rec.Code, rec.Body)
		}
	}
}
