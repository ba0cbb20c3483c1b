package progress

import (
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"junheng/evaluation"
)

// sampleInput is evaluation/testdata/district.json, a district that meets the standard: S001 (primary, 1200
// pupils), S002 (nine-year, 166 + 210), S003 (junior, 900) and T001 (a teaching point of 49, left out).
var sampleInput = sync.OnceValues(func() (evaluation.Input, error) {
	f, err := os.Open("../evaluation/testdata/district.json")
	if err != nil {
		return evaluation.Input{}, err
	}
	defer f.Close()
	return evaluation.Decode(f)
})

// sample returns a deep copy of the sample, to mutate.
func sample(t testing.TB) evaluation.Input {
	t.Helper()
	in, err := sampleInput()
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out evaluation.Input
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// sampleSchools returns fresh copies of the sample's four schools.
func sampleSchools(t testing.TB) []evaluation.School { return sample(t).Schools }

// primary is a fresh copy of S001 under another code: 1200 pupils in 27 classes (largest 45), 60 qualified
// teachers (5 per 100), every indicator met.
func primary(t testing.TB, code string) evaluation.School {
	s := sample(t).Schools[0]
	s.Code, s.Name = code, "学校"+code
	return s
}

// short cuts the qualified teachers to 40: 3.33 per 100, under the floor 0.85 × 4.2 = 3.57, so the school fails
// the per-school rule on that one indicator. 4.2 per 100 of 1200 pupils is 50.4 teachers: 11 more are needed.
func short(s evaluation.School) evaluation.School {
	s.Stages.Primary.QualifiedTeachers = 40
	return s
}

// oversize doubles the school: 2400 pupils (over the 2000 of a primary school) in 54 classes, every quantity
// doubled so the indicators stay as they were; school size is its only shortfall and needs 400 pupils fewer.
func oversize(s evaluation.School) evaluation.School {
	d, f := s.Stages.Primary, &s.Facilities
	d.Students, d.Classes, d.QualifiedTeachers, d.BackboneTeachers, d.PEArtTeachers =
		2*d.Students, 2*d.Classes, 2*d.QualifiedTeachers, 2*d.BackboneTeachers, 2*d.PEArtTeachers
	f.TeachingRoomAreaM2, f.SportsAreaM2, f.EquipmentValueYuan, f.MultimediaRooms, f.MusicRooms, f.ArtRooms =
		2*f.TeachingRoomAreaM2, 2*f.SportsAreaM2, 2*f.EquipmentValueYuan,
		2*f.MultimediaRooms, 2*f.MusicRooms, 2*f.ArtRooms
	return s
}

// largeClass raises the largest primary class to 46, over the limit of 45.
func largeClass(s evaluation.School) evaluation.School {
	s.Stages.Primary.LargestClass = 46
	return s
}

// submitted evaluates the sample district, with these schools, in the year, with the real engine.
func submitted(t testing.TB, year int, schools []evaluation.School, change ...func(*evaluation.Input)) Year {
	t.Helper()
	in := sample(t)
	in.Year, in.Schools = year, schools
	for _, c := range change {
		c(&in)
	}
	r, err := evaluation.Evaluate(in, evaluation.National2017())
	if err != nil {
		t.Fatalf("%d: %v", year, err)
	}
	return Year{Year: year, Input: &in, Result: &r}
}

// with returns the sample's schools followed by more.
func with(t testing.TB, more ...evaluation.School) []evaluation.School {
	return append(sampleSchools(t), more...)
}

// lowRecognition fails social recognition (0.80 < 0.85), a district-level shortfall and a veto.
func lowRecognition(in *evaluation.Input) {
	r := 0.80
	in.RecognitionRate = &r
}

func ptr[T any](v T) *T { return &v }

// flagKeys returns the keys of flags, in order.
func flagKeys(flags []Flag) []string {
	keys := []string{}
	for _, f := range flags {
		keys = append(keys, f.Key)
	}
	return keys
}

// noNilLists fails when a slice that JSON does not omit is nil anywhere in v: outputs show [] rather than null.
func noNilLists(t *testing.T, v any) {
	t.Helper()
	var walk func(path string, v reflect.Value, omitempty bool)
	walk = func(path string, v reflect.Value, omitempty bool) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(path, v.Elem(), false)
			}
		case reflect.Slice:
			if v.IsNil() && !omitempty {
				t.Errorf("%s is nil: JSON null instead of []", path)
			}
			for i := 0; i < v.Len(); i++ {
				walk(path+"["+strconv.Itoa(i)+"]", v.Index(i), false)
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				f := v.Type().Field(i)
				if !f.IsExported() || strings.HasPrefix(f.Type.PkgPath(), "junheng/evaluation") {
					continue // the engine's own values
				}
				walk(path+"."+f.Name, v.Field(i), strings.Contains(f.Tag.Get("json"), "omitempty"))
			}
		}
	}
	walk("", reflect.ValueOf(v), false)
}

// show writes v as JSON for a failure message.
func show(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(data)
}
