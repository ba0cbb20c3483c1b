package evaluation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func asInputError(err error, target **InputError) bool { return errors.As(err, target) }

func problemFields(t *testing.T, err error) []string {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v is not an *InputError", err)
	}
	var fields []string
	for _, p := range ie.Problems {
		if p.MessageZh == "" || p.MessageEn == "" {
			t.Errorf("problem %+v lacks a message", p)
		}
		fields = append(fields, p.Field)
	}
	return fields
}

// Every problem of a bad document is listed, field by field, and nothing is decoded.
func TestDecodeListsEveryProblem(t *testing.T) {
	doc := `{
	  "district": {"code": "37021", "name": "黄岛区", "population": 1},
	  "year": 2025,
	  "basic_balance_certified_year": 2026,
	  "schools": [
	    {"code": "S1", "name": "甲", "kind": "primary",
	     "stages": {"primary": {"students": 0, "classes": 2.5, "largest_class": 40, "qualified_teachers": -1,
	                            "backbone_teachers": "3", "pe_art_teachers": 1e400},
	                "junior": {"students": 100, "classes": 3, "largest_class": 40, "qualified_teachers": 6,
	                           "backbone_teachers": 1, "pe_art_teachers": 1}},
	     "facilities": {"teaching_room_area_m2": -5, "sports_area_m2": 100, "equipment_value_yuan": 1,
	                    "multimedia_rooms": 1, "music_rooms": 1}},
	    {"code": "S1", "name": "", "kind": "college", "stages": {},
	     "facilities": {"teaching_room_area_m2": 1, "sports_area_m2": 1, "equipment_value_yuan": 1,
	                    "multimedia_rooms": 1, "music_rooms": 1, "art_rooms": 1, "art_rooms": 2}}
	  ],
	  "government": {"layout_planning_sound": "yes"},
	  "quality": null,
	  "recognition_rate": 91,
	  "vetoes": ["irregular_school_choice", "irregular_school_choice"]
	}`
	in, err := Decode(strings.NewReader(doc))
	want := []string{
		"district.population",
		"schools[0].stages.primary.classes",
		"schools[0].stages.primary.backbone_teachers",
		"schools[0].stages.primary.pe_art_teachers",
		"schools[0].facilities.art_rooms",
		"schools[1].facilities.art_rooms",
		"government.layout_planning_sound",
		"government.urban_rural_unified_standards", // and every other government field: required
		"district.code",
		"basic_balance_certified_year",
		"schools[0].stages.junior",
		"schools[0].facilities.teaching_room_area_m2",
		"schools[0].stages.primary.students",
		"schools[0].stages.primary.qualified_teachers",
		"schools[1].code",
		"schools[1].name",
		"schools[1].kind",
		"schools[1].stages",
		"recognition_rate",
		"vetoes[1]",
	}
	got := problemFields(t, err)
	for _, f := range want {
		if !slices.Contains(got, f) {
			t.Errorf("no problem for %s in %v", f, got)
		}
	}
	// A field is reported once: classes 2.5 is "not a whole number", not also "must be greater than 0".
	for _, f := range []string{"schools[0].stages.primary.classes", "schools[0].stages.primary.students"} {
		if n := count(got, f); n != 1 {
			t.Errorf("%s reported %d times", f, n)
		}
	}
	if in.Schools != nil || in.District.Code != "" {
		t.Errorf("a rejected document was decoded: %+v", in)
	}
}

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

func TestDecodeSyntax(t *testing.T) {
	for doc, want := range map[string]string{
		"":                              "not a complete JSON document",
		"{\n  \"year\": 2025,\n  oops}": "line 3, column 3",
		`{"year": 2025} {}`:             "unexpected content after the JSON document",
		`[1, 2]`:                        "must be an object",
		`{"year": 2025`:                 "not a complete JSON document",
	} {
		_, err := Decode(strings.NewReader(doc))
		var ie *InputError
		if !errors.As(err, &ie) || len(ie.Problems) != 1 || !strings.Contains(ie.Problems[0].MessageEn, want) {
			t.Errorf("%q: %v, want one problem with %q", doc, err, want)
		}
	}
}

