package evaluation

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Shortfall is one failing check: the seed of a rectification item. ID is stable across evaluations of the same
// district ("resource:sports_area_per_student:school:S007:junior"), so a finding made from it can be matched next
// year. Needed gives, for school-level resource and checklist shortfalls (and teacher rotation), the smallest
// change of raw quantities, keyed like the input fields, that closes the shortfall at the current enrollment:
// positive to add (m², yuan and teachers rounded up to whole units), negative to reduce.
type Shortfall struct {
	ID        string           `json:"id"`
	Part      Part             `json:"part"`
	Key       string           `json:"key"`
	Criterion string           `json:"criterion,omitempty"`
	Scope     Scope            `json:"scope"`
	School    string           `json:"school,omitempty"`
	Stage     SchoolStage      `json:"stage,omitempty"`
	Missing   bool             `json:"missing,omitempty"`
	Actual    Amount           `json:"actual"`
	Op        Op               `json:"op"`
	Required  Amount           `json:"required"`
	Needed    map[string]int64 `json:"needed,omitempty"`
	// Schools lists, for a difference coefficient, the schools furthest below the district value.
	Schools   []string `json:"schools,omitempty"`
	MessageZh string   `json:"message_zh"`
	MessageEn string   `json:"message_en"`
}

// NotReportedKey is the key of the shortfall raised for a part that was not given.
const NotReportedKey = "not_reported"

// finding is a shortfall before its ID and messages are written.
type finding struct {
	Shortfall
	school         *School
	nameZh, nameEn string // what was measured
	unit           string // unit of Actual and Required; "%" shows a fraction as a percentage
	noteZh, noteEn string
	vetoZh, vetoEn string // set for a reported veto
}

// failWords say how a failed comparison failed.
var failWords = map[Op][2]string{AtLeast: {"低于要求", "below the required"}, AtMost: {"超过上限", "above the limit"},
	Below: {"未低于上限", "not below the limit"}}

// QuantityName says what a raw quantity of Needed is called in Chinese, and its unit; an unknown key is its own
// name.
func QuantityName(key string) (zh, unit string) {
	if q, ok := quantityNames[key]; ok {
		return q[0], q[1]
	}
	return key, ""
}

// quantityNames name the raw quantities of Needed: Chinese name and unit, English text before and after the amount.
var quantityNames = map[string][4]string{
	"qualified_teachers":          {"高于规定学历教师", "人", "", " teachers above the required degree"},
	"backbone_teachers":           {"县级及以上骨干教师", "人", "", " backbone teachers"},
	"pe_art_teachers":             {"体育、艺术专任教师", "人", "", " PE and art teachers"},
	"teaching_room_area_m2":       {"教学及辅助用房面积", "m²", "", " m² of teaching and auxiliary rooms"},
	"sports_area_m2":              {"体育运动场馆面积", "m²", "", " m² of sports area"},
	"equipment_value_yuan":        {"教学仪器设备值", "元", "¥", " of teaching equipment"},
	"multimedia_rooms":            {"网络多媒体教室", "间", "", " multimedia classrooms"},
	"teachers":                    {"专任教师", "人", "", " full-time teachers"},
	"intermediate_title_teachers": {"中级及以上专业技术职务教师", "人", "", " teachers with intermediate or higher titles"},
	"computers":                   {"教学用计算机", "台", "", " computers"},
	"library_books":               {"图书", "册", "", " library books"},
	"music_rooms":                 {"音乐专用教室", "间", "", " music rooms"},
	"art_rooms":                   {"美术专用教室", "间", "", " art rooms"},
	"students":                    {"在校生", "人", "", " students"},
	"classes":                     {"教学班", "个", "", " classes"},
	"largest_class":               {"最大班额", "人", "", " pupils in the largest class"},
	"rotated_teachers":            {"交流轮岗教师", "人", "", " rotated teachers"},
	"rotated_backbone_teachers":   {"交流轮岗骨干教师", "人", "", " rotated backbone teachers"},
}

// unitsEn translate the units of findings; counts of people and rooms need none in English.
var unitsEn = map[string]string{"人": "", "间": "", "台": "", "册": "", "元": "yuan", "m²": "m²"}

