package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/text/width"

	"junheng/evaluation"
	"junheng/evaluation/excel"
)

// maxSelfAssessmentSize bounds a JSON self-assessment as the spreadsheet importer bounds a workbook.
const maxSelfAssessmentSize = excel.MaxFileSize

func newEvaluateCmd() *cobra.Command {
	var format, profileFile string
	cmd := &cobra.Command{
		Use:   "evaluate [--format json|table] [--profile NAME|FILE] FILE",
		Short: "Evaluate a district's self-assessment (.json or .xlsx) against the national standard",
		Long: `Evaluate reads a self-assessment, as JSON or as the filled Excel template (see "junheng template"),
computes every indicator of the standard and prints the result with the shortfalls and what closes them.

Exit status: 0 when evaluated, whatever the verdict; 1 when the input is invalid (every problem is listed on
stderr, one per line, and nothing is evaluated); 2 on a usage error (arguments, --format, an unreadable or invalid
profile, an unreadable file or an extension other than .json and .xlsx).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return exitCode(2, fmt.Errorf("evaluate takes one file, got %d arguments", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "json" && format != "table" {
				return exitCode(2, fmt.Errorf("unknown --format %q: use json or table", format))
			}
			profile, err := readProfileFile(profileFile)
			if err != nil {
				return exitCode(2, err)
			}
			in, err := readSelfAssessment(args[0], profile)
			if err == nil {
				var result evaluation.Result
				if result, err = evaluation.Evaluate(in, profile); err == nil {
					return writeEvaluation(cmd.OutOrStdout(), format, result, profile)
				}
			}
			var ie *evaluation.InputError
			if errors.As(err, &ie) {
				for _, p := range ie.Problems {
					fmt.Fprintln(cmd.ErrOrStderr(), p.String())
				}
				return exitCode(1, fmt.Errorf("%s: %d problem(s) in the input; nothing evaluated", args[0],
					len(ie.Problems)))
			}
			return exitCode(2, err)
		},
	}
	cmd.Flags().StringVar(&format, "format", "json", "output: json, or table (a readable Chinese report)")
	cmd.Flags().StringVar(&profileFile, "profile", "", "built-in profile ("+
		strings.Join(evaluation.BuiltinNames(), ", ")+") or profile file (.yaml, .yml, .json) overlaying one; default "+
		evaluation.NationalName)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitCode(2, err) })
	return cmd
}

func newTemplateCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:           "template [--out FILE]",
		Short:         "Write the Excel self-assessment template",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "-" {
				return excel.WriteTemplate(cmd.OutOrStdout())
			}
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			if err := excel.WriteTemplate(f); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.ErrOrStderr(), "wrote", out)
			return err
		},
	}
	cmd.Flags().StringVar(&out, "out", "self-assessment-template.xlsx", `output file; "-" writes to stdout`)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitCode(2, err) })
	return cmd
}

// readProfileFile returns the built-in profile named file (e.g. basic-2012, to monitor a district certified for
// basic balance), or the profile file's overlay. A profile file needs an extension, so a built-in name is never a
// file's.
func readProfileFile(file string) (evaluation.Profile, error) {
	if file == "" {
		return evaluation.National2017(), nil
	}
	if p, ok := evaluation.Builtin(file); ok {
		return p, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return evaluation.Profile{}, err
	}
	return evaluation.LoadProfile(data, filepath.Base(file))
}

// readSelfAssessment decodes a .json or .xlsx file through evaluation.Decode, as the API does, so that both refuse
// the same input (text that is not valid UTF-8, by field) and accept the same (a byte order mark). An
// *evaluation.InputError means the content is invalid; any other error, that the file could not be used at all.
// A workbook is checked against profile as it is read, so that what only profile needs is put on its cell.
func readSelfAssessment(file string, profile evaluation.Profile) (evaluation.Input, error) {
	ext := strings.ToLower(filepath.Ext(file))
	if ext != ".json" && ext != ".xlsx" {
		return evaluation.Input{}, fmt.Errorf("%s: the file must end in .json or .xlsx", file)
	}
	f, err := os.Open(file)
	if err != nil {
		return evaluation.Input{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return evaluation.Input{}, err
	}
	if ext == ".xlsx" {
		return excel.Import(f, info.Size(), profile)
	}
	if info.Size() > maxSelfAssessmentSize {
		return evaluation.Input{}, &evaluation.InputError{Problems: []evaluation.Problem{{Field: "file",
			MessageZh: fmt.Sprintf("文件超过 %d MiB 上限", maxSelfAssessmentSize>>20),
			MessageEn: fmt.Sprintf("the file is over the %d MiB limit", maxSelfAssessmentSize>>20)}}}
	}
	return evaluation.Decode(io.LimitReader(f, maxSelfAssessmentSize))
}

func writeEvaluation(w io.Writer, format string, r evaluation.Result, p evaluation.Profile) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	rep := &evaluationReport{}
	rep.write(r, p)
	_, err := io.WriteString(w, rep.String())
	return err
}

// evaluationReport renders a result as a Chinese text report for the terminal.
type evaluationReport struct{ strings.Builder }

func (rep *evaluationReport) line(format string, args ...any) { fmt.Fprintf(rep, format+"\n", args...) }

func passZh(ok bool) string {
	if ok {
		return "达标"
	}
	return "未达标"
}

func (rep *evaluationReport) write(r evaluation.Result, p evaluation.Profile) {
	verdict := map[evaluation.Verdict]string{evaluation.Meets: "达到", evaluation.DoesNotMeet: "未达到"}[r.Verdict]
	// A 2012 basic-balance result has no prerequisite, checklists or recognition, but its own conditions.
	level := "优质均衡"
	if r.Basic2012 != nil {
		level = "基本均衡"
	}
	rep.line("县域义务教育%s发展评估结果", level)
	rep.line("区县:%s %s    年度:%d    标准:%s", r.District.Code, r.District.Name, r.Year, r.Standard)
	rep.line("结论:%s%s发展标准(%s)", verdict, level, r.Verdict)
	rep.line("")
	if pre := r.Prerequisite; !pre.NotApplicable {
		certified := "未填报"
		if pre.CertifiedYear != nil {
			certified = strconv.Itoa(*pre.CertifiedYear) + " 年"
		}
		rep.line("前提条件:通过国家基本均衡认定 %s(须不晚于 %d 年)  %s", certified, pre.LatestAllowedYear, passZh(pre.Passes))
		rep.line("")
	}
	rep.line("一、资源配置  %s", passZh(r.Resource.Passes))
	for _, g := range evaluation.CompulsoryStages {
		if st := r.Resource.Stages[g]; st != nil {
			rep.stage(g, st, p)
		}
	}
	for _, x := range r.Resource.Excluded {
		rep.line("  不参与计算:%s %s(%d 人)—%s", x.Code, x.Name, x.Students, x.ReasonZh)
	}
	rep.line("")
	if b := r.Basic2012; b != nil {
		ok := b.AllSchoolsMeetProvincialStandard
		rep.line("二、县域内学校均达到省定办学基本标准:%s  %s", map[bool]string{true: "是", false: "否"}[ok], passZh(ok))
		rep.line("三、县级人民政府推进义务教育均衡发展工作评估得分:%s(要求 ≥ %s)  %s", rounded(b.CountyGovernmentScore),
			rounded(b.CountyGovernmentScoreMin), passZh(b.CountyGovernmentScore >= b.CountyGovernmentScoreMin))
		rep.line("四、公众满意度:%s(要求 ≥ %s)  %s", percentZh(float64(b.PublicSatisfactionRate)),
			percentZh(float64(b.PublicSatisfactionMin)), passZh(b.PublicSatisfactionRate >= b.PublicSatisfactionMin))
	} else {
		rep.checklist("二、政府保障程度", r.Government)
		rep.checklist("三、教育质量", r.Quality)
		rec := "未填报"
		if r.Recognition.Rate != nil {
			rec = percentZh(float64(*r.Recognition.Rate))
		}
		rep.line("四、社会认可度:%s(要求 ≥ %s)  %s", rec, percentZh(float64(r.Recognition.Required)),
			passZh(r.Recognition.Passes))
	}
	vetoes := "无"
	if len(r.Vetoes) > 0 {
		var vetoNames []string
		for _, v := range r.Vetoes {
			vetoNames = append(vetoNames, v.NameZh)
		}
		vetoes = strings.Join(vetoNames, "、")
	}
	rep.line("一票否决:%s", vetoes)
	rep.line("")
	rep.line("问题清单(共 %d 项)", len(r.Shortfalls))
	for i, s := range r.Shortfalls {
		rep.line("%3d. %s", i+1, s.MessageZh)
	}
}

func (rep *evaluationReport) stage(g evaluation.SchoolStage, st *evaluation.StageResult, p evaluation.Profile) {
	rep.line("【%s】在校生 %d 人,参评学校 %d 所  %s", g.NameZh(), st.Students, len(st.Schools), passZh(st.Passes))
	t := textTable{{"指标", "标准值", "县域均值", "差异系数", "上限", "差异系数结果", "低于标准值学校"}}
	for _, ind := range p.Indicators {
		r := st.Indicators[ind.Key]
		cv, limit := evaluation.Beside(float64(r.CV), float64(r.CVLimit), 4, false)
		// Under the mean rule (2012) a single coefficient is not judged, and a profile without a per-school rule
		// has no thresholds: show a dash rather than a verdict or a 0 that looks like a standard.
		threshold, result := rounded(r.Threshold), passZh(r.CVPasses)
		if r.Threshold == 0 {
			threshold = "—"
		}
		if p.CVRule == evaluation.CVMean {
			result = "—"
		}
		t = append(t, []string{ind.NameZh, threshold, rounded(r.DistrictValue), cv, limit, result,
			strconv.Itoa(r.SchoolsBelow)})
	}
	t.write(rep, "  ")
	if st.CVMean != nil {
		m, limit := evaluation.Beside(float64(*st.CVMean), float64(p.CVLimits[g]), 4, false)
		rep.line("  综合差异系数(各项平均):%s(上限 %s)", m, limit)
	}
	for _, s := range st.Schools {
		if !s.Passes {
			rep.line("  未达标学校:%s %s(%d 项达标;低于标准值:%s;低于 85%%:%s)", s.Code, s.Name, s.MetCount,
				indicatorNamesZh(s.BelowThreshold, p), indicatorNamesZh(s.BelowFloor, p))
		}
	}
}

func indicatorNamesZh(keys []string, p evaluation.Profile) string {
	if len(keys) == 0 {
		return "无"
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k
		for _, ind := range p.Indicators {
			if ind.Key == k {
				out[i] = ind.NameZh
			}
		}
	}
	return strings.Join(out, "、")
}

// The declared-only teacher-pay value comes first: it holds "missing", which would otherwise be replaced alone.
var valuesZh = strings.NewReplacer(evaluation.DeclaredFiguresMissing, "已声明, 未填报金额", "true", "是", "false", "否",
	"missing", "未填报", "not_applicable", "不适用")

func (rep *evaluationReport) checklist(title string, c evaluation.ChecklistResult) {
	missing := ""
	if c.Missing {
		missing = "(数据未填报)"
	}
	rep.line("%s  %s%s", title, passZh(c.Passes), missing)
	t := textTable{{"序号", "项目", "实际", "要求", "结果"}}
	for _, it := range c.Items {
		t = append(t, []string{strconv.Itoa(it.No), it.NameZh, valuesZh.Replace(it.Actual),
			valuesZh.Replace(it.Required), passZh(it.Passes)})
	}
	t.write(rep, "  ")
	rep.line("")
}

// rounded shows a number as the JSON output does, to 4 decimals.
func rounded(v evaluation.Number) string {
	b, _ := v.MarshalJSON()
	return string(b)
}

func percentZh(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e4)/100, 'f', -1, 64) + "%"
}

// textTable aligns columns by display width: a Chinese character takes two columns of a terminal.
type textTable [][]string

func (t textTable) write(w io.Writer, indent string) {
	widths := map[int]int{}
	for _, row := range t {
		for i, c := range row {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, row := range t {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range row {
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
