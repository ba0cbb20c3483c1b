package evaluation

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// quantityKeys are the raw quantities indicators are built from, named like the input fields. The first
// firstShared are counted per stage (teachers); the rest are facilities of the whole school, which a combined
// school shares between its stages. Those after the 2017 ones in each group are optional fields (nil when not
// given), needed by the 2012 profile; Validate requires them of a profile that uses them.
var quantityKeys = [...]string{"qualified_teachers", "backbone_teachers", "pe_art_teachers",
	"teachers", "intermediate_title_teachers",
	"teaching_room_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_rooms",
	"computers", "library_books"}

const firstShared = 5

// optionalQuantities are the quantities of optional input fields.
var optionalQuantities = map[string]bool{"teachers": true, "intermediate_title_teachers": true, "computers": true,
	"library_books": true}

func quantityIndex(key string) (int, bool) {
	for i, k := range quantityKeys {
		if k == key {
			return i, true
		}
	}
	return 0, false
}

// quantity is the raw quantity q of school s as reported: per stage g for teachers; for facilities the stage's own
// when the school gives them per stage, else the whole school's. An optional field not given counts 0 (Validate
// refuses that under a profile that uses it).
func (s *School) quantity(g SchoolStage, q int) float64 {
	d, f := s.stage(g), &s.Facilities
	if d.Facilities != nil {
		f = d.Facilities
	}
	return [...]float64{float64(d.QualifiedTeachers), float64(d.BackboneTeachers), float64(d.PEArtTeachers),
		optional(d.Teachers), optional(d.IntermediateTitleTeachers),
		f.TeachingRoomAreaM2, f.SportsAreaM2, f.EquipmentValueYuan, float64(f.MultimediaRooms),
		optional(f.Computers), optional(f.LibraryBooks)}[q]
}

func optional(v *int) float64 {
	if v == nil {
		return 0
	}
	return float64(*v)
}

// virtual is one school in one compulsory stage, as the standard counts it.
type virtual struct {
	school   *School
	stage    SchoolStage
	students float64
	// share is the stage's part of the school's shared facilities: its pupils weighted by the split weights
	// over all the school's weighted pupils (1 for a single-stage school, and for facilities given per stage).
	share float64
}

// amount is the quantity q counted for v: its share of a shared facility.
func (v *virtual) amount(q int) float64 {
	if q < firstShared {
		return v.school.quantity(v.stage, q)
	}
	return v.school.quantity(v.stage, q) * v.share
}

// split turns a school into one virtual school per compulsory stage. Facilities given per stage are the stage's
// own, so nothing is shared.
func split(s *School, weights map[SchoolStage]float64, out map[SchoolStage][]virtual) {
	if s.stageFacilities() {
		for _, g := range CompulsoryStages {
			if d := s.stage(g); d != nil {
				out[g] = append(out[g], virtual{school: s, stage: g, students: float64(d.Students), share: 1})
			}
		}
		return
	}
	var total float64
	for _, g := range []SchoolStage{Primary, Junior, Senior} {
		total += weights[g] * float64(s.students(g))
	}
	for _, g := range CompulsoryStages {
		if d := s.stage(g); d != nil {
			p := float64(d.Students)
			out[g] = append(out[g], virtual{school: s, stage: g, students: p, share: weights[g] * p / total})
		}
	}
}

// rule is an indicator of the profile resolved for one stage.
type rule struct {
	*Indicator
	q         int
	threshold float64
}

