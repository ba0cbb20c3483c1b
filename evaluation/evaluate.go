package evaluation

import "fmt"

// Evaluate evaluates one district under profile p. It returns an *InputError, and evaluates nothing, when the
// input has any problem (Validate), and a plain error when the profile itself is inconsistent. Otherwise the
// Result holds every part and the shortfalls, in the order: vetoes, prerequisite, resource (per stage: the
// difference coefficients, then the failing schools in input order), government, quality, recognition.
func Evaluate(in Input, p Profile) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if err := Validate(in, p); err != nil {
		return Result{}, err
	}
	e := &engine{in: &in, p: &p, schoolByCode: make(map[string]*School, len(in.Schools))}
	all := make([]*School, len(in.Schools))
	stages := map[SchoolStage]bool{}
	for i := range in.Schools {
		s := &in.Schools[i]
		all[i] = s
		e.schoolByCode[s.Code] = s
		if !e.excluded(s) {
			e.included = append(e.included, s)
		}
		for _, g := range CompulsoryStages {
			stages[g] = stages[g] || s.students(g) > 0
		}
	}
	e.res = Result{Standard: p.Name, Engine: EngineVersion, ProfileDigest: p.digest(), District: in.District,
		Year: in.Year, Vetoes: []Veto{}, Shortfalls: []Shortfall{}}
	e.vetoes()
	if p.Basic2012 != nil {
		// The 2012 standard has its own district conditions instead of the 2017 parts.
		e.resource()
		e.basic2012()
		r := &e.res
		r.Prerequisite = PrerequisiteResult{Passes: true, NotApplicable: true}
		r.Government = ChecklistResult{Passes: true, NotApplicable: true, Items: []Item{}}
		r.Quality = ChecklistResult{Passes: true, NotApplicable: true, Items: []Item{}}
		r.Recognition = RecognitionResult{Passes: true, NotApplicable: true}
		r.Verdict = DoesNotMeet
		if r.Resource.Passes && r.Basic2012.Passes && len(r.Vetoes) == 0 {
			r.Verdict = Meets
		}
		return e.res, nil
	}
	e.prerequisite()
	e.resource()
	gov, qual := in.Government, in.Quality
	// The teaching points under the cutoff are left out of the resource part only: the per-school items of the
	// checklists apply to every school, unless the profile exempts them too.
	data := &checkData{p: &p, gov: gov, qual: qual, schools: all, stages: stages}
	if p.ExemptSmallPoints {
		data.schools = e.included
	}
	if gov == nil {
		data.gov = &Government{}
	}
	if qual == nil {
		data.qual = &Quality{}
	}
	e.res.Government = e.checklist(PartGovernment, p.GovernmentItems, gov == nil, data)
	e.res.Quality = e.checklist(PartQuality, p.QualityItems, qual == nil, data)
	e.recognition()
	e.res.Verdict = DoesNotMeet
	if r := &e.res; r.Prerequisite.Passes && r.Resource.Passes && r.Government.Passes && r.Quality.Passes &&
		r.Recognition.Passes && len(r.Vetoes) == 0 {
		r.Verdict = Meets
	}
	return e.res, nil
}

// engine carries one evaluation.
type engine struct {
	in           *Input
	p            *Profile
	included     []*School // schools entering the calculation: all but teaching points under the cutoff
	schoolByCode map[string]*School
	res          Result
}

func (e *engine) add(f *finding) {
	e.res.Shortfalls = append(e.res.Shortfalls, f.shortfall())
}

func (e *engine) vetoes() {
	for _, key := range e.in.Vetoes {
		v, _ := e.p.veto(key)
		e.res.Vetoes = append(e.res.Vetoes, Veto{Key: v.Key, NameZh: v.NameZh, NameEn: v.NameEn, Source: "reported"})
		e.add(&finding{Shortfall: Shortfall{Part: PartVeto, Key: v.Key, Scope: ScopeDistrict,
			Actual: yesNo(true), Op: Equal, Required: yesNo(false)}, vetoZh: v.NameZh, vetoEn: v.NameEn})
	}
}

