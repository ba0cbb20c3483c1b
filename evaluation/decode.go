package evaluation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Decode reads one JSON self-assessment and validates it. Unlike encoding/json, which stops at the first unknown
// field or wrong type, it walks the whole document and returns an *InputError listing every problem: syntax,
// unknown or duplicate fields, wrong types, missing required fields, then every value problem of Input.Problems.
// Veto keys are checked against a profile by Validate (Evaluate does it). Decode imposes no size limit: the caller
// bounds r (an http.MaxBytesReader); a read error is returned as it is, not as an *InputError.
//
// Text is refused unless it is valid Unicode, and is put in Unicode normal form C, so that codes and names that
// look the same compare the same (see decoder.text). A UTF-8 byte order mark before the document is skipped.
// Every caller goes through here: the API, the CLI and the spreadsheet importer, which builds a document.
func Decode(r io.Reader) (Input, error) {
	var in Input
	data, err := io.ReadAll(r)
	if err != nil {
		return Input{}, err
	}
	// Windows editors (Notepad among them) may start a UTF-8 file with a byte order mark, which RFC 8259 §8.1 lets
	// a parser ignore; encoding/json does not. A UTF-16 one (Notepad's "Unicode") would be an obscure syntax error.
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return Input{}, &InputError{Problems: []Problem{{Field: "$", MessageZh: "文件是 UTF-16 编码,请另存为 UTF-8",
			MessageEn: "the document is UTF-16: save it as UTF-8"}}}
	}
	if p := checkSyntax(data); p != nil {
		return Input{}, &InputError{Problems: []Problem{*p}}
	}
	d := &decoder{}
	d.value("$", bytes.TrimSpace(data), reflect.ValueOf(&in).Elem())
	for i := range in.Schools {
		// A school's facilities may be left out only when its stages give their own (School.Facilities).
		if path := fmt.Sprintf("schools[%d].facilities", i); d.absent[path] && !in.Schools[i].stageFacilities() {
			d.fail(path, "缺少必填字段(九年一贯制、完全中学、十二年一贯制学校也可在各学段下填报 facilities)",
				"required field is missing (a combined school may give facilities under each stage instead)")
		}
	}
	if problems := append(d.problems, in.Problems(d.reported...)...); len(problems) > 0 {
		return Input{}, &InputError{Problems: problems}
	}
	return in, nil
}

// checkSyntax returns a problem when data is not exactly one JSON value.
func checkSyntax(data []byte) *Problem {
	dec := json.NewDecoder(bytes.NewReader(data))
	var root json.RawMessage
	err := dec.Decode(&root)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return &Problem{Field: "$", MessageZh: "JSON 文档结尾有多余内容",
				MessageEn: "unexpected content after the JSON document"}
		}
		return nil
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line := 1 + bytes.Count(data[:syn.Offset], []byte("\n"))
		col := syn.Offset - int64(bytes.LastIndexByte(data[:syn.Offset], '\n')) - 1
		return &Problem{Field: "$",
			MessageZh: fmt.Sprintf("不是有效的 JSON(第 %d 行第 %d 列):%v", line, col, syn),
			MessageEn: fmt.Sprintf("not valid JSON (line %d, column %d): %v", line, col, syn)}
	}
	return &Problem{Field: "$", MessageZh: "不是完整的 JSON 文档", MessageEn: "not a complete JSON document"}
}

// MaxRows bounds every list of a self-assessment (its schools, its veto items), in JSON as in a workbook's sheet:
// a district has a few hundred schools, and the bound keeps a hostile document from costing minutes of work.
const MaxRows = 10_000

// decoder fills an Input from a syntactically valid document, recording a problem per bad field and the paths it
// reported so that Input.Problems does not report them again.
type decoder struct {
	problems []Problem
	reported []string
	absent   map[string]bool // fields tagged optional that the document leaves out
}

func (d *decoder) fail(path, zh, en string) {
	d.problems = append(d.problems, Problem{Field: path, MessageZh: zh, MessageEn: en})
	d.reported = append(d.reported, path)
}

