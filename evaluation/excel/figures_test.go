package excel

import (
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"

	"junheng/evaluation"
)

// figuresInput is the sample with the pay figures, the tilt shares, and its nine-year school (S002) giving each
// stage its facilities.
func figuresInput(t testing.TB) evaluation.Input {
	in := sampleInput(t)
	g := in.Government
	g.TeacherAveragePayYuan, g.CivilServantAveragePayYuan = new(98000.5), new(96500.0)
	g.QuotaShareToRuralWeakRate, g.RuralWeakGraduateShareRate = new(0.4), new(0.35)
	s := &in.Schools[1]
	s.Facilities = evaluation.Facilities{}
	s.Stages.Primary.Facilities = &evaluation.Facilities{TeachingRoomAreaM2: 900, SportsAreaM2: 1400,
		EquipmentValueYuan: 350000, MultimediaRooms: 5, MusicRooms: 1}
	s.Stages.Junior.Facilities = &evaluation.Facilities{TeachingRoomAreaM2: 1400.5, SportsAreaM2: 2800,
		EquipmentValueYuan: 550000, MultimediaRooms: 7, ArtRooms: 1}
	return in
}

// Write then Import keeps the new figures and facilities given per stage.
func TestWriteRoundTripFiguresAndStageFacilities(t *testing.T) {
	in := figuresInput(t)
	if err := evaluation.Validate(in, evaluation.National2017()); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, "figures", in)
}

// A workbook from before the 设施按学段填报 column still imports, and the new government rows may stay empty.
func TestImportWithoutNewColumn(t *testing.T) {
	f := fill(t, sampleInput(t))
	col := columnOf(t, facilitiesPerStage)
	if err := f.RemoveCol(SheetSchools, col); err != nil {
		t.Fatal(err)
	}
	in, err := importFile(t, f)
	if err != nil || !reflect.DeepEqual(in, sampleInput(t)) {
		t.Fatalf("%v", err)
	}
}

func columnOf(t *testing.T, key string) string {
	for i, c := range schoolColumns {
		if c.key == key {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name
		}
	}
	t.Fatalf("no column %s", key)
	return ""
}

// Problems of the new data are put on their cells: a figure without its pair, facilities marked per stage on one
// stage only, and figures on a senior row marked per stage.
func TestImportFiguresProblems(t *testing.T) {
	in := figuresInput(t)
	in.Government.CivilServantAveragePayYuan = nil
	in.Schools = append(in.Schools, evaluation.School{Code: "K1", Name: "十二年一贯制学校", Kind: evaluation.KindTwelveYear,
		Stages: evaluation.Stages{Primary: in.Schools[1].Stages.Primary, Junior: in.Schools[1].Stages.Junior,
			Senior: &evaluation.SeniorData{Students: 300}}})
	f := fill(t, in) // fill repeats S002's whole-school facilities on its second row: now there are none
	fl := filler{t, f}
	flag, area := columnOf(t, facilitiesPerStage), columnOf(t, "teaching_room_area_m2")
	fl.set(SheetSchools, flag+"5", "") // S002 junior: no longer per stage, so its figures are whole-school
	fl.set(SheetSchools, area+"5", 1400.5)
	fl.set(SheetSchools, flag+"10", "是") // K1 senior (rows 8 to 10), marked per stage with a figure
	fl.set(SheetSchools, area+"10", 100)
	_, err := importFile(t, f)
	want := []where{
		{SheetSchools, 4, flag, facilitiesPerStage}, // both forms for S002
		{SheetSchools, 10, area, "teaching_room_area_m2"},
		{SheetGovernment, 12, "D", "civil_servant_average_pay_yuan"},
	}
	if got := problemsOf(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems %v, want %v\n%v", got, want, err)
	}
}
