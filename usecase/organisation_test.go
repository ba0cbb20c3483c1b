package usecase

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

// orgBook builds a workbook of sheets, each its rows with the headers first.
func orgBook(t *testing.T, sheets map[string][][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for name, rows := range sheets {
		if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if err := f.SetCellStr(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	provinceHeader = []string{"代码", "名称"}
	cityHeader     = []string{"代码", "名称", "所属省代码"}
	districtHeader = []string{"代码", "名称", "所属市代码"}
	schoolHeader   = []string{"学校标识码", "名称", "所属区县代码", "学校类型"}
)

// goodBook is Shandong with two cities, three districts and three schools.
func goodBook(t *testing.T) []byte {
	return orgBook(t, map[string][][]string{
		"省": {provinceHeader, {"370000", "山东省"}},
		"市": {cityHeader, {"370200", "青岛市", "370000"}, {"370100", "济南市", "370000"}},
		// columns in another order, and an empty row in between
		"区县": {{"所属市代码", "名称", "代码"}, {"370200", "黄岛区", "370211"}, {}, {"370200", "市南区", "370202"},
			{"370100", "历下区", "370102"}},
		"学校": {schoolHeader, {"3702110001", "黄岛区实验小学", "370211", "小学"},
			{"3702110002", "黄岛区第一中学", "370211", "初中"}, {"3701020001", "历下区实验学校", "370102", ""}},
	})
}

func codes(o store.Organisation) []string {
	var cs []string
	for _, p := range o.Provinces {
		cs = append(cs, p.Code+" "+p.Name)
	}
	for _, c := range o.Cities {
		cs = append(cs, c.Code+" "+c.Name+" "+c.ProvinceCode)
	}
	for _, d := range o.Districts {
		cs = append(cs, d.Code+" "+d.Name+" "+d.CityCode)
	}
	for _, s := range o.Schools {
		cs = append(cs, s.Code+" "+s.Name+" "+s.DistrictCode+" "+s.Kind)
	}
	return cs
}

// invalid is the problems of an Invalid error as "sheet!column+row field", or fails the test.
func invalid(t *testing.T, err error) []string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Kind != Invalid {
		t.Fatalf("want an Invalid error, got %v", err)
	}
	var out []string
	for _, p := range e.Fields {
		if p.MessageZh == "" || p.MessageEn == "" {
			t.Errorf("%+v lacks a message", p)
		}
		out = append(out, fmt.Sprintf("%s!%s%d %s", p.Sheet, p.Column, p.Row, p.Field))
	}
	return out
}

// TestImportOrganisation, on both databases: a good workbook is saved whole and read back, with an audit entry
// counting its rows; a workbook with bad rows changes nothing and names each problem's sheet, row and column;
// exporting the tree and importing the export gives the same tree.
func TestImportOrganisation(t *testing.T) {
	ctx := context.Background()
	admin := Actor{Name: "管理员", Role: vocab.RoleAdmin, AccountID: 1}
	for dialect, db := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			c := New(Deps{Store: db, Location: time.UTC})
			n, err := c.ImportOrganisation(ctx, admin, bytes.NewReader(goodBook(t)))
			if err != nil {
				t.Fatal(err)
			}
			if n != (OrganisationImported{Provinces: 1, Cities: 2, Districts: 3, Schools: 3}) {
				t.Errorf("counts %+v", n)
			}
			o, err := c.Organisation(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"370000 山东省", "370100 济南市 370000", "370200 青岛市 370000", "370102 历下区 370100",
				"370202 市南区 370200", "370211 黄岛区 370200", "3701020001 历下区实验学校 370102 ",
				"3702110001 黄岛区实验小学 370211 primary", "3702110002 黄岛区第一中学 370211 junior"}
			if got := codes(o); !reflect.DeepEqual(got, want) {
				t.Fatalf("read back:\n%q\nwant\n%q", got, want)
			}
			evs, err := db.Audit(ctx, store.AuditFilter{Action: "import_organisation", Outcome: "ok"})
			if err != nil || len(evs) != 1 || evs[0].Detail != "provinces 1, cities 2, districts 3, schools 3" ||
				evs[0].Actor != "管理员" {
				t.Errorf("audit: %+v %v", evs, err)
			}

			bad := orgBook(t, map[string][][]string{
				"市": {cityHeader, {"370200", "青岛", "370000"}, {"370300", "淄博市", "370000"},
					{"370000", "错级", "370000"}, {"370300", "淄博市", "370000"}},
				"区县": {districtHeader, {"37021", "黄岛区", "370200"}, {"370203", "", "370999"},
					{"370212", strings.Repeat("长", 61), "370200"}},
				"学校": {schoolHeader, {"3702110003", "新校", "370299", "高中"}},
			})
			_, err = c.ImportOrganisation(ctx, admin, bytes.NewReader(bad))
			wantProblems := []string{
				"市!A4 code",    // a province's code on the cities' sheet
				"市!A5 code",    // a duplicate of row 3
				"区县!A2 code",   // five digits
				"区县!B3 name",   // no name
				"区县!C3 parent", // no such city
				"区县!B4 name",   // 61 characters
				"学校!C2 parent", // no such district
				"学校!D2 kind",   // 高中 is no kind
			}
			if got := invalid(t, err); !reflect.DeepEqual(got, wantProblems) {
				t.Errorf("problems:\n%q\nwant\n%q", got, wantProblems)
			}
			after, _ := c.Organisation(ctx, admin)
			if !reflect.DeepEqual(codes(after), want) {
				t.Errorf("a refused workbook changed the tree: %q", codes(after))
			}

			var export bytes.Buffer
			if err := c.OrganisationWorkbook(ctx, admin, &export); err != nil {
				t.Fatal(err)
			}
			if _, err := c.ImportOrganisation(ctx, admin, &export); err != nil {
				t.Fatal(err)
			}
			again, _ := c.Organisation(ctx, admin)
			if !reflect.DeepEqual(codes(again), want) {
				t.Errorf("after the round trip: %q", codes(again))
			}

			var tpl bytes.Buffer
			if err := OrganisationTemplate(&tpl); err != nil {
				t.Fatal(err)
			}
			_, err = c.ImportOrganisation(ctx, admin, &tpl)
			if got := invalid(t, err); !reflect.DeepEqual(got, []string{"!0 file"}) {
				t.Errorf("the empty template: %q", got)
			}
		})
	}
}

