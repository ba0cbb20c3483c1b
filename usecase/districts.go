package usecase

import (
	"context"
	"errors"
	"regexp"

	"junheng/store"
	"junheng/vocab"
)

// DistrictCode is a GB/T 2260 county-level code.
var DistrictCode = regexp.MustCompile(`^[1-9][0-9]{5}$`)

// NewDistrict is a district to register.
type NewDistrict struct {
	Code string
	Name string
}

var errDistrictExists = &Error{Kind: Refused, MessageZh: "该区县已登记", MessageEn: "this district is already registered"}

// Districts lists the districts a sees: a district only itself.
func (c *Core) Districts(ctx context.Context, a Actor) ([]store.District, error) {
	ds, err := c.store.Districts(ctx)
	if err != nil || a.Role != vocab.RoleDistrict {
		return ds, err
	}
	own := ds[:0]
	for _, d := range ds {
		if d.Code == a.District {
			own = append(own, d)
		}
	}
	return own, nil
}

// CreateDistrict registers a district. No workflow records it: the face's audit trail does.
func (c *Core) CreateDistrict(ctx context.Context, a Actor, in NewDistrict) (_ store.District, err error) {
	defer c.refused(ctx, a, "create_district", in.Code, "", &err)
	d := store.District{Code: in.Code, Name: in.Name}
	if err := a.may(in.Code, vocab.RoleAdmin, vocab.RoleOffice); err != nil {
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
	err = c.store.CreateDistrict(ctx, &d)
	if errors.Is(err, store.ErrConflict) {
		return d, errDistrictExists
	}
	return d, err
}
