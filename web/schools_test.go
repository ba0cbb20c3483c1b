package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// 黄岛区's two schools and 市南区's one; "head" is the token of the first school.
const ownSchool, otherSchool, farSchool = "3702110001", "3702110002", "3702020001"

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// schoolsSite is the site over seededStore with the three schools registered and 黄岛区's 2026 self-assessment due
// by the end of the day 60 days on, as the calendar's deadlines are; it answers the site, its client, the fake
// workflow service, the store and the self-assessment deadline.
func schoolsSite(t *testing.T) (*httptest.Server, *http.Client, *fakeAPI, *store.Store, time.Time) {
	t.Helper()
	db, ctx := seededStore(t), context.Background()
	org := store.Organisation{Schools: []store.School{
		{Code: ownSchool, Name: "实验小学", DistrictCode: "370211", Kind: "primary"},
		{Code: otherSchool, Name: "第二小学", DistrictCode: "370211", Kind: "primary"},
		{Code: farSchool, Name: "市南小学", DistrictCode: "370202", Kind: "primary"}}}
	if err := db.SaveOrganisation(ctx, org, &store.AuditEvent{Actor: "admin", Role: "admin",
		Action: "import_organisation", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	head := store.Token{Name: "head", Role: "school", UnitCode: ownSchool, Hash: usecase.HashToken("head"),
		CreatedAt: time.Now().UTC()}
	if err := db.CreateToken(ctx, &head, nil); err != nil {
		t.Fatal(err)
	}
	y, m, d := time.Now().In(shanghai).AddDate(0, 0, 60).Date()
	due := time.Date(y, m, d+1, 0, 0, 0, 0, shanghai)
	cy := store.CycleOf(workflows.CycleState{Year: 2026, District: "370211", DistrictName: "黄岛区",
		Stage: vocab.StageSelfAssessment, Deadlines: workflows.Deadlines{SelfAssessment: due}})
	cy.RecordSeq = 1 // later than the seeded row
	if err := db.RecordCycle(ctx, cy, nil); err != nil {
		t.Fatal(err)
	}
	srv, c, api := newSite(t, Options{Store: db})
	return srv, c, api, db, due
}

// mirror writes a school's return as its workflow would, each write later than the one before.
func mirror(t *testing.T, db *store.Store, r store.SchoolReturn) {
	t.Helper()
	r.Year, r.DistrictCode, r.RecordTime, r.UpdatedAt = 2026, "370211", time.Now().UnixNano(), time.Now().UTC()
	if err := db.RecordSchoolReturn(context.Background(), &r, nil); err != nil {
		t.Fatal(err)
	}
}

// primaryFigures fills a primary school's form.
func primaryFigures(form url.Values) url.Values {
	for k, v := range map[string]string{"kind": "primary", "stages.primary.students": "500",
		"stages.primary.classes": "12", "stages.primary.largest_class": "45",
		"stages.primary.qualified_teachers": "30", "stages.primary.backbone_teachers": "5",
		"stages.primary.pe_art_teachers": "4", "facilities.teaching_room_area_m2": "3000.5",
		"facilities.sports_area_m2": "8000", "facilities.equipment_value_yuan": "1000000",
		"facilities.multimedia_rooms": "12", "facilities.music_rooms": "2", "facilities.art_rooms": "2"} {
		form.Set(k, v)
	}
	return form
}

// fieldError finds the error shown beside the field named name, with the value the field shows.
func fieldError(page, name, value, msg string) bool {
	return regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="` + regexp.QuoteMeta(value) +
		`"[^>]*>\s*<span class="field-error">` + regexp.QuoteMeta(msg) + `</span>`).MatchString(page)
}

func wants(t *testing.T, what, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, page)
		}
	}
}