// TestOrganisationScope, on both databases: a city's administrator sees their city's subtree, imports a school
// of their district and renames their city, but cannot add a district to another city, take another city's
// district, touch a province or move their own city; nothing of a refused workbook is saved. Only
// administrators see or change the organisation.
func TestOrganisationScope(t *testing.T) {
	ctx := context.Background()
	root := Actor{Name: "root", Role: vocab.RoleAdmin, AccountID: 1}
	city := Actor{Name: "青岛管理员", Role: vocab.RoleAdmin, Unit: "370200", AccountID: 2}
	for dialect, db := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			c := New(Deps{Store: db, Location: time.UTC})
			if _, err := c.ImportOrganisation(ctx, root, bytes.NewReader(goodBook(t))); err != nil {
				t.Fatal(err)
			}
			o, err := c.Organisation(ctx, city)
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(o); !reflect.DeepEqual(got, []string{"370200 青岛市 370000", "370202 市南区 370200",
				"370211 黄岛区 370200", "3702110001 黄岛区实验小学 370211 primary",
				"3702110002 黄岛区第一中学 370211 junior"}) {
				t.Errorf("the city's subtree: %q", got)
			}

			refused := map[string]struct {
				sheets map[string][][]string
				want   []string
			}{
				"another city's new district": {map[string][][]string{
					"区县": {districtHeader, {"370103", "市中区", "370100"}}}, []string{"区县!C2 parent"}},
				"another city's district taken": {map[string][][]string{
					"区县": {districtHeader, {"370102", "历下区", "370200"}}}, []string{"区县!A2 code"}},
				"a province": {map[string][][]string{"省": {provinceHeader, {"370000", "鲁"}}},
					[]string{"省!A2 code"}},
				"its own city moved": {map[string][][]string{"省": {provinceHeader},
					"市": {cityHeader, {"370200", "青岛市", "110000"}}}, []string{"市!C2 parent"}},
				"a school of another city, beside a good one": {map[string][][]string{"学校": {schoolHeader,
					{"3702110009", "新校", "370211", ""}, {"3701020009", "新校", "370102", ""}}},
					[]string{"学校!C3 parent"}},
			}
			for name, tc := range refused {
				_, err := c.ImportOrganisation(ctx, city, bytes.NewReader(orgBook(t, tc.sheets)))
				if got := invalid(t, err); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: %q, want %q", name, got, tc.want)
				}
			}
			all, _ := c.Organisation(ctx, root)
			if len(all.Schools) != 3 || len(all.Districts) != 3 || all.Provinces[0].Name != "山东省" {
				t.Fatalf("a refused workbook changed the tree: %q", codes(all))
			}

			n, err := c.ImportOrganisation(ctx, city, bytes.NewReader(orgBook(t, map[string][][]string{
				"市": {cityHeader, {"370200", "青岛", "370000"}},
				"学校": {schoolHeader, {"3702110003", "黄岛区第二小学", "370211", "九年一贯制学校"},
					// an empty kind keeps the known one
					{"3702110001", "黄岛区实验小学", "370211", ""}}})))
			if err != nil || n.Schools != 2 || n.Cities != 1 {
				t.Fatalf("the city's own school: %+v %v", n, err)
			}
			o, _ = c.Organisation(ctx, city)
			if o.Cities[0].Name != "青岛" || len(o.Schools) != 3 || o.Schools[0].Kind != "primary" ||
				o.Schools[2].Kind != "nine_year" {
				t.Errorf("after the city's import: %q", codes(o))
			}

			if err := c.SaveUnit(ctx, city, NewUnit{Level: store.LevelDistrict, Code: "370213", Name: "李沧区",
				Parent: "370200"}); err != nil {
				t.Fatal(err)
			}
			err = c.SaveUnit(ctx, city, NewUnit{Level: store.LevelDistrict, Code: "370104", Name: "槐荫区",
				Parent: "370100"})
			if got := invalid(t, err); !reflect.DeepEqual(got, []string{"!0 parent"}) {
				t.Errorf("a district of another city: %q", got)
			}
			err = c.SaveUnit(ctx, city, NewUnit{Level: "county", Code: "370213", Name: "李沧区"})
			if got := invalid(t, err); !reflect.DeepEqual(got, []string{"!0 level"}) {
				t.Errorf("an unknown level: %q", got)
			}
			evs, _ := db.Audit(ctx, store.AuditFilter{Action: "save_unit"})
			if len(evs) != 3 || evs[len(evs)-1].Outcome != "ok" || evs[len(evs)-1].Target != "district:370213" {
				t.Errorf("save_unit audit: %+v", evs)
			}

			for _, a := range []Actor{{Name: "o", Role: vocab.RoleOffice, Unit: "370200"},
				{Name: "d", Role: vocab.RoleDistrict, Unit: "370211"}} {
				_, err := c.Organisation(ctx, a)
				_, ierr := c.ImportOrganisation(ctx, a, bytes.NewReader(goodBook(t)))
				serr := c.SaveUnit(ctx, a, NewUnit{Level: store.LevelDistrict, Code: "370214", Name: "x",
					Parent: "370200"})
				werr := c.OrganisationWorkbook(ctx, a, &bytes.Buffer{})
				for _, e := range []error{err, ierr, serr, werr} {
					if !errors.Is(e, ErrForbidden) {
						t.Errorf("%s: %v", a.Role, e)
					}
				}
			}
			evs, _ = db.Audit(ctx, store.AuditFilter{Action: "import_organisation", Outcome: "forbidden"})
			if len(evs) != 2 {
				t.Errorf("refused imports audited: %d", len(evs))
			}
		})
	}
}

// TestOrganisationFile: what is no workbook, or lacks a column, is named as such.
func TestOrganisationFile(t *testing.T) {
	c := New(Deps{Store: storetest.SQLite(t), Location: time.UTC})
	admin := Actor{Name: "a", Role: vocab.RoleAdmin}
	_, err := c.ImportOrganisation(context.Background(), admin, strings.NewReader("code,name\n370000,山东省\n"))
	if got := invalid(t, err); !reflect.DeepEqual(got, []string{"!0 file"}) {
		t.Errorf("a CSV file: %q", got)
	}
	_, err = c.ImportOrganisation(context.Background(), admin, bytes.NewReader(orgBook(t, map[string][][]string{
		"市": {{"代码", "名称"}, {"370200", "青岛市"}}})))
	if got := invalid(t, err); !reflect.DeepEqual(got, []string{"市!1 parent"}) {
		t.Errorf("no parent column: %q", got)
	}
}