// shortfall writes the ID and the messages. It runs for every shortfall of a district, so it builds strings
// directly rather than through fmt.
func (f *finding) shortfall() Shortfall {
	s := f.Shortfall
	var id strings.Builder
	id.Grow(96)
	write(&id, string(s.Part), ":", s.Key)
	if s.Criterion != "" {
		write(&id, ".", s.Criterion)
	}
	write(&id, ":", string(s.Scope))
	if s.School != "" {
		write(&id, ":", s.School)
	}
	if s.Stage != "" {
		write(&id, ":", string(s.Stage))
	}
	s.ID = id.String()

	var zh, en strings.Builder
	zh.Grow(256)
	en.Grow(256)
	switch {
	case f.school != nil && s.Stage != "":
		write(&zh, f.school.Code, " ", f.school.Name, "(", s.Stage.NameZh(), "):")
		write(&en, f.school.Code, " ", f.school.Name, " (", s.Stage.NameEn(), "): ")
	case f.school != nil:
		write(&zh, f.school.Code, " ", f.school.Name, ":")
		write(&en, f.school.Code, " ", f.school.Name, ": ")
	case s.Stage != "":
		write(&zh, s.Stage.NameZh(), "阶段:")
		write(&en, s.Stage.NameEn(), " stage: ")
	}
	switch {
	case f.vetoZh != "":
		write(&zh, "一票否决:", f.vetoZh)
		write(&en, "veto: ", f.vetoEn)
	case s.Missing:
		write(&zh, f.nameZh, "未填报,按未达标处理")
		write(&en, f.nameEn, " not reported; counted as not met")
	case s.Actual.kind == amountYesNo:
		write(&zh, f.nameZh, ":未达到要求")
		write(&en, f.nameEn, ": not met")
	default:
		w := failWords[s.Op]
		var abuf, rbuf [32]byte
		actual, required := appendBeside(abuf[:0], rbuf[:0], s.Actual.number, s.Required.number, 3, f.unit == "%")
		write(&zh, f.nameZh, "为 ")
		f.value(&zh, actual, false)
		write(&zh, ",", w[0], " ")
		f.value(&zh, required, false)
		write(&en, f.nameEn, " is ")
		f.value(&en, actual, true)
		write(&en, ", ", w[1], " ")
		f.value(&en, required, true)
	}
	if len(s.Needed) > 0 {
		zh.WriteString(";需")
		en.WriteString("; needs ")
		writeNeeded(&zh, &en, s.Needed)
	}
	if f.noteZh != "" {
		write(&zh, "(", f.noteZh, ")")
		write(&en, " (", f.noteEn, ")")
	}
	s.MessageZh, s.MessageEn = zh.String(), en.String()
	return s
}

// writeNeeded lists the needed quantities in key order: "增加体育运动场馆面积 1,260 m²", "+1,260 m² of sports area".
func writeNeeded(zh, en *strings.Builder, needed map[string]int64) {
	keys := make([]string, 0, len(needed))
	for k := range needed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		n, q := needed[k], quantityNames[k]
		verb, sign := "增加", "+"
		if n < 0 {
			verb, sign, n = "减少", "−", -n
		}
		if i > 0 {
			zh.WriteString("、")
			en.WriteString(", ")
		}
		var buf [24]byte
		amount := group(strconv.AppendInt(buf[:0], n, 10))
		write(zh, verb, q[0], " ", string(amount), " ", q[1])
		write(en, sign, q[2], string(amount), q[3])
	}
}

// value writes a value formatted by Beside for a message, with its unit: a percentage, or a number with
// thousands separators.
func (f *finding) value(b *strings.Builder, v []byte, english bool) {
	if f.unit == "%" {
		b.Write(v)
		b.WriteByte('%')
		return
	}
	b.Write(group(v))
	unit := f.unit
	if english {
		unit = unitsEn[unit]
	}
	if unit != "" {
		write(b, " ", unit)
	}
}

func write(b *strings.Builder, parts ...string) {
	for _, p := range parts {
		b.WriteString(p)
	}
}

// percent shows a fraction as a percentage with up to 2 decimals.
func percent(v float64) string {
	return string(appendDecimal(nil, v, 2, true)) + "%"
}

// appendDecimal appends v rounded to at most d decimals, without trailing zeros; pct shows a fraction as a
// percentage (the number without its "%").
func appendDecimal(b []byte, v float64, d int, pct bool) []byte {
	p := math.Pow10(d)
	if pct {
		return strconv.AppendFloat(b, math.Round(v*(p*100))/p, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, math.Round(v*p)/p, 'f', -1, 64)
}

// maxDecimals bounds Beside: values differing only beyond it still look alike (float64 holds no more).
const maxDecimals = 15

// Beside writes an actual value and the limit it is compared with, both with the fewest decimals, at least d,
// that make them differ when they differ, so that a message never reads "0.45, above the limit 0.45" for
// 0.4500000517 (it shows 0.4500001). Rounding is monotonic, so the actual then also shows on its true side of the
// limit. Both get the same number of decimals, so a limit with more decimals than usual is not rounded onto the
// actual either.
func Beside(actual, limit float64, d int, pct bool) (a, l string) {
	ab, lb := appendBeside(nil, nil, actual, limit, d, pct)
	return string(ab), string(lb)
}

// appendBeside is Beside appending to a and l, for messages written without allocating.
func appendBeside(a, l []byte, actual, limit float64, d int, pct bool) ([]byte, []byte) {
	for ; ; d++ {
		a, l = appendDecimal(a[:0], actual, d, pct), appendDecimal(l[:0], limit, d, pct)
		if !bytes.Equal(a, l) || actual == limit || d >= maxDecimals {
			return a, l
		}
	}
}

// group puts thousands separators into the integer part of a decimal number of 5 digits or more.
func group(s []byte) []byte {
	intPart, frac, _ := bytes.Cut(s, []byte("."))
	if len(intPart) < 5 {
		return s
	}
	out := make([]byte, 0, len(s)+len(intPart)/3)
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, c)
	}
	if frac != nil {
		out = append(append(out, '.'), frac...)
	}
	return out
}

// smallest returns the smallest whole n ≥ 0 for which closes(n) holds. The estimate comes from solving the
// inequality; float rounding can leave it a unit short, so it steps up while closes fails, a few times at most
// (beyond 2^53 a unit is lost in rounding and stepping would never end).
func smallest(estimate float64, closes func(n float64) bool) int64 {
	n := math.Max(0, math.Ceil(estimate-tolerance(estimate)))
	for range 3 {
		if closes(n) {
			break
		}
		n++
	}
	return int64(math.Min(n, math.MaxInt64/2))
}
