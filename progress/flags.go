package progress

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"junheng/evaluation"
)

// flags lists what the office should look at in the year, in the order of the Flag* constants. A year without a
// submission has nothing to measure: it is flagged as such (unless the district is already certified, and so out
// of the campaign), and against the plan.
func flags(dy *DistrictYear, cur *snapshot, plan *Plan, rules Rules) []Flag {
	fs := []Flag{}
	switch {
	case cur == nil && dy.Certified:
	case cur == nil:
		fs = append(fs, Flag{Key: FlagNoSubmission, MessageZh: "本年度未提交自评",
			MessageEn: "no self-assessment was submitted this year"})
	default:
		fs = measureFlags(fs, dy, cur.result, rules)
	}
	if m := dy.Milestone; m != nil && !m.Met {
		zh, en := joinMessages(m.Missed)
		fs = append(fs, Flag{Key: FlagMilestoneMissed, MessageZh: fmt.Sprintf("%d 年度推进目标未完成: %s", dy.Year, zh),
			MessageEn: fmt.Sprintf("the %d milestone was missed: %s", dy.Year, en)})
	}
	if plan != nil && dy.Year >= plan.TargetYear && !MeetsOrCertified(dy.Verdict, dy.Certified) {
		fs = append(fs, Flag{Key: FlagTargetYearMissed,
			MessageZh: fmt.Sprintf("创建方案确定 %d 年达标, 本年度既未达到评估标准也未通过认定", plan.TargetYear),
			MessageEn: fmt.Sprintf(
				"the plan's target year is %d; the district neither meets the standard nor is certified",
				plan.TargetYear)})
	}
	// When the city's target is every district (seed 002: all by 2025), each district short of it misses it.
	if t, ok := Target(rules.Targets, dy.Year); ok && t >= 1 && !MeetsOrCertified(dy.Verdict, dy.Certified) {
		fs = append(fs, Flag{Key: FlagCityTargetMissed,
			MessageZh: fmt.Sprintf("全市目标为 %d 年所有区(市)达到国家评估认定标准, 本区(市)未达到", dy.Year),
			MessageEn: fmt.Sprintf("the city's target is every district meeting the standard in %d; this one does not",
				dy.Year)})
	}
	return fs
}

// measureFlags adds the flags of a submitted year's measures. Without a previous year nothing is new, worse or
// up, and the yearly targets are not checked.
func measureFlags(fs []Flag, dy *DistrictYear, r *evaluation.Result, rules Rules) []Flag {
	add := func(key, zh, en string) { fs = append(fs, Flag{Key: key, MessageZh: zh, MessageEn: en}) }
	if b := dy.BroughtUp; b != nil && !b.Met {
		got, want := share(*b.Share), target(b.Target)
		add(FlagBroughtUpShort, fmt.Sprintf("上年未达标学校 %d 所, 本年达标 %d 所 (%s), 低于 %s", b.Base, b.Count, got, want),
			fmt.Sprintf("%d of last year's %d non-compliant schools comply now (%s), below %s", b.Count,
				b.Base, got, want))
	}
	if b := dy.BroughtUp; b != nil && len(b.Worse) > 0 {
		add(FlagSchoolsWorse, fmt.Sprintf("上年达标的 %d 所学校本年未达标: %s", len(b.Worse), strings.Join(b.Worse, "、")),
			"schools that complied last year but do not now: "+strings.Join(b.Worse, ", "))
	}
	o := &dy.Oversized
	if o.Met != nil && !*o.Met {
		fs = append(fs, oversizedShort(o))
	}
	if len(o.New) > 0 {
		add(FlagNewOversized, fmt.Sprintf("新出现大规模学校 %d 所: %s", len(o.New), strings.Join(o.New, "、")),
			"schools newly over the size limit: "+strings.Join(o.New, ", "))
	}
	l := &dy.LargeClasses
	if l.Change != nil && *l.Change > 0 {
		add(FlagLargeClassesUp,
			fmt.Sprintf("有大班额的学段由 %d 个增至 %d 个, 新增: %s", *l.Previous, l.Now, strings.Join(l.New, "、")),
			fmt.Sprintf("school stages with a large class up from %d to %d, new: %s", *l.Previous, l.Now,
				strings.Join(l.New, ", ")))
	}
	if dy.Year >= rules.EliminateBy && o.Now+l.Now > 0 {
		add(FlagNotEliminated,
			fmt.Sprintf("%d 年起应全面消除大规模学校和大班额, 仍有大规模学校 %d 所、有大班额的学段 %d 个", rules.EliminateBy, o.Now, l.Now),
			fmt.Sprintf("from %d no school may be oversized and no class too large; oversized schools: %d, "+
				"school stages with a large class: %d", rules.EliminateBy, o.Now, l.Now))
	}
	if zh, en := worseCoefficients(dy.Coefficients, r); zh != nil {
		add(FlagCoefficientWorse, "差异系数超过上限且比上年上升: "+strings.Join(zh, "; "),
			"difference coefficients above their limit and higher than last year: "+strings.Join(en, "; "))
	}
	return fs
}

