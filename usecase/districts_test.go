package usecase

import (
	"context"
	"slices"
	"testing"

	"junheng/store/storetest"
	"junheng/vocab"
)

// TestDistricts: only the office and admins register districts, refused before the input is checked; a code is
// registered once; a district sees only itself in the list.
func TestDistricts(t *testing.T) {
	ctx := context.Background()
	c := New(Deps{Store: storetest.SQLite(t)})
	admin := Actor{Role: vocab.RoleAdmin}
	for _, tc := range []struct {
		actor Actor
		in    NewDistrict
		want  Kind
	}{
		{Actor{Role: vocab.RoleDistrict, Unit: "370211"}, NewDistrict{Code: "x"}, Forbidden},
		{Actor{Role: vocab.RoleProvince}, NewDistrict{Code: "x"}, Forbidden},
		{admin, NewDistrict{Code: "070211", Name: " "}, Invalid},
		{admin, NewDistrict{Code: "370211", Name: "崂山区"}, ""},
		{Actor{Role: vocab.RoleOffice}, NewDistrict{Code: "370202", Name: "市南区"}, ""},
		{admin, NewDistrict{Code: "370211", Name: "again"}, Refused},
	} {
		if _, err := c.CreateDistrict(ctx, tc.actor, tc.in); kindOf(err) != tc.want || (tc.want == "") != (err == nil) {
			t.Errorf("%+v registering %+v: %v, want %q", tc.actor, tc.in, err, tc.want)
		}
	}
	_, err := c.CreateDistrict(ctx, admin, NewDistrict{Code: "37021", Name: ""})
	if !slices.Equal(fieldsOf(err), []string{"code", "name"}) {
		t.Errorf("a bad code and no name: %v", err)
	}
	codes := func(a Actor) []string {
		ds, err := c.Districts(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.Code)
		}
		return out
	}
	if got := codes(Actor{Role: vocab.RoleProvince}); !slices.Equal(got, []string{"370202", "370211"}) {
		t.Errorf("the province sees %v", got)
	}
	if got := codes(Actor{Role: vocab.RoleDistrict, Unit: "370211"}); !slices.Equal(got, []string{"370211"}) {
		t.Errorf("a district sees %v", got)
	}
}
