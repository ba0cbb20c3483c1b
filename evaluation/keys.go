package evaluation

// ShortfallKeys lists every Key a shortfall may carry under the profile, in the order shortfalls are listed: the
// veto items, the prerequisite, the resource indicators (with "cv_mean" when the mean is tested, and "schools"
// when no school enters the calculation), the government and quality items, recognition, and NotReportedKey for a
// part not given. Plans and filters name shortfalls by these keys; keep the list in step with the engine.
//
// A 2012 profile (Profile.Basic2012) has no prerequisite, checklists or recognition; its district conditions come
// after the resource indicators instead.
func (p *Profile) ShortfallKeys() []string {
	keys := p.vetoKeys()
	if p.Basic2012 != nil {
		keys = append(keys, "schools")
		for _, ind := range p.Indicators {
			keys = append(keys, ind.Key)
		}
		if p.CVRule == CVMean {
			keys = append(keys, "cv_mean")
		}
		return append(keys, basic2012Keys[:]...)
	}
	keys = append(keys, "basic_balance_certified_year", "schools")
	for _, ind := range p.Indicators {
		keys = append(keys, ind.Key)
	}
	if p.CVRule == CVMean {
		keys = append(keys, "cv_mean")
	}
	keys = append(keys, p.GovernmentItems...)
	keys = append(keys, p.QualityItems...)
	return append(keys, "recognition_rate", NotReportedKey)
}

// basic2012Keys are the shortfall keys of the 2012 district conditions, in the order they are checked.
var basic2012Keys = [...]string{"provincial_standard", "county_government_score", "public_satisfaction_rate"}

// name is what a shortfall key is called, in Chinese and English.
type name struct{ zh, en string }

// districtKeyNames names the shortfall keys that are neither an indicator, an item nor a veto.
var districtKeyNames = map[string]name{
	"basic_balance_certified_year": {"通过国家义务教育基本均衡发展认定的年份", "year basic balance was certified"},
	"schools":                      {"参与资源配置计算的学校数", "schools entering the resource calculation"},
	"cv_mean":                      {"各项指标差异系数的平均值", "mean difference coefficient of the indicators"},
	"recognition_rate":             {"社会认可度", "social recognition"},
	"provincial_standard":          {"县域内学校均达到省定办学基本标准", "every school meets the provincial basic standard"},
	"county_government_score": {"县级人民政府推进义务教育均衡发展工作评估得分",
		"score of the county government's balanced-development evaluation"},
	"public_satisfaction_rate": {"公众满意度", "public satisfaction"},
	NotReportedKey:             {"未填报的部分", "part not reported"},
}

// KeyName says what a shortfall key is called, for reports and plans; an unknown key is its own name.
func (p *Profile) KeyName(key string) (zh, en string) {
	for _, ind := range p.Indicators {
		if ind.Key == key {
			return ind.NameZh, ind.NameEn
		}
	}
	if def, ok := itemCatalog[key]; ok {
		return def.zh, def.en
	}
	if v, ok := p.veto(key); ok {
		return v.NameZh, v.NameEn
	}
	if n, ok := districtKeyNames[key]; ok {
		return n.zh, n.en
	}
	return key, key
}