// Text is taken only as valid Unicode, refused field by field otherwise; a UTF-8 byte order mark is skipped; codes
// and names come out in NFC, so that two codes differing only in how "é" is encoded are a duplicate.
func TestDecodeText(t *testing.T) {
	doc := sampleText(t)
	with := func(old, new string) string { return strings.Replace(doc, old, new, 1) }
	for _, tc := range []struct {
		name, doc string
		want      []string // the fields with a problem; none when the document is accepted
		message   string   // in the first problem
	}{
		{"invalid UTF-8 in a name", with("实验小学", "实验\xff小学"), []string{"schools[0].name"}, "not valid UTF-8"},
		{"GBK bytes in the district name", with("黄岛区", "\xbb\xc6\xb5\xba\xc7\xf8"), []string{"district.name"},
			"not valid UTF-8"},
		{"invalid UTF-8 in a code", with(`"T001"`, "\"T\xc3\x28\""), []string{"schools[3].code"}, "not valid UTF-8"},
		{"unpaired high surrogate", with("山后教学点", `山后\ud840教学点`), []string{"schools[3].name"}, "unpaired"},
		{"unpaired low surrogate", with("山后教学点", `\udc00山后教学点`), []string{"schools[3].name"}, "unpaired"},
		{"high surrogate before another escape", with("山后教学点", `山后\ud840\n`), []string{"schools[3].name"},
			"unpaired"},
		{"surrogate pair", with("山后教学点", `\ud840\udc00山后教学点`), nil, ""},
		{"escaped backslash, not an escape", with("山后教学点", `山后\\ud840`), nil, ""},
		{"byte order mark", "\xEF\xBB\xBF" + doc, nil, ""},
		{"byte order mark and spaces", "\xEF\xBB\xBF \n" + doc, nil, ""},
		{"UTF-16", "\xFF\xFE{\x00}\x00", []string{"$"}, "UTF-16"},
		// "é" as one code point, then as "e" and a combining acute accent: the same code.
		{"NFD duplicate code", strings.Replace(with(`"S001"`, "\"S\u00e9\""), `"S002"`, "\"Se\u0301\"", 1),
			[]string{"schools[1].code"}, "already used by schools[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Decode(strings.NewReader(tc.doc))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if want := sample(t); len(in.Schools) != len(want.Schools) || in.District != want.District {
					t.Errorf("decoded %+v", in)
				}
				return
			}
			got := problemFields(t, err)
			if !slices.Equal(got, tc.want) || !strings.Contains(err.(*InputError).Problems[0].MessageEn, tc.message) {
				t.Errorf("problems %v, want %v with %q\n%v", got, tc.want, tc.message, err)
			}
		})
	}
}

// Decoded text is in NFC: decomposed text is composed, and text already in NFC, in any script, is left as it is.
func TestDecodeNormalizesText(t *testing.T) {
	for _, tc := range []struct{ name, sent, want string }{
		{"decomposed Latin", "Lu\u0308shun", "L\u00fcshun"},
		{"decomposed Hangul", "\u1112\u1161\u11ab", "\ud55c"}, // 한, as macOS file names spell it
		{"Tibetan", "ལྷ་ས་སློབ་གྲྭ", "ལྷ་ས་སློབ་གྲྭ"},
		{"Mongolian", "ᠮᠣᠩᠭᠣᠯ ᠰᠤᠷᠭᠠᠭᠤᠯᠢ", "ᠮᠣᠩᠭᠣᠯ ᠰᠤᠷᠭᠠᠭᠤᠯᠢ"},
		{"Uyghur", "ئۈرۈمچى مەكتىپى", "ئۈرۈمچى مەكتىپى"},
		{"CJK extension B", "\U00020000\U0002A6A5小学", "\U00020000\U0002A6A5小学"},
	} {
		if !norm.NFC.IsNormalString(tc.want) {
			t.Fatalf("%s: the expected text is not NFC", tc.name)
		}
		sent, err := json.Marshal(tc.sent)
		if err != nil {
			t.Fatal(err)
		}
		doc := strings.Replace(sampleText(t), `"实验小学"`, string(sent), 1)
		doc = strings.Replace(doc, `"S001"`, string(sent), 1)
		doc = strings.Replace(doc, `"黄岛区"`, string(sent), 1)
		in, err := Decode(strings.NewReader(doc))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if s := in.Schools[0]; s.Name != tc.want || s.Code != tc.want || in.District.Name != tc.want {
			t.Errorf("%s: decoded %q, %q, %q; want %q", tc.name, s.Code, s.Name, in.District.Name, tc.want)
		}
	}
}

