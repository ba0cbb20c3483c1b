package web

import (
	"net/http"

	"junheng/evaluation"
	"junheng/usecase"
)

// passwordPaths are the pages a person with a first or reset password may reach before changing it.
var passwordPaths = map[string]bool{"/account/password": true, "/logout": true}

// passwordPage asks for the current password and a new one: at first sign-in, after a reset, or at will.
func (s *server) passwordPage(w http.ResponseWriter, r *http.Request) {
	if current(r).me.AccountID == 0 {
		s.coreError(w, r, usecase.ErrForbidden) // a token's session has no password
		return
	}
	s.render(w, r, http.StatusOK, "password", "change_password", 0, nil)
}

// changePassword changes the signed-in person's password (usecase.Core.ChangePassword). The new one is typed
// twice; a mismatch is the form's error and changes nothing.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request) {
	const form = "password"
	next := r.PostFormValue("password")
	var err error
	if next != r.PostFormValue("confirm") {
		err = usecase.InvalidInput(evaluation.Problem{Field: "confirm", MessageZh: "两次输入的新密码不一致",
			MessageEn: "the two new passwords differ"})
	} else {
		err = s.opts.Core.ChangePassword(r.Context(), actor(r), r.PostFormValue("current"), next)
	}
	if err != nil {
		s.back(w, r, result(form, err, english(r), ""), "/account/password")
		return
	}
	s.back(w, r, result(form, nil, english(r), s.t(r, "password_changed")), "/account/password")
}