// A school signs in to its own form, which opens once the district opens the year for its schools; it saves (a
// bad figure is named beside its field and nothing is saved) and submits. The district follows its schools in a
// list with counts, reads a school's data on its page, returns it with a reason the school then reads, accepts
// it and gives another school more time; gathering the self-assessment is refused while that school is not
// accepted, naming it. A school does not reach its district's pages; a district does not reach another's school.
func TestSchoolsFillAndDistrictChecks(t *testing.T) {
	srv, c, api, db, due := schoolsSite(t)
	ctx, base := context.Background(), srv.URL
	schoolDeadline := due.Add(-usecase.SchoolDeadlineLead)
	schoolDue := schoolDeadline.Add(-time.Nanosecond).In(shanghai).Format(time.DateOnly)
	daysLeft := strconv.Itoa(int(time.Until(schoolDeadline).Hours() / 24))

	signIn(t, base, c, "head")
	if resp, _ := fetch(t, noRedirect(c), "GET", base+"/", nil); !strings.HasPrefix(resp.Header.Get("Location"),
		"/school?year=") {
		t.Errorf("a school lands on %q", resp.Header.Get("Location"))
	}
	_, page := fetch(t, c, "GET", base+"/school?year=2026", nil)
	wants(t, "the school's page before the round", page, "实验小学 (3702110001)", `id="not-opened"`,
		"区县尚未开启本年度学校数据填报")
	if strings.Contains(page, `action="/school/save"`) || strings.Contains(page, `href="/ledger"`) {
		t.Errorf("a form, or the district's links, before the round:\n%s", page)
	}
	for _, path := range []string{"/district/schools?year=2026", "/district/school?year=2026&code=" + ownSchool} {
		if resp, _ := fetch(t, c, "GET", base+path, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a school opens %s: %d", path, resp.StatusCode)
		}
	}

	// The district opens the year for its schools with the default deadline.
	signIn(t, base, c, "clerk")
	_, page = fetch(t, c, "GET", base+"/district?year=2026", nil)
	wants(t, "the workspace", page, `<a href="/district/schools?year=2026" id="schools-link">学校填报与审核</a>`)
	_, page = fetch(t, c, "GET", base+"/district/schools?year=2026", nil)
	wants(t, "the list before the round", page, `data-status="not_started">未填报: 2</span>`,
		`<tr data-school="3702110001" data-status="not_started">`,
		`<tr data-school="3702110002" data-status="not_started">`, "默认为自评截止日期前 15 天: "+schoolDue,
		`name="deadline" pattern="\d{4}-\d{2}-\d{2}"`)
	if strings.Contains(page, farSchool) {
		t.Error("another district's school is listed")
	}
	_, page = fetch(t, c, "POST", base+"/district/schools/open", formOf(t, page, "/district/schools/open"))
	wants(t, "the opened round", page, "已开启: 本次开启 2 所学校, 此前已开启 0 所", "<td>"+schoolDue+"</td>")
	api.mu.Lock()
	started := slices.Clone(api.started)
	api.mu.Unlock()
	for _, sc := range []string{ownSchool, otherSchool} {
		if !slices.Contains(started, vocab.SchoolID(2026, "370211", sc)) {
			t.Errorf("%s's workflow is not started: %v", sc, started)
		}
	}

	// The school's form: the figures of a primary school, the deadline and the days left.
	signIn(t, base, c, "head")
	_, page = fetch(t, c, "GET", base+"/school?year=2026", nil)
	wants(t, "the opened form", page, `<td id="status">未填报`, `<td id="deadline">`+schoolDue+" · 剩余天数 "+daysLeft,
		`<option value="primary" selected>小学</option>`, `name="stages.primary.students" value=""`,
		`name="facilities.art_rooms"`, "专任教师数(人)</label> <span class=\"muted\">(选填, 基本均衡监测用)")
	if strings.Contains(page, "stages.junior.") || strings.Contains(page, `action="/school/submit"`) {
		t.Errorf("a junior stage, or submitting without a draft:\n%s", page)
	}
	_, page = fetch(t, c, "POST", base+"/school/save", primaryFigures(formOf(t, page, "/school/save")))
	wants(t, "the saved form", page, "<strong>已保存</strong>", `name="stages.primary.students" value="500"`,
		`name="facilities.teaching_room_area_m2" value="3000.5"`, `action="/school/submit"`)
	saved := must(db.SchoolDraft(ctx, 2026, ownSchool))

	// A figure the page cannot read, and one the evaluation refuses: each beside its field, as typed; the draft
	// stays as saved.
	for _, tc := range []struct{ field, value, msg string }{
		{"stages.primary.students", "五百", "应为整数"},
		{"stages.primary.classes", "0", "班级数必须大于 0"},
	} {
		form := primaryFigures(formOf(t, page, "/school/save"))
		form.Set(tc.field, tc.value)
		_, page = fetch(t, c, "POST", base+"/school/save", form)
		if !fieldError(page, tc.field, tc.value, tc.msg) {
			t.Errorf("%s %q: the error is not beside the field:\n%s", tc.field, tc.value, page)
		}
		if d := must(db.SchoolDraft(ctx, 2026, ownSchool)); !d.UpdatedAt.Equal(saved.UpdatedAt) ||
			d.Data.Stages.Primary.Students != 500 {
			t.Errorf("a refused save changed the draft: %+v", d.Data.Stages.Primary)
		}
	}
	_, page = fetch(t, c, "POST", base+"/school/submit", formOf(t, page, "/school/submit"))
	wants(t, "the submitted form", page, "已提交, 等待区县审核")
	id := vocab.SchoolID(2026, "370211", ownSchool)
	if got := workflowsOf(api, workflows.UpdateSubmitSchool); !slices.Equal(got, []string{id}) {
		t.Errorf("the submission went to %v", got)
	}
	submitted := time.Now().UTC()
	mirror(t, db, store.SchoolReturn{SchoolCode: ownSchool, Status: string(vocab.SchoolSubmitted),
		Deadline: schoolDeadline, Data: &saved.Data, Submissions: 1, SubmittedAt: &submitted})
	_, page = fetch(t, c, "GET", base+"/school?year=2026", nil)
	wants(t, "the school's page once submitted", page, `<td id="status">已提交待审核`, `id="locked"`,
		`<span data-field="stages.primary.students">500</span>`)
	if strings.Contains(page, `action="/school/save"`) {
		t.Error("a submitted school may still save")
	}

	// The district's list, and the school's page with its data and the district's decisions.
	signIn(t, base, c, "clerk")
	_, page = fetch(t, c, "GET", base+"/district/schools?year=2026", nil)
	wants(t, "the list", page, `data-status="submitted">已提交待审核: 1</span>`,
		`data-status="not_started">未填报: 1</span>`,
		`<a href="/district/school?year=2026&code=3702110001">实验小学</a>`)
	list, _, _ := strings.Cut(page[strings.Index(page, `<table class="school-list">`):], "</table>")
	if strings.Contains(list, "<form") {
		t.Errorf("the list carries forms:\n%s", list)
	}
	schoolPage := base + "/district/school?year=2026&code=" + ownSchool
	_, page = fetch(t, c, "GET", schoolPage, nil)
	wants(t, "the school's page for the district", page, `<span data-field="stages.primary.students">500</span>`,
		`<span data-field="facilities.teaching_room_area_m2">3000.5</span>`, `action="/district/school/accept"`,
		`<textarea name="reason"`)
	if strings.Contains(page, `<input type="text" id="stages.`) {
		t.Error("the district's view of the data is editable")
	}
	_, page = fetch(t, c, "POST", base+"/district/school/return", formOf(t, page, "/district/school/return"))
	if !strings.Contains(page, `<span class="field-error">必填</span>`) ||
		len(api.updatesOf(workflows.UpdateReturnSchool)) != 0 {
		t.Errorf("a return without a reason:\n%s", page)
	}
	form := formOf(t, page, "/district/school/return")
	form.Set("reason", "班额数据有误, 请核对")
	_, page = fetch(t, c, "POST", base+"/district/school/return", form)
	wants(t, "the return", page, "已退回学校")
	if in := argsOf[workflows.SchoolReturnInput](api, workflows.UpdateReturnSchool); len(in) != 1 ||
		in[0].Reason != "班额数据有误, 请核对" {
		t.Errorf("the return sent %+v", in)
	}
	mirror(t, db, store.SchoolReturn{SchoolCode: ownSchool, Status: string(vocab.SchoolReturned),
		Deadline: schoolDeadline, Reason: "班额数据有误, 请核对", Submissions: 1,
		SubmittedAt: &submitted})

	signIn(t, base, c, "head")
	_, page = fetch(t, c, "GET", base+"/school?year=2026", nil)
	wants(t, "the returned form", page, `<td id="status">已退回`, `<td id="reason">班额数据有误, 请核对</td>`,
		`name="stages.primary.students" value="500"`, `action="/school/submit"`)
	// Another kind: the form comes back with that kind's stages to fill in, what was typed kept, nothing saved.
	form = primaryFigures(formOf(t, page, "/school/save"))
	form.Set("kind", "nine_year")
	_, page = fetch(t, c, "POST", base+"/school/save", form)
	wants(t, "another kind", page, "学校类型已更改, 尚未保存", `<option value="nine_year" selected>`,
		`name="stages.primary.students" value="500"`, `name="stages.junior.students" value=""`,
		`name="stages.junior.facilities.art_rooms"`)
	if d := must(db.SchoolDraft(ctx, 2026, ownSchool)); d.Data.Kind != evaluation.KindPrimary {
		t.Errorf("changing the kind saved %s", d.Data.Kind)
	}
	_, page = fetch(t, c, "GET", base+"/school?year=2026&lang=en", nil)
	wants(t, "the English form", page, "The district&#39;s reason for returning", ">Students</label>",
		"<button>Save draft</button>", `<td id="status">returned`)
	fetch(t, c, "GET", base+"/school?year=2026&lang=zh", nil)

	// Submitted again, accepted.
	mirror(t, db, store.SchoolReturn{SchoolCode: ownSchool, Status: string(vocab.SchoolSubmitted),
		Deadline: schoolDeadline, Data: &saved.Data, Submissions: 2, SubmittedAt: &submitted})
	signIn(t, base, c, "clerk")
	_, page = fetch(t, c, "GET", schoolPage, nil)
	_, page = fetch(t, c, "POST", base+"/district/school/accept", formOf(t, page, "/district/school/accept"))
	if wants(t, "the acceptance", page, "已审核通过"); len(api.updatesOf(workflows.UpdateAcceptSchool)) != 1 {
		t.Errorf("accepted %v", api.updatesOf(workflows.UpdateAcceptSchool))
	}
	mirror(t, db, store.SchoolReturn{SchoolCode: ownSchool, Status: string(vocab.SchoolAccepted),
		Deadline: schoolDeadline, Data: &saved.Data, Submissions: 2, SubmittedAt: &submitted})

	// The other school gets more time: a malformed date is named beside the field.
	_, page = fetch(t, c, "GET", base+"/district/school?year=2026&code="+otherSchool, nil)
	wants(t, "a school without data", page, `id="no-data"`, `action="/district/school/deadline"`)
	form = formOf(t, page, "/district/school/deadline")
	form.Set("deadline", "2026/12/31")
	_, page = fetch(t, c, "POST", base+"/district/school/deadline", form)
	wants(t, "a malformed deadline", page, `<span class="field-error">日期格式应为 2026-03-31 或 RFC 3339 时间</span>`)
	later := time.Now().In(shanghai).AddDate(0, 1, 0).Format(time.DateOnly)
	form = formOf(t, page, "/district/school/deadline")
	form.Set("deadline", later)
	_, page = fetch(t, c, "POST", base+"/district/school/deadline", form)
	wants(t, "a new deadline", page, "截止日期已更新")
	if in := argsOf[workflows.SchoolDeadlineInput](api, workflows.UpdateSetSchoolDeadline); len(in) != 1 ||
		in[0].Deadline.In(shanghai).Add(-time.Nanosecond).Format(time.DateOnly) != later {
		t.Errorf("the new deadline sent %+v", in)
	}

	// Gathering the self-assessment waits for the other school.
	_, page = fetch(t, c, "GET", base+"/district/schools?year=2026", nil)
	wants(t, "the list after acceptance", page, `data-status="accepted">已审核通过: 1</span>`)
	_, page = fetch(t, c, "POST", base+"/district/schools/assemble",
		formOf(t, page, "/district/schools/assemble"))
	wants(t, "the refused assembly", page, `data-form="school_assemble"`,
		"<li>学校 第二小学(3702110002)的数据尚未审核通过</li>")
	if strings.Contains(page, "实验小学(3702110001)的数据尚未") {
		t.Error("the refusal names an accepted school")
	}

	// Another district's school is not found, named by its own district or not.
	for _, path := range []string{"/district/school?year=2026&code=" + farSchool,
		"/district/school?year=2026&district=370202&code=" + farSchool} {
		if resp, _ := fetch(t, c, "GET", base+path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	// The office above reads the list and a school's data, without the district's forms.
	signIn(t, base, c, "officer")
	_, page = fetch(t, c, "GET", base+"/district/schools?year=2026&code=370211", nil)
	wants(t, "the office's list", page,
		`<a href="/district/school?year=2026&code=3702110001&district=370211">实验小学</a>`)
	_, page = fetch(t, c, "GET", base+"/district/school?year=2026&district=370211&code="+ownSchool, nil)
	wants(t, "the office's view of a school", page, `<span data-field="stages.primary.students">500</span>`)
	if strings.Contains(page, `action="/district/`) {
		t.Error("the office gets the district's forms")
	}
}

// workflowsOf lists the workflows of the Updates named name that the workflow service took.
func workflowsOf(f *fakeAPI, name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, u := range f.updates {
		if u.UpdateName == name {
			ids = append(ids, u.WorkflowID)
		}
	}
	return ids
}

// workbookOf is 黄岛区's 2026 self-assessment as a workbook, its first two schools renamed as the two registered.
func workbookOf(t *testing.T) string {
	t.Helper()
	var in evaluation.Input
	if err := json.Unmarshal([]byte(draftJSON(t)), &in); err != nil {
		t.Fatal(err)
	}
	in.Schools[0].Code, in.Schools[1].Code = ownSchool, otherSchool
	var buf bytes.Buffer
	if err := excel.Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// A workbook the district saves enters the data of each of its schools whose own is not submitted, under the
// save's key, and the flash says how many were entered, kept and skipped. Should entering them fail, the flash
// still says the draft was saved, the failure beside it; a page edit enters nothing.
func TestWorkbookEntersSchools(t *testing.T) {
	srv, c, api, db, due := schoolsSite(t)
	base, workbook := srv.URL, workbookOf(t)
	signIn(t, base, c, "clerk")
	_, page := fetch(t, c, "GET", base+"/district/schools?year=2026", nil)
	fetch(t, c, "POST", base+"/district/schools/open", formOf(t, page, "/district/schools/open"))
	submitted := time.Now().UTC()
	var sample evaluation.Input
	if err := json.Unmarshal([]byte(draftJSON(t)), &sample); err != nil {
		t.Fatal(err)
	}
	own := sample.Schools[1] // the school's own figures, which stand over the district's workbook
	own.Code, own.Stages.Primary.Students = otherSchool, own.Stages.Primary.Students+1
	mirror(t, db, store.SchoolReturn{SchoolCode: otherSchool, Status: string(vocab.SchoolSubmitted),
		Deadline: due, Data: &own, Submissions: 1, SubmittedAt: &submitted})

	_, page = fetch(t, c, "GET", base+"/district?year=2026", nil)
	_, page = postMultipart(t, c, base+"/district/upload", formOf(t, page, "/district/upload"), "file",
		"自评.xlsx", workbook)
	wants(t, "the saved workbook", page, `<div class="flash ok" role="status" data-form="upload">`,
		"<strong>已保存</strong>", "<li>学校数据: 录入 1 所(视为审核通过), 保留学校自报 1 所, 跳过 2 所(未登记或未开启填报)</li>")
	entered := argsOf[workflows.SchoolEntryInput](api, workflows.UpdateEnterSchool)
	if got := workflowsOf(api, workflows.UpdateEnterSchool); len(entered) != 1 || entered[0].Data.Code != ownSchool ||
		!slices.Equal(got, []string{vocab.SchoolID(2026, "370211", ownSchool)}) {
		t.Errorf("entered %v: %+v", got, entered)
	}
	saves := len(api.updatesOf(workflows.UpdateSaveDraft))
	drafts := argsOf[workflows.SaveDraftInput](api, workflows.UpdateSaveDraft)
	if d, err := db.Draft(context.Background(), drafts[len(drafts)-1].DraftID); err != nil ||
		d.Data.Schools[1].Code != otherSchool ||
		d.Data.Schools[1].Stages.Primary.Students != own.Stages.Primary.Students {
		t.Errorf("the school that submitted has the district's figures in the draft: %v", err)
	}

	// The draft's Update is taken; the schools' then fail.
	hold, held := make(chan struct{}), make(chan context.Context)
	api.mu.Lock()
	api.hold, api.held = hold, held
	api.mu.Unlock()
	_, page = fetch(t, c, "GET", base+"/district?year=2026", nil)
	req := multipartRequest(http.MethodPost, base+"/district/upload", formOf(t, page, "/district/upload"), "file",
		"自评.xlsx", workbook)
	answered := make(chan string, 1)
	go func() { // the page it comes back to
		var page bytes.Buffer
		if resp, err := c.Do(req); err == nil {
			page.ReadFrom(resp.Body)
			resp.Body.Close()
		}
		answered <- page.String()
	}()
	select { // a refused save never reaches the held Update
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the workbook's draft never reached Temporal")
	}
	api.setOutage("bare")
	close(hold)
	page = <-answered
	api.setOutage("")
	wants(t, "the saved workbook whose schools failed", page, "<strong>已保存</strong>",
		"<li>自评草稿已保存, 但学校数据未能录入(系统繁忙或暂时不可用), 可稍后重新上传工作簿</li>")
	if n := len(api.updatesOf(workflows.UpdateSaveDraft)); n != saves+1 {
		t.Errorf("%d drafts saved, want %d", n, saves+1)
	}

	// A page edit saves the draft only.
	form := formOf(t, page, "/district/edit")
	form.Set("data", draftJSON(t))
	_, page = fetch(t, c, "POST", base+"/district/edit", form)
	if !strings.Contains(page, "<strong>已保存</strong>") || strings.Contains(page, "学校数据") ||
		len(workflowsOf(api, workflows.UpdateEnterSchool)) != 1 {
		t.Errorf("a page edit entered schools:\n%s", page)
	}
}

// The form asks for what the evaluation reads of a school of each kind, every figure labelled in both languages;
// a stage left blank is left out, and a combined school's facilities per stage are read as such and shown again.
func TestSchoolFormFollowsTheEvaluation(t *testing.T) {
	for _, fs := range [][]figure{stageFigures, seniorFigures, facilityFigures} {
		for _, f := range fs {
			if l, ok := catalogue["school_f_"+f.Key]; !ok || l[0] == "" || l[1] == "" {
				t.Errorf("%s has no label", f.Key)
			}
		}
	}
	if len(stageFigures) != 8 || !slices.Contains(stageFigures, figure{"teachers", true, true}) ||
		!slices.Contains(facilityFigures, figure{"equipment_value_yuan", false, false}) {
		t.Errorf("figures %v %v", stageFigures, facilityFigures)
	}

	form := url.Values{"facilities_per_stage": {"1"}, "facilities.art_rooms": {"9"}}
	for _, g := range []string{"stages.primary.", "stages.primary.facilities."} {
		for _, f := range append(slices.Clone(stageFigures), facilityFigures...) {
			form.Set(g+f.Key, "2")
		}
	}
	data, malformed := readSchool(form, evaluation.KindNineYear)
	if len(malformed) != 0 || data.Stages.Junior != nil || data.Stages.Primary == nil ||
		data.Stages.Primary.Facilities == nil || data.Stages.Primary.Facilities.ArtRooms != 2 ||
		data.Facilities != (evaluation.Facilities{}) || *data.Stages.Primary.Teachers != 2 {
		t.Fatalf("read %+v, problems %v", data, malformed)
	}
	values, perStage := valuesOf(&data)
	f := fieldsOf(evaluation.KindNineYear, values, perStage, true, true, "")
	if !perStage || values["stages.primary.facilities.art_rooms"] != "2" || len(f.Groups) != 2 ||
		f.Groups[1].Title != "primary · Facilities per stage" {
		t.Errorf("shown again as %v, %+v", values, f.Groups)
	}
	form.Set("stages.primary.classes", "")
	form.Set("stages.primary.teachers", "")
	if _, malformed = readSchool(form, evaluation.KindNineYear); len(malformed) != 1 ||
		malformed[0].Field != "stages.primary.classes" {
		t.Errorf("a blank figure: %v", malformed)
	}
}