func (d *decoder) value(path string, raw []byte, v reflect.Value) {
	if string(raw) == "null" {
		if k := v.Kind(); k != reflect.Pointer && k != reflect.Slice {
			d.fail(path, "不能为 null", "must not be null")
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		d.value(path, raw, v.Elem())
	case reflect.Struct:
		d.object(path, raw, v)
	case reflect.Slice:
		d.array(path, raw, v)
	case reflect.String:
		d.text(path, raw, v)
	case reflect.Bool:
		if s := string(raw); s == "true" || s == "false" {
			v.SetBool(s == "true")
		} else {
			d.fail(path, "应为 true 或 false", "must be true or false")
		}
	case reflect.Int:
		d.integer(path, raw, v)
	case reflect.Float64:
		if f, ok := d.number(path, raw); ok {
			v.SetFloat(f)
		}
	}
}

// text sets a string field. encoding/json would quietly turn invalid UTF-8 and an unpaired surrogate escape
// ("\ud800") into U+FFFD, storing a name other than the one sent: both are refused, naming the field. The text is
// then put in normal form C: "é" typed as one code point (U+00E9) or as "e" and a combining accent (U+0301, as
// macOS and some input methods produce it) becomes the same string, so that the duplicate-code check of
// Input.Problems and every later comparison see one code. Text already in NFC, as nearly all text is (Chinese,
// Tibetan, Mongolian, Uyghur, CJK extension B), is left as it is.
func (d *decoder) text(path string, raw []byte, v reflect.Value) {
	var s string
	switch {
	case raw[0] != '"' || json.Unmarshal(raw, &s) != nil:
		d.fail(path, "应为文本", "must be a string")
	case !utf8.Valid(raw):
		d.fail(path, "含有无效的 UTF-8 字节;请将文件另存为 UTF-8 编码(GBK 等编码须先转换)",
			"holds bytes that are not valid UTF-8: save the file as UTF-8 (convert it if it is GBK)")
	case unpairedSurrogate(raw):
		d.fail(path, "含有不成对的 \\u 代理项转义,不是有效的 Unicode 文本",
			"holds an unpaired \\u surrogate escape, which is not valid Unicode text")
	default:
		v.SetString(norm.NFC.String(s))
	}
}

// unpairedSurrogate reports whether the JSON string raw (syntactically valid, quotes included) escapes half of a
// UTF-16 surrogate pair without the other half.
func unpairedSurrogate(raw []byte) bool {
	high := false // the previous character was an escaped high surrogate, \ud800 to \udbff
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || raw[i+1] != 'u' {
			if high {
				return true
			}
			if raw[i] == '\\' {
				i++ // skip the escaped character: \\ is not the start of an escape
			}
			continue
		}
		r, _ := strconv.ParseUint(string(raw[i+2:i+6]), 16, 32)
		i += 5
		isHigh, isLow := r >= 0xD800 && r < 0xDC00, r >= 0xDC00 && r < 0xE000
		if high != isLow {
			return true
		}
		high = isHigh
	}
	return high
}

// number parses a JSON number; strings like "12" are rejected so that a spreadsheet export with text cells is
// caught rather than guessed.
func (d *decoder) number(path string, raw []byte) (float64, bool) {
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		d.fail(path, "应为数字", "must be a number")
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		d.fail(path, "数值超出范围", "number is out of range")
	}
	return f, err == nil
}

func (d *decoder) integer(path string, raw []byte, v reflect.Value) {
	f, ok := d.number(path, raw)
	switch {
	case !ok:
	case f != math.Trunc(f):
		d.fail(path, "应为整数", "must be a whole number")
	case math.Abs(f) > maxNumber:
		d.fail(path, "数值过大,请核对", "is implausibly large; check the figure")
	default:
		v.SetInt(int64(f))
	}
}

func (d *decoder) object(path string, raw []byte, v reflect.Value) {
	if raw[0] != '{' {
		d.fail(path, "应为对象", "must be an object")
		return
	}
	fields := jsonFields(v.Type())
	seen := make(map[string]bool, len(fields))
	members(raw, func(key string, val []byte) {
		p := memberPath(path, key)
		i := fieldIndex(fields, key)
		switch {
		case i < 0:
			d.fail(p, "未知字段", "unknown field")
		case seen[key]:
			d.fail(p, "字段重复", "duplicate field")
		default:
			d.value(p, val, v.Field(fields[i].index))
		}
		seen[key] = true
	})
	for _, f := range fields {
		switch {
		case seen[f.name]:
		case f.checked:
			if d.absent == nil {
				d.absent = map[string]bool{}
			}
			d.absent[memberPath(path, f.name)] = true
		case !f.optional:
			d.fail(memberPath(path, f.name), "缺少必填字段", "required field is missing")
		}
	}
}

func (d *decoder) array(path string, raw []byte, v reflect.Value) {
	if raw[0] != '[' {
		d.fail(path, "应为数组", "must be an array")
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	_, _ = dec.Token() // [
	var vals []json.RawMessage
	for dec.More() {
		if len(vals) == MaxRows {
			d.fail(path, fmt.Sprintf("最多 %d 项", MaxRows), fmt.Sprintf("at most %d entries", MaxRows))
			return
		}
		var val json.RawMessage
		_ = dec.Decode(&val) // the document passed checkSyntax
		vals = append(vals, val)
	}
	for i, val := range vals {
		v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		d.value(fmt.Sprintf("%s[%d]", path, i), val, v.Index(i))
	}
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// memberPath names a member of the object at path: "schools[0].code", or `$["odd key"]` for a key that is
// not a plain name.
func memberPath(path, key string) string {
	switch {
	case !plainKey.MatchString(key):
		return path + "[" + strconv.Quote(key) + "]"
	case path == "$":
		return key
	}
	return path + "." + key
}

// members calls f for each member of a syntactically valid JSON object, duplicates included.
func members(raw []byte, f func(key string, val []byte)) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	_, _ = dec.Token() // {
	for dec.More() {
		tok, _ := dec.Token()
		var val json.RawMessage
		_ = dec.Decode(&val)
		f(tok.(string), val)
	}
}

type jsonField struct {
	name     string
	index    int
	optional bool
	// checked fields (tag option "optional", which encoding/json ignores and always writes) may be left out when
	// Decode's own check says so; their absence is recorded.
	checked bool
}

// jsonFields lists the JSON fields of a struct type; a field tagged omitempty is optional.
func jsonFields(t reflect.Type) []jsonField {
	fields := make([]jsonField, 0, t.NumField())
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		fields = append(fields, jsonField{name: name, index: i, optional: opts == "omitempty",
			checked: opts == "optional"})
	}
	return fields
}

func fieldIndex(fields []jsonField, name string) int {
	for i, f := range fields {
		if f.name == name {
			return i
		}
	}
	return -1
}