// resource evaluates the resource part and records its shortfalls.
func (e *engine) resource() {
	r := &e.res.Resource
	r.Stages = map[SchoolStage]*StageResult{}
	r.Excluded = []ExcludedSchool{}
	stages := map[SchoolStage][]virtual{}
	for _, s := range e.included {
		split(s, e.p.SplitWeights, stages)
	}
	for i := range e.in.Schools {
		if s := &e.in.Schools[i]; e.excluded(s) {
			r.Excluded = append(r.Excluded, ExcludedSchool{Code: s.Code, Name: s.Name, Students: s.compulsoryStudents(),
				ReasonZh: fmt.Sprintf("教学点学生不足 %d 人,不参与资源配置计算", e.p.TeachingPointCutoff),
				ReasonEn: fmt.Sprintf("teaching point with fewer than %d students, left out of resource allocation",
					e.p.TeachingPointCutoff)})
		}
	}
	r.Passes = len(stages) > 0
	if !r.Passes {
		e.add(&finding{Shortfall: Shortfall{Part: PartResource, Key: "schools", Scope: ScopeDistrict,
			Actual: num(0), Op: AtLeast, Required: num(1)},
			nameZh: districtKeyNames["schools"].zh, nameEn: districtKeyNames["schools"].en})
	}
	for _, g := range CompulsoryStages {
		if vs := stages[g]; len(vs) > 0 {
			sr := e.stage(g, vs)
			r.Stages[g] = sr
			r.Passes = r.Passes && sr.Passes
		}
	}
}

// excluded reports whether s is a teaching point under the cutoff.
func (e *engine) excluded(s *School) bool {
	return s.Kind == KindTeachingPoint && s.compulsoryStudents() < e.p.TeachingPointCutoff
}

// stage computes the indicators of one stage: every school's values and the per-school rule, then for each
// indicator the enrollment-weighted mean X̄ = ΣPᵢXᵢ/ΣPᵢ and CV = sqrt(Σ(Pᵢ/ΣP)(Xᵢ−X̄)²)/X̄.
func (e *engine) stage(g SchoolStage, vs []virtual) *StageResult {
	rules := make([]rule, len(e.p.Indicators))
	for j := range e.p.Indicators {
		ind := &e.p.Indicators[j]
		q, _ := quantityIndex(ind.Quantity)
		rules[j] = rule{Indicator: ind, q: q, threshold: e.p.Thresholds[g][ind.Key]}
	}
	k := len(rules)
	values := make([]float64, len(vs)*k)
	totals := make([]float64, k)
	var pupils float64
	sr := &StageResult{Indicators: make(map[string]*IndicatorResult, k), Schools: make([]SchoolResult, len(vs))}
	shown := make(Values, len(vs)*k) // one backing array for every school's Values
	for i := range vs {
		v := &vs[i]
		pupils += v.students
		school := SchoolResult{Code: v.school.Code, Name: v.school.Name, Kind: v.school.Kind,
			Students: int(v.students), Values: shown[i*k : (i+1)*k : (i+1)*k]}
		for j, r := range rules {
			amount := v.amount(r.q)
			x := amount * r.Per / v.students
			values[i*k+j], totals[j] = x, totals[j]+amount
			school.Values[j] = Value{Key: r.Key, Value: Number(x)}
			switch {
			case compare(x, AtLeast, r.threshold):
				school.MetCount++
			case compare(x, AtLeast, e.p.SchoolFloor*r.threshold):
				school.BelowThreshold = append(school.BelowThreshold, r.Key)
			default:
				school.BelowThreshold = append(school.BelowThreshold, r.Key)
				school.BelowFloor = append(school.BelowFloor, r.Key)
			}
		}
		school.Passes = school.MetCount >= e.p.SchoolMinMet && len(school.BelowFloor) == 0
		sr.Schools[i] = school
	}
	sr.Students = int(pupils)
	sr.Passes = true
	limit := e.p.CVLimits[g]
	var cvSum float64
	for j, r := range rules {
		mean := totals[j] * r.Per / pupils
		var ss float64
		for i := range vs {
			d := values[i*k+j] - mean
			ss += vs[i].students * d * d
		}
		cv := 0.0 // all values zero: no difference between schools
		if mean > 0 {
			cv = math.Sqrt(ss/pupils) / mean
		}
		cvSum += cv
		ir := &IndicatorResult{Threshold: Number(r.threshold), CVLimit: Number(limit), DistrictValue: Number(mean),
			CV: Number(cv), CVPasses: compare(cv, AtMost, limit)}
		for i := range vs {
			if !compare(values[i*k+j], AtLeast, r.threshold) {
				ir.SchoolsBelow++
			}
		}
		sr.Indicators[r.Key] = ir
		if !ir.CVPasses && e.p.CVRule == CVEach {
			sr.Passes = false
			below := furthestBelow(vs, values, j, k, mean)
			e.add(&finding{Shortfall: Shortfall{Part: PartResource, Key: r.Key, Scope: ScopeStage, Stage: g,
				Actual: num(cv), Op: AtMost, Required: num(limit), Schools: below},
				nameZh: r.NameZh + "差异系数", nameEn: "difference coefficient of " + r.NameEn,
				noteZh: "按在校生数加权计算;低于县域均值最多的学校:" + strings.Join(below, "、"),
				noteEn: "enrollment-weighted; schools furthest below the district value: " + strings.Join(below, ", ")})
		}
	}
	if e.p.CVRule == CVMean {
		m := cvSum / float64(k)
		sr.CVMean = new(Number(m))
		if !compare(m, AtMost, limit) {
			sr.Passes = false
			e.add(&finding{Shortfall: Shortfall{Part: PartResource, Key: "cv_mean", Scope: ScopeStage, Stage: g,
				Actual: num(m), Op: AtMost, Required: num(limit)},
				nameZh: districtKeyNames["cv_mean"].zh, nameEn: districtKeyNames["cv_mean"].en})
		}
	}
	for i := range vs {
		if !sr.Schools[i].Passes {
			sr.Passes = false
			e.schoolShortfalls(&vs[i], rules, values[i*k:(i+1)*k])
		}
	}
	return sr
}

