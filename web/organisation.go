package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/store"
	"junheng/usecase"
)

const organisationURL = "/admin/organisation"

// organisationData is the administrators' page of the organisation: a table a level, and the kinds a school may
// be given in the unit form.
type organisationData struct {
	Levels []orgLevel
	Kinds  []evaluation.Kind
}

// orgLevel is one level's units.
type orgLevel struct {
	Level store.Level
	Units []orgUnit
}

// orgUnit is a row: the unit, the unit above it (named when the administrator's tree holds it), a school's kind.
type orgUnit struct {
	Code, Name, Parent, ParentName string
	Kind                           evaluation.Kind
}

// organisationPage shows the tree the administrator manages, with the workbook's import and the unit form.
func (s *server) organisationPage(w http.ResponseWriter, r *http.Request) {
	o, err := s.opts.Core.Organisation(r.Context(), actor(r))
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	provinces, cities, districts := map[string]string{}, map[string]string{}, map[string]string{}
	d := organisationData{Kinds: evaluation.Kinds, Levels: []orgLevel{{Level: store.LevelProvince},
		{Level: store.LevelCity}, {Level: store.LevelDistrict}, {Level: store.LevelSchool}}}
	for _, p := range o.Provinces {
		provinces[p.Code] = p.Name
		d.Levels[0].Units = append(d.Levels[0].Units, orgUnit{Code: p.Code, Name: p.Name})
	}
	for _, c := range o.Cities {
		cities[c.Code] = c.Name
		d.Levels[1].Units = append(d.Levels[1].Units, orgUnit{Code: c.Code, Name: c.Name, Parent: c.ProvinceCode,
			ParentName: provinces[c.ProvinceCode]})
	}
	for _, ds := range o.Districts {
		districts[ds.Code] = ds.Name
		d.Levels[2].Units = append(d.Levels[2].Units, orgUnit{Code: ds.Code, Name: ds.Name, Parent: ds.CityCode,
			ParentName: cities[ds.CityCode]})
	}
	for _, sc := range o.Schools {
		d.Levels[3].Units = append(d.Levels[3].Units, orgUnit{Code: sc.Code, Name: sc.Name, Parent: sc.DistrictCode,
			ParentName: districts[sc.DistrictCode], Kind: evaluation.Kind(sc.Kind)})
	}
	s.render(w, r, http.StatusOK, "organisation", "org_title", 0, d)
}

// importOrganisation imports the uploaded workbook, once for the form's key: all of it or, listing every problem
// by sheet, row and column, nothing.
func (s *server) importOrganisation(w http.ResponseWriter, r *http.Request) {
	file, _, err := r.FormFile("file")
	if err != nil {
		s.back(w, r, &flash{Form: "organisation", Fields: map[string]string{"file": s.t(r, "org_file_hint")}},
			organisationURL)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f := s.once(r, "organisation", data, func(ctx context.Context, _ string) *flash {
		n, err := s.opts.Core.ImportOrganisation(ctx, actor(r), bytes.NewReader(data))
		return result("organisation", err, english(r),
			fmt.Sprintf(s.t(r, "org_imported"), n.Provinces, n.Cities, n.Districts, n.Schools))
	})
	s.back(w, r, f, organisationURL)
}

// saveUnit adds, renames or moves one unit, once for the form's key.
func (s *server) saveUnit(w http.ResponseWriter, r *http.Request) {
	u := usecase.NewUnit{Level: store.Level(r.PostFormValue("level")), Code: r.PostFormValue("code"),
		Name: r.PostFormValue("name"), Parent: r.PostFormValue("parent"), Kind: r.PostFormValue("kind")}
	content, err := json.Marshal(u)
	if err != nil {
		s.coreError(w, r, err)
		return
	}
	f := s.once(r, "unit", content, func(ctx context.Context, _ string) *flash {
		return result("unit", s.opts.Core.SaveUnit(ctx, actor(r), u), english(r), s.t(r, "org_unit_saved"))
	})
	s.back(w, r, f, organisationURL)
}

// organisationWorkbook is the tree the administrator manages, as the workbook to edit and import again.
func (s *server) organisationWorkbook(w http.ResponseWriter, r *http.Request) {
	s.download(w, r, "organisation.xlsx", excel.ContentType, func(w io.Writer) error {
		return s.opts.Core.OrganisationWorkbook(r.Context(), actor(r), w)
	})
}

// organisationTemplate is the empty workbook.
func (s *server) organisationTemplate(w http.ResponseWriter, r *http.Request) {
	s.download(w, r, "organisation-template.xlsx", excel.ContentType, usecase.OrganisationTemplate)
}
