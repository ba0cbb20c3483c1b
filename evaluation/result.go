package evaluation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"junheng/vocab"
)

// Verdict is the overall conclusion; the word is the vocabulary's.
type Verdict = vocab.Verdict

// The verdicts.
const (
	Meets       = vocab.VerdictMeets
	DoesNotMeet = vocab.VerdictDoesNotMeet
)

// Part is a part of the standard; shortfalls name the part they belong to.
type Part string

// The parts, in the order shortfalls are listed.
const (
	PartVeto         Part = "veto"
	PartPrerequisite Part = "prerequisite"
	PartResource     Part = "resource"
	PartGovernment   Part = "government"
	PartQuality      Part = "quality"
	PartRecognition  Part = "recognition"
)

// Scope says what a shortfall is about: the whole district, one stage of the district, or one school.
type Scope string

// The scopes.
const (
	ScopeDistrict Scope = "district"
	ScopeStage    Scope = "stage"
	ScopeSchool   Scope = "school"
)

// Op is how an actual value must compare with the required one.
type Op string

// The comparisons.
const (
	AtLeast Op = "at_least"
	AtMost  Op = "at_most"
	Below   Op = "below"
	Equal   Op = "equals"
)

// Symbol is the mathematical sign of the comparison, for display: ≥, ≤, < or =.
func (o Op) Symbol() string {
	return map[Op]string{AtLeast: "≥", AtMost: "≤", Below: "<", Equal: "="}[o]
}

// EngineVersion is the version of the engine's reading of the standard, raised whenever the same input and profile
// could get another verdict or other shortfalls:
//   - 1: the rules up to November 2026 (results without an engine field);
//   - 2: small teaching points held to items 3-5, a twelve-year school's size counting its senior pupils, stages
//     without pupils and rotation without eligible teachers not applicable, failing schools counted once
//     (issue 14).
const EngineVersion = 2

// Result is the evaluation of one district. Every float is kept unrounded; JSON shows Numbers rounded to 4
// decimals, while every pass/fail was decided on the unrounded value (see compare).
type Result struct {
	Verdict  Verdict `json:"verdict"`
	Standard string  `json:"standard"`
	// Engine and ProfileDigest say which rules judged: the engine's version (Engine; 0 in results stored before
	// it was recorded, which version 1 judged) and the exact profile (the start of a SHA-256 of its JSON). A
	// stored result keeps its verdict when the rules change; only a new submission is judged by the new ones.
	Engine        int                `json:"engine,omitempty"`
	ProfileDigest string             `json:"profile_digest,omitempty"`
	District      District           `json:"district"`
	Year          int                `json:"year"`
	Prerequisite  PrerequisiteResult `json:"prerequisite"`
	Resource      ResourceResult     `json:"resource"`
	Government    ChecklistResult    `json:"government"`
	Quality       ChecklistResult    `json:"quality"`
	Recognition   RecognitionResult  `json:"recognition"`
	// Basic2012 is set under a 2012 basic-balance profile, whose prerequisite, government, quality and
	// recognition parts are then NotApplicable: passing and empty.
	Basic2012  *Basic2012Result `json:"basic_2012,omitempty"`
	Vetoes     []Veto           `json:"vetoes"`
	Shortfalls []Shortfall      `json:"shortfalls"`
}

// PrerequisiteResult: basic balance certified no later than LatestAllowedYear.
type PrerequisiteResult struct {
	Passes            bool `json:"passes"`
	NotApplicable     bool `json:"not_applicable,omitempty"`
	Missing           bool `json:"missing,omitempty"`
	CertifiedYear     *int `json:"certified_year"`
	LatestAllowedYear int  `json:"latest_allowed_year"`
}

// ResourceResult is the resource-allocation part, per compulsory stage present in the district.
type ResourceResult struct {
	Passes bool                         `json:"passes"`
	Stages map[SchoolStage]*StageResult `json:"stages"`
	// Excluded lists the teaching points left out under the cutoff.
	Excluded []ExcludedSchool `json:"excluded"`
}

// StageResult is one stage: an entry per indicator and per school that enters the calculation.
type StageResult struct {
	Passes     bool                        `json:"passes"`
	Students   int                         `json:"students"`
	Indicators map[string]*IndicatorResult `json:"indicators"`
	// CVMean is the mean of the coefficients, set when the profile tests the mean (CVMean rule).
	CVMean  *Number        `json:"cv_mean,omitempty"`
	Schools []SchoolResult `json:"schools"`
}

