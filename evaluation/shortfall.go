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
	Stage     Stage            `json:"stage,omitempty"`
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
	"qualified_teachers":        {"高于规定学历教师", "人", "", " teachers above the required degree"},
	"backbone_teachers":         {"县级及以上骨干教师", "人", "", " backbone teachers"},
	"pe_art_teachers":           {"体育、艺术专任教师", "人", "", " PE and art teachers"},
	"teaching_room_area_m2":     {"教学及辅助用房面积", "m²", "", " m² of teaching and auxiliary rooms"},
	"sports_area_m2":            {"体育运动场馆面积", "m²", "", " m² of sports area"},
	"equipment_value_yuan":      {"教学仪器设备值", "元", "¥", " of teaching equipment"},
	"multimedia_rooms":          {"网络多媒体教室", "间", "", " multimedia classrooms"},
	"music_rooms":               {"音乐专用教室", "间", "", " music rooms"},
	"art_rooms":                 {"美术专用教室", "间", "", " art rooms"},
	"students":                  {"在校生", "人", "", " students"},
	"classes":                   {"教学班", "个", "", " classes"},
	"largest_class":             {"最大班额", "人", "", " pupils in the largest class"},
	"rotated_teachers":          {"交流轮岗教师", "人", "", " rotated teachers"},
	"rotated_backbone_teachers": {"交流轮岗骨干教师", "人", "", " rotated backbone teachers"},
}

// unitsEn translate the units of findings; counts of people and rooms need none in English.
var unitsEn = map[string]string{"人": "", "间": "", "元": "yuan", "m²": "m²"}

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
		write(&zh, f.nameZh, "为 ")
		f.value(&zh, s.Actual.number, false)
		write(&zh, ",", w[0], " ")
		f.value(&zh, s.Required.number, false)
		write(&en, f.nameEn, " is ")
		f.value(&en, s.Actual.number, true)
		write(&en, ", ", w[1], " ")
		f.value(&en, s.Required.number, true)
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

// value writes a value for a message: a percentage for a fraction, up to 3 decimals otherwise, with its unit.
func (f *finding) value(b *strings.Builder, v float64, english bool) {
	if f.unit == "%" {
		b.WriteString(percent(v))
		return
	}
	var buf [32]byte
	b.Write(group(strconv.AppendFloat(buf[:0], math.Round(v*1e3)/1e3, 'f', -1, 64)))
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
	return strconv.FormatFloat(math.Round(v*1e4)/100, 'f', -1, 64) + "%"
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