func sampleText(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/district.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// A document that only omits optional parts is valid; required fields are required.
func TestDecodeRequiredAndOptional(t *testing.T) {
	doc := `{"district": {"code": "370211", "name": "黄岛区"}, "year": 2025, "schools": [
	  {"code": "S", "name": "甲", "kind": "junior",
	   "stages": {"junior": {"students": 100, "classes": 3, "largest_class": 34,
	              "qualified_teachers": 6, "backbone_teachers": 1, "pe_art_teachers": 1}},
	   "facilities": {"teaching_room_area_m2": 600, "sports_area_m2": 1100, "equipment_value_yuan": 260000,
	                  "multimedia_rooms": 3, "music_rooms": 1, "art_rooms": 1}}]}`
	in, err := Decode(strings.NewReader(doc))
	if err != nil || in.Government != nil || in.RecognitionRate != nil || in.Schools[0].Stages.Primary != nil {
		t.Fatalf("minimal document: %v %+v", err, in)
	}
	_, err = Decode(strings.NewReader(strings.Replace(doc, `"year": 2025,`, "", 1)))
	if got := problemFields(t, err); !slices.Equal(got, []string{"year"}) {
		t.Errorf("missing year: %v", got)
	}
}

// A list may hold as many entries as a workbook's sheet holds rows, and no more: one problem names the list, and
// none of its entries is looked at.
func TestDecodeBoundsLists(t *testing.T) {
	school := `{"code": "S", "name": "甲", "kind": "junior"}`
	head := `{"district": {"code": "370211", "name": "黄岛区"}, "year": 2025, "schools": [`
	vetoes := func(n int) string {
		v := make([]string, n)
		for i := range v {
			v[i] = fmt.Sprintf(`"v%d"`, i)
		}
		return strings.Join(v, ",")
	}
	_, err := Decode(strings.NewReader(head + school + strings.Repeat(","+school, MaxRows) + `]}`))
	if got := problemFields(t, err); !slices.Equal(got, []string{"schools"}) {
		t.Errorf("%d schools: %v", MaxRows+1, got)
	}
	// As many schools as allowed, every one wrong, are all reported (BenchmarkDecodeEveryRowWrong measures it).
	_, err = Decode(strings.NewReader(everyRowWrong(head)))
	if got := problemFields(t, err); len(got) < MaxRows {
		t.Errorf("%d empty schools: %d problems", MaxRows, len(got))
	}
	full := head + strings.Replace(school, `"kind"`, `"stages": {}, "facilities": {}, "kind"`, 1) + `], "vetoes": [`
	_, err = Decode(strings.NewReader(full + vetoes(MaxRows) + `]}`))
	if got := problemFields(t, err); slices.Contains(got, "vetoes") {
		t.Errorf("%d veto items: %v", MaxRows, got)
	}
	_, err = Decode(strings.NewReader(full + vetoes(MaxRows+1) + `]}`))
	if got := problemFields(t, err); !slices.Contains(got, "vetoes") || slices.ContainsFunc(got, func(f string) bool {
		return strings.HasPrefix(f, "vetoes[")
	}) {
		t.Errorf("%d veto items: %v", MaxRows+1, got)
	}
}

func everyRowWrong(head string) string { return head + "{}" + strings.Repeat(",{}", MaxRows-1) + `]}` }

// BenchmarkDecodeEveryRowWrong: a document with the most schools allowed, every one wrong. Looking up the fields
// already reported in a list rather than a set made this minutes of work.
func BenchmarkDecodeEveryRowWrong(b *testing.B) {
	doc := everyRowWrong(`{"district": {"code": "370211", "name": "黄岛区"}, "year": 2025, "schools": [`)
	for b.Loop() {
		_, _ = Decode(strings.NewReader(doc))
	}
}

// Numbers that JSON cannot carry but a Go caller (the spreadsheet importer) can are rejected too.
func TestValidateNonFinite(t *testing.T) {
	in := district(goodSchool("S", KindPrimary, Primary, 600))
	in.Schools[0].Facilities.SportsAreaM2 = math.NaN()
	in.Schools[0].Facilities.EquipmentValueYuan = math.Inf(1)
	in.Government.TeachersCertifiedRate = math.NaN()
	in.Schools[0].Stages.Primary.Students = 2e12
	got := problemFields(t, Validate(in, National2017()))
	want := []string{"schools[0].facilities.sports_area_m2", "schools[0].facilities.equipment_value_yuan",
		"schools[0].stages.primary.students", "government.teachers_certified_rate"}
	for _, f := range want {
		if !slices.Contains(got, f) {
			t.Errorf("no problem for %s in %v", f, got)
		}
	}
	if _, err := Evaluate(in, National2017()); err == nil {
		t.Error("Evaluate accepted invalid input")
	}
}

func TestInputErrorText(t *testing.T) {
	err := &InputError{Problems: []Problem{
		{Field: "year", MessageZh: "缺少必填字段", MessageEn: "required field is missing"},
		{Field: "students", Sheet: "学校", Row: 7, Column: "E", MessageZh: "不能为负数", MessageEn: "must not be negative"},
		{Field: "art_rooms", Sheet: "学校", Row: 2, MessageZh: "缺少列", MessageEn: "no column"},
		{Field: "sheet", Sheet: "学校", MessageZh: "缺少工作表", MessageEn: "missing"},
	}}
	want := "year: required field is missing (缺少必填字段)\n学校!E7 students: must not be negative (不能为负数)\n" +
		"学校!2:2 art_rooms: no column (缺少列)\n学校 sheet: missing (缺少工作表)"
	if err.Error() != want {
		t.Errorf("Error() = %q", err.Error())
	}
}

// The output contract of the issue: these fields are exactly here.
func TestResultJSONContract(t *testing.T) {
	in := sample(t)
	in.Schools[2].Facilities.SportsAreaM2 = 7290 // S003: 8.1 m² per pupil
	data, err := json.Marshal(evaluate(t, in, National2017()))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"verdict", "standard", "resource.passes", "resource.stages.primary.passes",
		"resource.stages.junior.indicators.qualified_teachers_per_100.threshold",
		"resource.stages.junior.indicators.qualified_teachers_per_100.cv_limit",
		"resource.stages.junior.indicators.qualified_teachers_per_100.district_value",
		"resource.stages.junior.indicators.qualified_teachers_per_100.cv",
		"resource.stages.junior.indicators.qualified_teachers_per_100.cv_passes",
		"resource.stages.junior.schools.1.code", "resource.stages.junior.schools.1.values.sports_area_per_student",
		"resource.stages.junior.schools.1.met_count", "resource.stages.junior.schools.1.passes",
		"government.passes", "government.items.0.key", "government.items.0.passes", "government.items.0.actual",
		"government.items.0.required", "quality.passes", "quality.items", "recognition.passes", "recognition.rate",
		"prerequisite.passes", "vetoes", "shortfalls.0.part", "shortfalls.0.key", "shortfalls.0.scope",
		"shortfalls.0.school", "shortfalls.0.stage", "shortfalls.0.actual", "shortfalls.0.required",
		"shortfalls.0.needed.sports_area_m2", "shortfalls.0.message_zh", "shortfalls.0.message_en", "shortfalls.0.id",
	} {
		if _, ok := lookup(out, path); !ok {
			t.Errorf("no %s in %s", path, data)
		}
	}
	if v, _ := lookup(out, "verdict"); v != "does_not_meet" {
		t.Errorf("verdict %v", v)
	}
	if v, _ := lookup(out, "shortfalls.0.actual"); v != 8.1 {
		t.Errorf("actual %v", v)
	}
	if v, _ := lookup(out, "shortfalls.0.needed.sports_area_m2"); v != 1890.0 {
		t.Errorf("needed %v", v)
	}
	// A stored result reads back into the same Result.
	var back Result
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(back)
	if !bytes.Equal(again, data) {
		t.Errorf("round trip changed the result:\n%s\n%s", data, again)
	}
}

