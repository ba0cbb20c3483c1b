package evaluation

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestValuesJSON: the scan reads what MarshalJSON writes exactly as encoding/json does, and hands anything
// else to it.
func TestValuesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var vs Values
		for i := range r.IntN(9) {
			v := r.NormFloat64() * 1e3
			if i%3 == 0 {
				v = float64(r.IntN(100))
			}
			vs = append(vs, Value{Key: string(rune('a'+i)) + "_per_100", Value: Number(v)})
		}
		data, _ := json.Marshal(vs)
		var fast, slow Values
		if err := json.Unmarshal(data, &fast); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if err := slow.decode(data); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if !slices.Equal(fast, slow) || len(fast) != len(vs) {
			t.Fatalf("%s: scanned %v, decoded %v", data, fast, slow)
		}
	}
	for data, ok := range map[string]bool{
		` { "a" : 1.5e2 , "b":-2 } `: true,
		`{"a\"b":1}`:                 true, // an escaped key: encoding/json reads it
		`{"a":1,}`:                   false,
		`{"a":"1"}`:                  false,
		`{"a":0x10}`:                 false,
		`{"a":Infinity}`:             false,
		`[1]`:                        false,
	} {
		var vs Values
		err := json.Unmarshal([]byte(data), &vs)
		if (err == nil) != ok {
			t.Errorf("%s: %v, %v", data, vs, err)
		}
	}
	var vs Values
	if err := json.Unmarshal([]byte(` { "a" : 1.5e2 , "b":-2 } `), &vs); err != nil ||
		!slices.Equal(vs, Values{{"a", 150}, {"b", -2}}) {
		t.Errorf("spaces: %v, %v", vs, err)
	}
}

var valuesJSON = []byte(`{"qualified_teachers_per_100":5.1234,"backbone_teachers_per_100":1.2,` +
	`"pe_art_teachers_per_100":0.95,"teaching_room_area_per_student":4.5,"sports_area_per_student":7.9,` +
	`"equipment_value_per_student":2100,"multimedia_rooms_per_100":2.4}`)

func BenchmarkValuesScan(b *testing.B) {
	for b.Loop() {
		var vs Values
		if err := json.Unmarshal(valuesJSON, &vs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValuesDecode(b *testing.B) {
	for b.Loop() {
		var vs Values
		if err := vs.decode(valuesJSON); err != nil {
			b.Fatal(err)
		}
	}
}
