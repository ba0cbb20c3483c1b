package web

import (
	"bytes"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"junheng/evaluation/excel"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
)

// workbook is the organisation's workbook of o, as the site exports it.
func workbook(t *testing.T, o store.Organisation) string {
	t.Helper()
	var buf bytes.Buffer
	if err := usecase.WriteOrganisation(&buf, o); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestOrganisationPage: an administrator imports a workbook (the counts in the flash, the units in the tables),
// sees a bad workbook's problems by sheet, row and column, adds a unit with the form (a bad code refused at its
// field), and downloads the tree and the template; nobody else reaches the page or the tree.
func TestOrganisationPage(t *testing.T) {
	db := seededStore(t)
	srv, c, _ := newSite(t, Options{Store: db})
	signedInAs(t, db, srv.URL, c, usecase.AccountRequest{Login: "office01", Name: "李四", Role: vocab.RoleOffice})
	for _, path := range []string{"/admin/organisation", "/download/organisation.xlsx"} {
		if resp, _ := fetch(t, c, "GET", srv.URL+path, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the office opens %s: %d", path, resp.StatusCode)
		}
	}

	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar}
	signedInAs(t, db, srv.URL, admin, usecase.AccountRequest{Login: "admin01", Name: "admin01",
		Role: vocab.RoleAdmin})
	resp, page := fetch(t, admin, "GET", srv.URL+"/admin/organisation", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<a href="/admin/organisation">组织机构</a>`) ||
		!strings.Contains(page, `<tr data-code="370211">`) {
		t.Fatalf("the page: %d\n%s", resp.StatusCode, page)
	}

	good := workbook(t, store.Organisation{Provinces: []store.Province{{Code: "370000", Name: "山东省"}},
		Cities: []store.City{{Code: "370200", Name: "青岛市", ProvinceCode: "370000"}},
		Districts: []store.District{{Code: "370211", Name: "黄岛区", CityCode: "370200"},
			{Code: "370202", Name: "市南区", CityCode: "370200"}},
		Schools: []store.School{{Code: "3702110001", Name: "黄岛区实验小学", DistrictCode: "370211", Kind: "primary"}}})
	_, page = postMultipart(t, admin, srv.URL+"/admin/organisation", formOf(t, page, "/admin/organisation"),
		"file", "organisation.xlsx", good)
	if !strings.Contains(page, "已导入: 省 1 个, 市 1 个, 区县 2 个, 学校 1 所") ||
		!strings.Contains(page, `<td>370211 黄岛区</td><td>小学</td>`) {
		t.Fatalf("after the import:\n%s", page)
	}

	bad := workbook(t, store.Organisation{Districts: []store.District{{Code: "37021", Name: "黄岛区",
		CityCode: "370200"}}})
	_, page = postMultipart(t, admin, srv.URL+"/admin/organisation", formOf(t, page, "/admin/organisation"),
		"file", "organisation.xlsx", bad)
	if !strings.Contains(page, "<li>「区县」工作表第 2 行 A 列: 区县代码应为 6 位行政区划代码(如 370211)</li>") {
		t.Errorf("a bad row's problem:\n%s", page)
	}

	form := formOf(t, page, "/admin/organisation/unit")
	form.Set("level", "district")
	form.Set("code", "370203")
	form.Set("name", "市北区")
	form.Set("parent", "370200")
	_, page = fetch(t, admin, "POST", srv.URL+"/admin/organisation/unit", form)
	if !strings.Contains(page, "单位已保存") || !strings.Contains(page, `<tr data-code="370203"><td>370203</td>`+
		`<td>市北区</td><td>370200 青岛市</td></tr>`) {
		t.Errorf("after the unit form:\n%s", page)
	}
	form = formOf(t, page, "/admin/organisation/unit")
	form.Set("level", "district")
	form.Set("code", "3702")
	form.Set("name", "市北区")
	form.Set("parent", "370200")
	_, page = fetch(t, admin, "POST", srv.URL+"/admin/organisation/unit", form)
	if !strings.Contains(page, `<span class="field-error">区县代码应为 6 位行政区划代码(如 370211)</span>`) {
		t.Errorf("a bad code is not refused at its field:\n%s", page)
	}

	resp, body := fetch(t, admin, "GET", srv.URL+"/download/organisation.xlsx", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != excel.ContentType {
		t.Fatalf("the tree's workbook: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rows, err := f.GetRows("区县"); err != nil || len(rows) != 4 || rows[2][0] != "370203" || rows[2][1] != "市北区" {
		t.Errorf("the tree's districts: %q %v", rows, err)
	}
	resp, body = fetch(t, admin, "GET", srv.URL+"/download/organisation-template.xlsx", nil)
	tpl, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the template: %d %v", resp.StatusCode, err)
	}
	defer tpl.Close()
	if got := tpl.GetSheetList(); strings.Join(got, " ") != "说明 省 市 区县 学校" {
		t.Errorf("the template's sheets: %q", got)
	}
}