// schoolShortfalls records every indicator under its threshold in a failing school, with the smallest raw
// quantity that brings it to the threshold at the current enrollment. For a facility of a combined school that
// quantity is for the whole school: added before the split, it gives this stage its share.
func (e *engine) schoolShortfalls(v *virtual, rules []rule, values []float64) {
	for j, r := range rules {
		x := values[j]
		if compare(x, AtLeast, r.threshold) {
			continue
		}
		raw, share := v.school.quantity(v.stage, r.q), 1.0
		if r.q >= firstShared {
			share = v.share
		}
		n := smallest(r.threshold*v.students/(r.Per*share)-raw, func(n float64) bool {
			return compare((raw+n)*share*r.Per/v.students, AtLeast, r.threshold)
		})
		f := &finding{Shortfall: Shortfall{Part: PartResource, Key: r.Key, Scope: ScopeSchool, School: v.school.Code,
			Stage: v.stage, Actual: num(x), Op: AtLeast, Required: num(r.threshold),
			Needed: map[string]int64{r.Quantity: n}}, school: v.school, nameZh: r.NameZh, nameEn: r.NameEn,
			unit: quantityNames[r.Quantity][1]}
		if !compare(x, AtLeast, e.p.SchoolFloor*r.threshold) {
			f.noteZh = "低于标准值的 " + percent(e.p.SchoolFloor)
			f.noteEn = "under " + percent(e.p.SchoolFloor) + " of the threshold"
		}
		if share != 1 {
			f.noteZh = joinNote(f.noteZh, "按全校总量计,分摊后本学段达标", ";")
			f.noteEn = joinNote(f.noteEn, "whole-school amount, of which this stage gets its share", "; ")
		}
		e.add(f)
	}
}

func joinNote(a, b, sep string) string {
	if a == "" {
		return b
	}
	return a + sep + b
}

// furthestBelow names up to five schools under the district value, largest weighted squared deviation first:
// where raising resources lowers the coefficient most.
func furthestBelow(vs []virtual, values []float64, j, k int, mean float64) []string {
	type dev struct {
		code string
		w    float64
	}
	var below []dev
	for i := range vs {
		if d := mean - values[i*k+j]; d > 0 {
			below = append(below, dev{vs[i].school.Code, vs[i].students * d * d})
		}
	}
	sort.SliceStable(below, func(a, b int) bool { return below[a].w > below[b].w })
	codes := make([]string, 0, 5)
	for i := 0; i < len(below) && i < 5; i++ {
		codes = append(codes, below[i].code)
	}
	return codes
}