// IndicatorResult is one indicator of one stage. DistrictValue is the enrollment-weighted mean X̄ (total quantity
// over total pupils), CV the enrollment-weighted difference coefficient.
type IndicatorResult struct {
	Threshold     Number `json:"threshold"`
	CVLimit       Number `json:"cv_limit"`
	DistrictValue Number `json:"district_value"`
	CV            Number `json:"cv"`
	CVPasses      bool   `json:"cv_passes"`
	SchoolsBelow  int    `json:"schools_below_threshold"`
}

// SchoolResult is one school in one stage; a combined school appears under each of its stages.
type SchoolResult struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Kind     Kind   `json:"kind"`
	Students int    `json:"students"`
	Values   Values `json:"values"`
	MetCount int    `json:"met_count"`
	Passes   bool   `json:"passes"`
	// BelowThreshold lists the indicators under their threshold (allowed for one, if above the floor), and
	// BelowFloor those under the floor.
	BelowThreshold []string `json:"below_threshold,omitempty"`
	BelowFloor     []string `json:"below_floor,omitempty"`
}

// Values are a school's indicator values in the profile's order; JSON shows them as an object keyed by indicator.
// (A slice rather than a map: a province has tens of thousands of them.)
type Values []Value

// Value is one indicator value.
type Value struct {
	Key   string
	Value Number
}

// Get returns the value of the indicator key.
func (vs Values) Get(key string) (float64, bool) {
	for _, v := range vs {
		if v.Key == key {
			return float64(v.Value), true
		}
	}
	return 0, false
}

// MarshalJSON writes {"key": value, ...} in order.
func (vs Values) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, v.Key)
		n, _ := v.Value.MarshalJSON()
		b = append(append(b, ':'), n...)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads what MarshalJSON writes, keeping the order. A stored evaluation holds one object per school
// and stage, and reports read many, so the form MarshalJSON writes is scanned directly, in less than half the
// time (BenchmarkValuesScan against BenchmarkValuesDecode); anything else goes through encoding/json.
func (vs *Values) UnmarshalJSON(data []byte) error {
	if out, ok := scanValues(data, (*vs)[:0]); ok {
		*vs = out
		return nil
	}
	return vs.decode(data)
}

// scanValues reads {"key":number,...} with no escapes in the keys; ok is false for anything else.
func scanValues(data []byte, out Values) (_ Values, ok bool) {
	s := bytes.TrimSpace(data)
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	for s = bytes.TrimSpace(s[1 : len(s)-1]); len(s) > 0; {
		end := bytes.IndexByte(s, ':')
		key := bytes.TrimSpace(s[:max(end, 0)])
		if end < 0 || len(key) < 2 || key[0] != '"' || key[len(key)-1] != '"' ||
			bytes.ContainsAny(key[1:len(key)-1], "\\\"") {
			return nil, false
		}
		num, rest, more := bytes.Cut(s[end+1:], []byte(","))
		num = bytes.TrimSpace(num)
		if len(num) == 0 || strings.Trim(string(num), "0123456789+-.eE") != "" {
			return nil, false
		}
		v, err := strconv.ParseFloat(string(num), 64)
		if err != nil {
			return nil, false
		}
		out = append(out, Value{Key: string(key[1 : len(key)-1]), Value: Number(v)})
		if s = bytes.TrimSpace(rest); more && len(s) == 0 {
			return nil, false // a trailing comma
		}
	}
	return out, true
}

func (vs *Values) decode(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("values must be an object")
	}
	*vs = (*vs)[:0]
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		var v float64
		if err := dec.Decode(&v); err != nil {
			return err
		}
		*vs = append(*vs, Value{Key: key.(string), Value: Number(v)})
	}
	return nil
}

// ExcludedSchool is a school left out of the resource calculation.
type ExcludedSchool struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Students int    `json:"students"`
	ReasonZh string `json:"reason_zh"`
	ReasonEn string `json:"reason_en"`
}

// ChecklistResult is the government or the quality part. Missing is set when the part was not given: its
// district items then fail as missing, while items computed from school data are still evaluated.
type ChecklistResult struct {
	Passes        bool   `json:"passes"`
	NotApplicable bool   `json:"not_applicable,omitempty"`
	Missing       bool   `json:"missing,omitempty"`
	Items         []Item `json:"items"`
}

// Item is one numbered item of a checklist. Actual and Required summarise its criteria for display. NotApplicable
// is set when every criterion is not applicable (see Criterion); the item then passes.
type Item struct {
	No            int         `json:"no"`
	Key           string      `json:"key"`
	NameZh        string      `json:"name_zh"`
	NameEn        string      `json:"name_en"`
	Passes        bool        `json:"passes"`
	Missing       bool        `json:"missing,omitempty"`
	NotApplicable bool        `json:"not_applicable,omitempty"`
	Actual        string      `json:"actual"`
	Required      string      `json:"required"`
	Criteria      []Criterion `json:"criteria"`
}

