package store

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The organisation is four levels, each unit named by its code: provinces (省, the 6-digit administrative code
// ending 0000), their cities (市, ending 00), the cities' districts (区/县) and the districts' schools (学校, the
// school's code in the education statistics). A person's or a token's unit is the code of any level.

// Province is a provincial unit (省/自治区) and its supervision office.
type Province struct {
	Code      string    `gorm:"primaryKey" json:"code"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// City is a city (市/州/盟) of a province; its supervision office evaluates the city's districts.
type City struct {
	Code         string    `gorm:"primaryKey" json:"code"`
	Name         string    `json:"name"`
	ProvinceCode string    `json:"province_code"`
	CreatedAt    time.Time `json:"created_at"`
}

// District is a county-level unit (区/县) of a city, taking part in the cycle.
type District struct {
	Code      string    `gorm:"primaryKey" json:"code"`
	Name      string    `json:"name"`
	CityCode  string    `json:"city_code"`
	CreatedAt time.Time `json:"created_at"`
}

// School is a school of a district; kind is evaluation.Kind's word, "" when not yet known.
type School struct {
	Code         string    `gorm:"primaryKey" json:"code"`
	Name         string    `json:"name"`
	DistrictCode string    `json:"district_code"`
	Kind         string    `json:"kind,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Level is which of the four a unit is.
type Level string

const (
	LevelProvince Level = "province"
	LevelCity     Level = "city"
	LevelDistrict Level = "district"
	LevelSchool   Level = "school"
)

// Organisation is the whole tree, each level ordered by code.
type Organisation struct {
	Provinces []Province
	Cities    []City
	Districts []District
	Schools   []School
}

// CreateDistrict registers a district; ErrConflict when the code exists.
func (s *Store) CreateDistrict(ctx context.Context, d *District) error {
	return translate(s.db.WithContext(ctx).Create(d).Error)
}

// District returns one district or ErrNotFound.
func (s *Store) District(ctx context.Context, code string) (District, error) {
	var d District
	err := s.db.WithContext(ctx).Where("code = ?", code).Take(&d).Error
	return d, translate(err)
}

// Districts lists the districts under unit ("" = every district) ordered by code.
func (s *Store) Districts(ctx context.Context, unit string) ([]District, error) {
	var ds []District
	err := under(s.db.WithContext(ctx), "code", unit).Order("code").Find(&ds).Error
	return ds, translate(err)
}

// City returns one city or ErrNotFound.
func (s *Store) City(ctx context.Context, code string) (City, error) {
	var c City
	err := s.db.WithContext(ctx).Where("code = ?", code).Take(&c).Error
	return c, translate(err)
}

// School returns one school or ErrNotFound.
func (s *Store) School(ctx context.Context, code string) (School, error) {
	var sc School
	err := s.db.WithContext(ctx).Where("code = ?", code).Take(&sc).Error
	return sc, translate(err)
}

// Schools lists a district's schools ordered by code.
func (s *Store) Schools(ctx context.Context, district string) ([]School, error) {
	var ss []School
	err := s.db.WithContext(ctx).Where("district_code = ?", district).Order("code").Find(&ss).Error
	return ss, translate(err)
}

// Organisation reads the whole tree.
func (s *Store) Organisation(ctx context.Context) (Organisation, error) {
	var o Organisation
	db := s.db.WithContext(ctx)
	for _, dst := range []any{&o.Provinces, &o.Cities, &o.Districts, &o.Schools} {
		if err := db.Order("code").Find(dst).Error; err != nil {
			return o, translate(err)
		}
	}
	return o, nil
}

// Under reports whether district lies under unit: it is the district itself, its city or its city's province.
func (s *Store) Under(ctx context.Context, unit, district string) (bool, error) {
	var n int64
	err := under(s.db.WithContext(ctx).Model(&District{}), "code", unit).Where("code = ?", district).Count(&n).Error
	return n > 0, translate(err)
}

// under keeps the rows of q whose district column lies under unit; "" keeps every row.
func under(q *gorm.DB, column, unit string) *gorm.DB {
	if unit == "" {
		return q
	}
	return q.Where(column+` IN (SELECT code FROM districts WHERE code = @u OR city_code = @u
		OR city_code IN (SELECT code FROM cities WHERE province_code = @u))`, map[string]any{"u": unit})
}

// SaveOrganisation adds the units of o and renames or moves those that exist, in one transaction with the audit
// entry ev: an imported workbook changes all of its rows or none. No unit is deleted: a year's data names it.
func (s *Store) SaveOrganisation(ctx context.Context, o Organisation, ev *AuditEvent) error {
	now := time.Now().UTC()
	upsert := func(tx *gorm.DB, rows any, columns ...string) error {
		// In batches: a province's schools are more rows than one statement may have parameters for.
		return tx.Session(&gorm.Session{CreateBatchSize: 1000}).Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "code"}}, DoUpdates: clause.AssignmentColumns(columns)}).Create(rows).Error
	}
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i := range o.Provinces {
			o.Provinces[i].CreatedAt = now
		}
		for i := range o.Cities {
			o.Cities[i].CreatedAt = now
		}
		for i := range o.Districts {
			o.Districts[i].CreatedAt = now
		}
		for i := range o.Schools {
			o.Schools[i].CreatedAt = now
		}
		steps := []struct {
			rows    any
			n       int
			columns []string
		}{
			{&o.Provinces, len(o.Provinces), []string{"name"}},
			{&o.Cities, len(o.Cities), []string{"name", "province_code"}},
			{&o.Districts, len(o.Districts), []string{"name", "city_code"}},
			{&o.Schools, len(o.Schools), []string{"name", "district_code", "kind"}},
		}
		for _, st := range steps {
			if st.n == 0 {
				continue
			}
			if err := upsert(tx, st.rows, st.columns...); err != nil {
				return err
			}
		}
		return appendAudit(tx, ev)
	}))
}

// Levels are the organisation's, highest first: a unit's parent is of the level before its own.
var Levels = []Level{LevelProvince, LevelCity, LevelDistrict, LevelSchool}

// Tree is the organisation as each unit's parent by level and code ("" for a province's), for walking up from a
// unit by lookups: a workbook's thousands of rows are checked against it. Levels are followed by name, not guessed
// from codes, which may coincide in test data.
type Tree map[Level]map[string]string

// Tree indexes o.
func (o Organisation) Tree() Tree {
	t := Tree{}
	for _, l := range Levels {
		t[l] = map[string]string{}
	}
	for _, p := range o.Provinces {
		t[LevelProvince][p.Code] = ""
	}
	for _, c := range o.Cities {
		t[LevelCity][c.Code] = c.ProvinceCode
	}
	for _, d := range o.Districts {
		t[LevelDistrict][d.Code] = d.CityCode
	}
	for _, s := range o.Schools {
		t[LevelSchool][s.Code] = s.DistrictCode
	}
	return t
}

// Has says whether code names a unit of level l.
func (t Tree) Has(l Level, code string) bool {
	_, ok := t[l][code]
	return ok
}

// Chain is the unit code of level l and the units above it, up to its province: a school's district, city and
// province.
func (t Tree) Chain(l Level, code string) []string {
	var chain []string
	for i := slices.Index(Levels, l); i >= 0 && code != ""; i-- {
		chain = append(chain, code)
		code = t[Levels[i]][code]
	}
	if len(chain) == 0 {
		return []string{code}
	}
	return chain
}

// Under says unit is the unit code of level l or one above it.
func (t Tree) Under(l Level, code, unit string) bool { return slices.Contains(t.Chain(l, code), unit) }