func oversizedShort(o *Count) Flag {
	if o.Reduced == nil { // none last year
		return Flag{Key: FlagOversizedShort, MessageZh: fmt.Sprintf("上年无大规模学校, 本年 %d 所", o.Now),
			MessageEn: fmt.Sprintf("no school was oversized last year; oversized now: %d", o.Now)}
	}
	got, want := share(*o.Reduced), target(*o.Target)
	return Flag{Key: FlagOversizedShort,
		MessageZh: fmt.Sprintf("大规模学校上年 %d 所, 本年 %d 所 (减少 %s), 低于 %s", *o.Previous, o.Now, got, want),
		MessageEn: fmt.Sprintf("oversized schools: %d last year, %d now (%s fewer), below %s", *o.Previous,
			o.Now, got, want)}
}

// worseCoefficients describes the coefficients above their limit that rose as shown (4 decimals, more where a
// value would look like its limit); nil when none.
func worseCoefficients(cs []Coefficient, r *evaluation.Result) (zh, en []string) {
	for _, c := range cs {
		if c.Passes || c.Previous == nil || round4(c.CV) <= round4(*c.Previous) {
			continue
		}
		nameZh, nameEn := keyName(r, c.Indicator)
		now, limit := evaluation.Beside(float64(c.CV), float64(c.Limit), 4, false) // never "0.45 (limit 0.45)"
		was := number(*c.Previous)
		zh = append(zh, fmt.Sprintf("%s%s %s → %s (上限 %s)", c.Stage.NameZh(), nameZh, was, now, limit))
		en = append(en, fmt.Sprintf("%s %s %s → %s (limit %s)", c.Stage.NameEn(), nameEn, was, now, limit))
	}
	return zh, en
}

// keyName names a shortfall key for a message: a checklist item by the result's own names, a resource indicator
// after the national standard (whose keys provincial profiles keep), anything else by its key.
func keyName(r *evaluation.Result, key string) (zh, en string) {
	for _, items := range [][]evaluation.Item{r.Government.Items, r.Quality.Items} {
		for _, it := range items {
			if it.Key == key {
				return it.NameZh, it.NameEn
			}
		}
	}
	for _, ind := range evaluation.National2017().Indicators {
		if ind.Key == key {
			return ind.NameZh, ind.NameEn
		}
	}
	return key, key
}

// plural writes n and the English noun, in the plural unless n is 1: "1 shortfall", "3 places".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// share shows a ratio as a percentage with 2 decimals: "12.50%".
func share(v float64) string { return strconv.FormatFloat(v*100, 'f', 2, 64) + "%" }

// target shows a target share as a percentage without trailing zeros: "25%".
func target(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e4)/100, 'f', -1, 64) + "%"
}

// number shows a Number as JSON does.
func number(v evaluation.Number) string { return strconv.FormatFloat(round4(v), 'f', -1, 64) }