// Criterion is one comparison inside an item; an item computed per school lists its failing schools. A criterion
// that does not apply to the district (a stage it has no pupils in, rotation with no eligible teacher) is
// NotApplicable: it passes, with no actual value (JSON null).
type Criterion struct {
	Key           string           `json:"key"`
	Scope         Scope            `json:"scope"`
	School        string           `json:"school,omitempty"`
	Stage         SchoolStage      `json:"stage,omitempty"`
	Actual        Amount           `json:"actual"`
	Op            Op               `json:"op"`
	Required      Amount           `json:"required"`
	Passes        bool             `json:"passes"`
	NotApplicable bool             `json:"not_applicable,omitempty"`
	Needed        map[string]int64 `json:"needed,omitempty"`
	// declared marks a yes/no passed on a declaration whose figures are missing (DeclaredFiguresMissing).
	declared bool
}

// RecognitionResult is the social-recognition part.
type RecognitionResult struct {
	Passes        bool    `json:"passes"`
	NotApplicable bool    `json:"not_applicable,omitempty"`
	Missing       bool    `json:"missing,omitempty"`
	Rate          *Number `json:"rate"`
	Required      Number  `json:"required"`
}

// Basic2012Result holds the district conditions of the 2012 basic-balance standard; Passes when all three hold.
type Basic2012Result struct {
	Passes                           bool   `json:"passes"`
	AllSchoolsMeetProvincialStandard bool   `json:"all_schools_meet_provincial_standard"`
	CountyGovernmentScore            Number `json:"county_government_score"`
	CountyGovernmentScoreMin         Number `json:"county_government_score_min"`
	PublicSatisfactionRate           Number `json:"public_satisfaction_rate"`
	PublicSatisfactionMin            Number `json:"public_satisfaction_min"`
}

// Veto is a veto item that applies; Source is "reported" (listed in the input) or "computed" (low recognition).
type Veto struct {
	Key    string `json:"key"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Source string `json:"source"`
}

// Number is a float64 that JSON shows rounded to 4 decimals.
type Number float64

// MarshalJSON writes n rounded to 4 decimals.
func (n Number) MarshalJSON() ([]byte, error) {
	r := math.Round(float64(n)*1e4) / 1e4
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.AppendFloat(nil, r, 'f', -1, 64), nil
}

// Amount is a compared value: a number, a yes/no for items proved by documents, or nothing (JSON null) when the
// data is missing. It is a plain value so that thousands of shortfalls cost no extra allocations.
type Amount struct {
	kind   amountKind
	number float64
	yes    bool
}

type amountKind uint8

const (
	amountNone amountKind = iota
	amountNumber
	amountYesNo
)

func num(v float64) Amount { return Amount{kind: amountNumber, number: v} }
func yesNo(b bool) Amount  { return Amount{kind: amountYesNo, yes: b} }

// Float returns the number, and whether the amount is one.
func (a Amount) Float() (float64, bool) { return a.number, a.kind == amountNumber }

// YesNo returns the yes/no value, and whether the amount is one.
func (a Amount) YesNo() (bool, bool) { return a.yes, a.kind == amountYesNo }

// IsNull reports a missing value.
func (a Amount) IsNull() bool { return a.kind == amountNone }

// MarshalJSON writes a number (rounded like Number), true/false, or null.
func (a Amount) MarshalJSON() ([]byte, error) {
	switch a.kind {
	case amountNumber:
		return Number(a.number).MarshalJSON()
	case amountYesNo:
		return strconv.AppendBool(nil, a.yes), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads what MarshalJSON writes, so a stored Result can be read back.
func (a *Amount) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case float64:
		*a = num(v)
	case bool:
		*a = yesNo(v)
	case nil:
		*a = Amount{}
	default:
		return fmt.Errorf("amount must be a number, true, false or null, not %s", data)
	}
	return nil
}

// eps makes comparisons tolerate float rounding, so a value exactly at its threshold passes (42 teachers for
// 1000 pupils is 4.2 per 100 even if the division lands a hair below). It is relative to the threshold.
const eps = 1e-9

func tolerance(t float64) float64 { return eps * math.Max(1, math.Abs(t)) }

// compare decides actual op required on unrounded values.
func compare(actual float64, op Op, required float64) bool {
	switch op {
	case AtLeast:
		return actual >= required-tolerance(required)
	case AtMost:
		return actual <= required+tolerance(required)
	case Below:
		return actual < required-tolerance(required)
	}
	return math.Abs(actual-required) <= tolerance(required)
}
