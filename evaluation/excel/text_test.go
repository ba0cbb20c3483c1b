package excel

import (
	"archive/zip"
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"

	"junheng/evaluation"
)

// Codes and names are normalised (NFC) by evaluation.Decode, which Import runs: two rows whose codes differ only in
// how "é" is encoded are two schools with the same code, reported on the second one's cell; a decomposed name
// comes out composed, and a name already in NFC, in any script, comes out as typed.
func TestImportNormalizesText(t *testing.T) {
	f := template(t)
	fl := filler{t, f}
	fl.value(SheetBasic, "district.code", "370211")
	fl.value(SheetBasic, "district.name", "Lu\u0308shun") // decomposed ü
	fl.value(SheetBasic, "year", 2025)
	row := func(code, name string) map[string]any {
		return map[string]any{"code": code, "name": name, "kind": "小学", "stage": "小学", "students": 1000,
			"classes": 24, "largest_class": 45, "qualified_teachers": 50, "backbone_teachers": 12,
			"pe_art_teachers": 10, "teaching_room_area_m2": 5000, "sports_area_m2": 8000, "equipment_value_yuan": 2.2e6,
			"multimedia_rooms": 25, "music_rooms": 2, "art_rooms": 2}
	}
	names := []string{"ལྷ་ས་སློབ་གྲྭ", "ᠮᠣᠩᠭᠣᠯ ᠰᠤᠷᠭᠠᠭᠤᠯᠢ", "\U00020000\U0002A6A5小学"} // Tibetan, Mongolian, CJK ext. B
	for i, name := range names {
		fl.school(firstDataRow+i, row(string(rune('A'+i)), name))
	}
	in, err := importFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	if in.District.Name != "L\u00fcshun" {
		t.Errorf("district name %q is not composed", in.District.Name)
	}
	for i, name := range names {
		if in.Schools[i].Name != name {
			t.Errorf("name %q came out as %q", name, in.Schools[i].Name)
		}
	}

	fl.school(firstDataRow, row("S\u00e9", "一小"))
	fl.school(firstDataRow+1, row("Se\u0301", "二小"))
	_, err = importFile(t, f)
	want := []where{{SheetSchools, firstDataRow + 1, "A", "code"}}
	if got := problemsOf(t, err); !reflect.DeepEqual(got, want) || !strings.Contains(err.Error(), "already used") {
		t.Errorf("problems %v, want %v\n%v", got, want, err)
	}
}

// Excel never writes invalid UTF-8, and a workbook that carries some is refused by the XML parser before any cell
// is read: every problem still names a sheet and a row, and none of the text is taken altered.
func TestImportRefusesInvalidUTF8(t *testing.T) {
	var buf bytes.Buffer
	if err := fill(t, sampleInput(t)).Write(&buf); err != nil {
		t.Fatal(err)
	}
	data := replaceInZip(t, buf.Bytes(), "实验小学", "实验\xff小学")
	_, err := Import(bytes.NewReader(data), int64(len(data)), evaluation.National2017())
	got := problemsOf(t, err)
	if len(got) == 0 || !strings.Contains(err.Error(), "invalid UTF-8") {
		t.Fatalf("accepted or unexplained: %v", err)
	}
	for _, w := range got {
		if w.sheet == "" || w.row == 0 {
			t.Errorf("unlocated problem %+v", w)
		}
	}
}

// replaceInZip replaces old with new in every part of a zip archive that contains it.
func replaceInZip(t testing.TB, data []byte, old, new string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	replaced := false
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		part, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(part, []byte(old)) {
			part, replaced = bytes.ReplaceAll(part, []byte(old), []byte(new)), true
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(part); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !replaced {
		t.Fatalf("no part holds %q", old)
	}
	return buf.Bytes()
}
