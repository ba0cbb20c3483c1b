package progress

import (
	"fmt"
	"strings"
)

// milestone checks the plan's milestone for the year. In the plan's target year the district must also meet the
// standard or be certified; when the plan sets no milestone for that year, that alone is the milestone.
func milestone(plan *Plan, dy *DistrictYear, cur *snapshot) *MilestoneResult {
	if plan == nil {
		return nil
	}
	m, planned := plannedFor(plan, dy.Year)
	targetYear := dy.Year == plan.TargetYear
	if !planned && !targetYear {
		return nil
	}
	r := &MilestoneResult{Milestone: m, Missed: []Flag{}}
	verdictDue := targetYear && !dy.Certified
	switch {
	case cur != nil:
		r.Missed = missedParts(m, dy, cur, verdictDue)
	case planned || verdictDue:
		r.Missed = append(r.Missed, Flag{Key: FlagMilestoneNoData,
			MessageZh: fmt.Sprintf("%d 年未提交自评, 无法核验推进目标", dy.Year),
			MessageEn: fmt.Sprintf("nothing was submitted in %d to check the milestone against", dy.Year)})
	}
	r.Met = len(r.Missed) == 0
	return r
}

// plannedFor returns the plan's milestone for the year with its lists never nil, or an empty one and false.
func plannedFor(plan *Plan, year int) (Milestone, bool) {
	m, planned := Milestone{Year: year}, false
	for _, pm := range plan.Milestones {
		if pm.Year == year {
			m, planned = pm, true
			break
		}
	}
	if m.Schools == nil {
		m.Schools = []string{}
	}
	if m.Indicators == nil {
		m.Indicators = []string{}
	}
	return m, planned
}

// missedParts lists each part of the milestone the submitted year falls short of.
func missedParts(m Milestone, dy *DistrictYear, cur *snapshot, verdictDue bool) []Flag {
	missed := []Flag{}
	add := func(key, zh, en string) { missed = append(missed, Flag{Key: key, MessageZh: zh, MessageEn: en}) }
	for _, code := range m.Schools {
		switch n := len(cur.shortfalls[code]); {
		case cur.schools[code] == nil:
			add(FlagMilestoneSchool, fmt.Sprintf("学校 %s 本年未填报", code), fmt.Sprintf("school %s was not reported", code))
		case n > 0:
			add(FlagMilestoneSchool, fmt.Sprintf("学校 %s 仍有 %d 项未达标", code, n),
				fmt.Sprintf("school %s still has %s", code, plural(n, "shortfall")))
		}
	}
	for _, key := range m.Indicators {
		if n := cur.keys[key]; n > 0 {
			zh, en := keyName(cur.result, key)
			add(FlagMilestoneIndicator, fmt.Sprintf("%s仍有 %d 处未达标", zh, n),
				fmt.Sprintf("%s still falls short in %s", en, plural(n, "place")))
		}
	}
	if most := m.OversizedMax; most != nil && dy.Oversized.Now > *most {
		add(FlagMilestoneOversized, fmt.Sprintf("大规模学校 %d 所, 计划不超过 %d 所", dy.Oversized.Now, *most),
			fmt.Sprintf("oversized schools: %d, planned at most %d", dy.Oversized.Now, *most))
	}
	if most := m.LargeClassesMax; most != nil && dy.LargeClasses.Now > *most {
		add(FlagMilestoneClasses, fmt.Sprintf("有大班额的学段 %d 个, 计划不超过 %d 个", dy.LargeClasses.Now, *most),
			fmt.Sprintf("school stages with a large class: %d, planned at most %d", dy.LargeClasses.Now, *most))
	}
	if verdictDue && !dy.meets() {
		add(FlagMilestoneVerdict, fmt.Sprintf("创建年度 %d 未达到评估标准", dy.Year),
			fmt.Sprintf("the district does not meet the standard in its target year %d", dy.Year))
	}
	return missed
}

// joinMessages joins the messages of flags, Chinese and English.
func joinMessages(flags []Flag) (zh, en string) {
	zhs, ens := make([]string, len(flags)), make([]string, len(flags))
	for i, f := range flags {
		zhs[i], ens[i] = f.MessageZh, f.MessageEn
	}
	return strings.Join(zhs, "; "), strings.Join(ens, "; ")
}
