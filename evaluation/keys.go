package evaluation

// ShortfallKeys lists every Key a shortfall may carry under the profile, in the order shortfalls are listed: the
// veto items, the prerequisite, the resource indicators (with "cv_mean" when the mean is tested, and "schools"
// when no school enters the calculation), the government and quality items, recognition, and NotReportedKey for a
// part not given. Plans and filters name shortfalls by these keys; keep the list in step with the engine.
func (p *Profile) ShortfallKeys() []string {
	keys := p.vetoKeys()
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