func lookup(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = node[part]; !ok {
				return nil, false
			}
		case []any:
			i := int(part[0] - '0')
			if len(part) != 1 || i >= len(node) {
				return nil, false
			}
			v = node[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// FuzzDecode: whatever the bytes, Decode either rejects them with problems that name a field and say what is
// wrong in both languages, or returns an input that Evaluate evaluates consistently.
func FuzzDecode(f *testing.F) {
	sampleDoc, err := os.ReadFile("testdata/district.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sampleDoc)
	f.Add([]byte(`{"district": {"code": "370211", "name": "x"}, "year": 2025, "schools": []}`))
	f.Add([]byte(`{"schools": [{"stages": {"senior": {"students": 1}}}], "vetoes": [null]}`))
	f.Add([]byte(`{"year": 1e999, "recognition_rate": -0, "quality": {"monitoring_difference_rate": "0.1"}}`))
	// Text hygiene: a byte order mark, decomposed (NFD) text, an unpaired surrogate escape and invalid UTF-8.
	f.Add(append([]byte("\xEF\xBB\xBF"), sampleDoc...))
	f.Add([]byte(strings.Replace(string(sampleDoc), `"S001"`, "\"Se\u0301\"", 1)))
	f.Add([]byte(`{"district": {"code": "370211", "name": "\ud840\udc00\ud840"}, "schools": [{"code": "` +
		"\xff" + `"}]}`))
	// Issue 14: the pay figures, the tilt shares, and a nine-year school giving each stage its facilities.
	in := sample(f)
	in.Government.TeacherAveragePayYuan, in.Government.CivilServantAveragePayYuan = new(98000.0), new(96500.0)
	in.Government.QuotaShareToRuralWeakRate, in.Government.RuralWeakGraduateShareRate = new(0.4), new(0.35)
	nine := &in.Schools[1]
	whole := nine.Facilities
	nine.Stages.Primary.Facilities, nine.Stages.Junior.Facilities, nine.Facilities = &whole, &whole, Facilities{}
	figures, err := json.Marshal(in)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(figures)
	f.Add([]byte(`{"government": {"teacher_average_pay_yuan": 1}, "schools": [{"kind": "nine_year", "stages": ` +
		`{"primary": {"facilities": {}}}}]}`))
	basic, err := os.ReadFile("testdata/basic-2012.json") // the 2012 figures and conditions
	if err != nil {
		f.Fatal(err)
	}
	f.Add(basic)
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Decode(bytes.NewReader(data))
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || len(ie.Problems) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			for _, p := range ie.Problems {
				if p.Field == "" || p.MessageZh == "" || p.MessageEn == "" {
					t.Fatalf("incomplete problem %+v", p)
				}
			}
			return
		}
		for _, s := range append([]School{{Code: in.District.Code, Name: in.District.Name}}, in.Schools...) {
			if !utf8.ValidString(s.Code+s.Name) || !norm.NFC.IsNormalString(s.Code+s.Name) {
				t.Fatalf("decoded text %q %q is not valid NFC", s.Code, s.Name)
			}
		}
		r, err := Evaluate(in, National2017())
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(ie.Problems[0].Field, "vetoes[") {
				t.Fatalf("decoded input fails evaluation: %v", err)
			}
			return
		}
		if (r.Verdict == Meets) != (len(r.Shortfalls) == 0) {
			t.Fatalf("verdict %s with %d shortfalls", r.Verdict, len(r.Shortfalls))
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("result does not marshal: %v", err)
		}
		// Under the 2012 profile, what it needs and the input lacks is named; what it judges marshals.
		r, err = Evaluate(in, BasicBalance2012())
		var ie *InputError
		switch {
		case errors.As(err, &ie):
			for _, p := range ie.Problems {
				if p.Field == "" || p.MessageZh == "" || p.MessageEn == "" {
					t.Fatalf("basic-2012: incomplete problem %+v", p)
				}
			}
		case err != nil:
			t.Fatalf("basic-2012: %v", err)
		case (r.Verdict == Meets) != (len(r.Shortfalls) == 0):
			t.Fatalf("basic-2012: verdict %s with %d shortfalls", r.Verdict, len(r.Shortfalls))
		default:
			if _, err := json.Marshal(r); err != nil {
				t.Fatalf("basic-2012: result does not marshal: %v", err)
			}
		}
	})
}
