package usecase

import (
	"context"
	"errors"
	"regexp"
	"slices"

	"junheng/store"
	"junheng/vocab"
)

// DistrictCode is a GB/T 2260 county-level code.
var DistrictCode = regexp.MustCompile(`^[1-9][0-9]{5}$`)

// NewDistrict is a district to register under a city: by default the office's own, else the city its code
// names (its first four digits and 00), else the deployment's only city.
type NewDistrict struct {
	Code string
	Name string
	City string
}

var errDistrictExists = &Error{Kind: Refused, MessageZh: "该区县已登记", MessageEn: "this district is already registered"}

// Districts lists the districts a sees (Actor.reach).
func (c *Core) Districts(ctx context.Context, a Actor) ([]store.District, error) {
	unit, err := a.reach()
	if err != nil {
		return nil, err
	}
	return c.store.Districts(ctx, unit)
}

// CreateDistrict registers a district. No workflow records it: the face's audit trail does.
func (c *Core) CreateDistrict(ctx context.Context, a Actor, in NewDistrict) (_ store.District, err error) {
	defer c.refused(ctx, a, "create_district", in.Code, "", &err)
	d := store.District{Code: in.Code, Name: in.Name}
	if err := c.may(ctx, a, "", vocab.RoleAdmin, vocab.RoleOffice); err != nil {
		return d, err
	}
	var f Fields
	if !DistrictCode.MatchString(in.Code) {
		f.Add("code", "区县代码应为 6 位行政区划代码", "code must be a 6-digit administrative division code")
	}
	f.Required("name", in.Name)
	if err := f.Err(); err != nil {
		return d, err
	}
	if d.CityCode, err = c.cityOf(ctx, a, in); err != nil {
		return d, err
	}
	err = c.store.CreateDistrict(ctx, &d)
	if errors.Is(err, store.ErrConflict) {
		return d, errDistrictExists
	}
	return d, err
}

// cityOf is the city a new district goes under (NewDistrict), which a must reach. On a deployment without any
// city yet, the city its code names is made, as the organisation's migration made one for existing districts.
func (c *Core) cityOf(ctx context.Context, a Actor, in NewDistrict) (string, error) {
	city := in.City
	if city == "" && a.Role == vocab.RoleOffice {
		city = a.Unit
	}
	org, err := c.store.Organisation(ctx)
	if err != nil {
		return "", err
	}
	derived := in.Code[:4] + "00"
	switch {
	case city != "":
	case slices.ContainsFunc(org.Cities, func(ct store.City) bool { return ct.Code == derived }):
		city = derived
	case len(org.Cities) == 1:
		city = org.Cities[0].Code
	case len(org.Cities) == 0:
		province := in.Code[:2] + "0000"
		err := c.store.SaveOrganisation(ctx, store.Organisation{
			Provinces: []store.Province{{Code: province, Name: "默认省"}},
			Cities:    []store.City{{Code: derived, Name: "默认市", ProvinceCode: province}},
		}, a.event("save_organisation", "", "organisation"))
		return derived, err
	}
	var f Fields
	ct, err := c.store.City(ctx, city)
	switch {
	case city == "":
		f.Add("city", "请指定所属市", "name the city the district belongs to")
	case errors.Is(err, store.ErrNotFound):
		f.Add("city", "该市尚未登记", "the city is not registered")
	case err != nil:
		return "", err
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	if unit, _ := a.reach(); unit != "" && unit != ct.Code && unit != ct.ProvinceCode {
		return "", ErrNotFound
	}
	return ct.Code, nil
}
