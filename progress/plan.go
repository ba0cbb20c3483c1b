package progress

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"junheng/evaluation"
)

// Plan limits: years outside the range are typing errors; codes and notes are bounded so a plan stays a plan.
const (
	minYear, maxYear = 2000, 2100
	maxCodeLen       = 64
	maxNoteLen       = 2000
)

// Validate returns every problem of the plan, each naming its field ("milestones[1].schools[0]"); an empty slice
// means the plan can be approved. Milestone indicators must be among indicatorKeys (see IndicatorKeys) unless it
// is nil.
func (p Plan) Validate(indicatorKeys []string) []evaluation.Problem {
	c := checker{problems: []evaluation.Problem{}}
	targetOK := c.year("target_year", p.TargetYear)
	if len(p.Milestones) == 0 {
		c.add("milestones", "至少填写一个年度推进目标", "give at least one milestone")
	}
	var known map[string]bool
	if indicatorKeys != nil {
		known = make(map[string]bool, len(indicatorKeys))
		for _, k := range indicatorKeys {
			known[k] = true
		}
	}
	for i, m := range p.Milestones {
		at := fmt.Sprintf("milestones[%d].", i)
		if c.year(at+"year", m.Year) {
			if i > 0 && m.Year <= p.Milestones[i-1].Year {
				c.add(at+"year", fmt.Sprintf("应晚于上一个推进目标的年份 %d", p.Milestones[i-1].Year),
					fmt.Sprintf("must be later than the previous milestone's year %d", p.Milestones[i-1].Year))
			}
			if targetOK && m.Year > p.TargetYear {
				c.add(at+"year", fmt.Sprintf("不能晚于创建年度 %d", p.TargetYear),
					fmt.Sprintf("cannot be later than the target year %d", p.TargetYear))
			}
		}
		c.schools(at+"schools", m.Schools)
		c.indicators(at+"indicators", m.Indicators, known)
		c.notNegative(at+"oversized_max", m.OversizedMax)
		c.notNegative(at+"large_classes_max", m.LargeClassesMax)
		if n := utf8.RuneCountInString(m.Note); n > maxNoteLen {
			c.add(at+"note", fmt.Sprintf("不能超过 %d 字(现 %d 字)", maxNoteLen, n),
				fmt.Sprintf("must not exceed %d characters (has %d)", maxNoteLen, n))
		}
	}
	return c.problems
}

// checker collects the problems of a plan.
type checker struct{ problems []evaluation.Problem }

func (c *checker) add(field, zh, en string) {
	c.problems = append(c.problems, evaluation.Problem{Field: field, MessageZh: zh, MessageEn: en})
}

// year reports whether v is a plausible year.
func (c *checker) year(field string, v int) bool {
	if v < minYear || v > maxYear {
		c.add(field, fmt.Sprintf("年份应在 %d 到 %d 之间", minYear, maxYear),
			fmt.Sprintf("must be a year between %d and %d", minYear, maxYear))
		return false
	}
	return true
}

// schools checks school codes the way the self-assessment does (no surrounding spaces), so that a code in a plan
// can match a reported school.
func (c *checker) schools(field string, codes []string) {
	for j, code := range codes {
		f := fmt.Sprintf("%s[%d]", field, j)
		switch trimmed := strings.TrimSpace(code); {
		case trimmed == "":
			c.add(f, "学校代码不能为空", "school code must not be empty")
		case trimmed != code:
			c.add(f, "学校代码首尾不能有空格", "school code must not start or end with spaces")
		case utf8.RuneCountInString(code) > maxCodeLen:
			c.add(f, fmt.Sprintf("学校代码不能超过 %d 个字符", maxCodeLen),
				fmt.Sprintf("school code must not exceed %d characters", maxCodeLen))
		}
	}
	c.duplicates(field, codes)
}

// indicators checks shortfall keys against known (nil: any key).
func (c *checker) indicators(field string, keys []string, known map[string]bool) {
	for j, key := range keys {
		if known != nil && !known[key] {
			c.add(fmt.Sprintf("%s[%d]", field, j), fmt.Sprintf("评估标准中没有指标或项目 %q", key),
				fmt.Sprintf("%q is not an indicator or item of the standard", key))
		}
	}
	c.duplicates(field, keys)
}

// duplicates reports each non-empty entry listed before (an empty one is reported as empty already).
func (c *checker) duplicates(field string, values []string) {
	first := make(map[string]int, len(values))
	for j, v := range values {
		if k, dup := first[v]; dup && v != "" {
			c.add(fmt.Sprintf("%s[%d]", field, j), fmt.Sprintf("%q 重复(已是第 %d 项)", v, k+1),
				fmt.Sprintf("%q is listed twice (already item %d)", v, k+1))
			continue
		}
		first[v] = j
	}
}

func (c *checker) notNegative(field string, v *int) {
	if v != nil && *v < 0 {
		c.add(field, "不能为负数", "must not be negative")
	}
}