func (e *engine) prerequisite() {
	pr := &e.res.Prerequisite
	pr.LatestAllowedYear = e.in.Year - e.p.PrerequisiteYears
	pr.CertifiedYear = e.in.BasicBalanceCertifiedYear
	f := &finding{Shortfall: Shortfall{Part: PartPrerequisite, Key: "basic_balance_certified_year",
		Scope: ScopeDistrict, Op: AtMost, Required: num(float64(pr.LatestAllowedYear))},
		nameZh: districtKeyNames["basic_balance_certified_year"].zh,
		nameEn: districtKeyNames["basic_balance_certified_year"].en,
		noteZh: fmt.Sprintf("须在评估年度前至少 %d 年通过认定", e.p.PrerequisiteYears),
		noteEn: fmt.Sprintf("certification must precede the evaluation year by at least %d years",
			e.p.PrerequisiteYears)}
	if pr.CertifiedYear == nil {
		pr.Missing = true
		f.Key, f.Missing = NotReportedKey, true
		e.add(f)
		return
	}
	pr.Passes = *pr.CertifiedYear <= pr.LatestAllowedYear
	if !pr.Passes {
		f.Actual = num(float64(*pr.CertifiedYear))
		e.add(f)
	}
}

// basic2012 judges the 2012 district conditions (Validate has made sure Input.Basic2012 is given). Each failing
// one is a shortfall of the 2017 part it corresponds to, so that plans and reports place it: schools' provincial
// standard under resource, the county government's score under government, satisfaction under recognition.
func (e *engine) basic2012() {
	in, rules := e.in.Basic2012, e.p.Basic2012
	br := &Basic2012Result{AllSchoolsMeetProvincialStandard: in.AllSchoolsMeetProvincialStandard,
		CountyGovernmentScore:    Number(in.CountyGovernmentScore),
		CountyGovernmentScoreMin: Number(rules.GovernmentScoreMin),
		PublicSatisfactionRate:   Number(in.PublicSatisfactionRate),
		PublicSatisfactionMin:    Number(rules.SatisfactionMin)}
	e.res.Basic2012 = br
	scoreOK := compare(in.CountyGovernmentScore, AtLeast, rules.GovernmentScoreMin)
	satisfied := compare(in.PublicSatisfactionRate, AtLeast, rules.SatisfactionMin)
	br.Passes = in.AllSchoolsMeetProvincialStandard && scoreOK && satisfied
	named := func(f *finding) *finding {
		n := districtKeyNames[f.Key]
		f.nameZh, f.nameEn = n.zh, n.en
		return f
	}
	if !in.AllSchoolsMeetProvincialStandard {
		e.add(named(&finding{Shortfall: Shortfall{Part: PartResource, Key: "provincial_standard", Scope: ScopeDistrict,
			Actual: yesNo(false), Op: Equal, Required: yesNo(true)}}))
	}
	if !scoreOK {
		e.add(named(&finding{Shortfall: Shortfall{Part: PartGovernment, Key: "county_government_score",
			Scope: ScopeDistrict, Actual: num(in.CountyGovernmentScore), Op: AtLeast,
			Required: num(rules.GovernmentScoreMin)}}))
	}
	if !satisfied {
		f := named(&finding{Shortfall: Shortfall{Part: PartRecognition, Key: "public_satisfaction_rate",
			Scope: ScopeDistrict, Actual: num(in.PublicSatisfactionRate), Op: AtLeast,
			Required: num(rules.SatisfactionMin)}})
		f.unit = "%"
		e.add(f)
	}
}

func (e *engine) recognition() {
	rr := &e.res.Recognition
	rr.Required = Number(e.p.RecognitionMin)
	f := &finding{Shortfall: Shortfall{Part: PartRecognition, Key: "recognition_rate", Scope: ScopeDistrict,
		Op: AtLeast, Required: num(e.p.RecognitionMin)}, nameZh: districtKeyNames["recognition_rate"].zh,
		nameEn: districtKeyNames["recognition_rate"].en, unit: "%"}
	if e.in.RecognitionRate == nil {
		rr.Missing = true
		f.Key, f.Missing = NotReportedKey, true
		e.add(f)
		return
	}
	rate := *e.in.RecognitionRate
	rr.Rate = new(Number(rate))
	rr.Passes = compare(rate, AtLeast, e.p.RecognitionMin)
	if rr.Passes {
		return
	}
	f.Actual = num(rate)
	if e.p.RecognitionVeto {
		e.res.Vetoes = append(e.res.Vetoes, Veto{Key: RecognitionVetoKey, NameZh: "社会认可度未达到要求",
			NameEn: "social recognition below the minimum", Source: "computed"})
		f.noteZh, f.noteEn = "一票否决项", "a veto item"
	}
	e.add(f)
}
