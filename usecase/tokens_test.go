package usecase

import (
	"context"
	"slices"
	"testing"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

// TestIssueToken: only admins issue tokens over the API, refused before the request is read; a request is
// checked whole, a district token only for a registered district; the token issued signs in.
func TestIssueToken(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if err := db.CreateDistrict(ctx, &store.District{Code: "370211", Name: "黄岛区"}); err != nil {
		t.Fatal(err)
	}
	c := New(Deps{Store: db})
	admin := Actor{Role: vocab.RoleAdmin}
	bad := TokenRequest{Role: "root", District: "370211"}
	for _, a := range []Actor{{Role: vocab.RoleOffice}, {Role: vocab.RoleDistrict, Unit: "370211"}} {
		if _, err := c.IssueToken(ctx, a, bad); kindOf(err) != Forbidden {
			t.Errorf("%+v issues a token: %v", a, err)
		}
	}
	if _, err := c.IssueToken(ctx, admin, bad); !slices.Equal(fieldsOf(err), []string{"role", "name"}) {
		t.Errorf("a bad request: %v", err)
	}
	_, err := c.IssueToken(ctx, admin, TokenRequest{Role: vocab.RoleDistrict, District: "370299", Name: "x"})
	if !slices.Equal(fieldsOf(err), []string{"unit"}) {
		t.Errorf("a token for a district not registered: %v", err)
	}
	tok, err := c.IssueToken(ctx, admin, TokenRequest{Role: vocab.RoleDistrict, District: "370211", Name: "clerk"})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := c.SignIn(ctx, tok.Token); err != nil || a.TokenID != tok.ID || a.District() != "370211" {
		t.Errorf("signing in with the token issued: %+v %v", a, err)
	}
}
