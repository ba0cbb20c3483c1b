package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
)

// actor is the signed-in person as the core sees them, with this request's ID for the audit trail.
func actor(r *http.Request) usecase.Actor {
	me := current(r).me
	id, _ := r.Context().Value(requestIDKey{}).(string)
	a := actor0(me)
	a.RequestID = id
	return a
}

// actor0 is me as the core sees them, without a request.
func actor0(me principal) usecase.Actor {
	return usecase.Actor{AccountID: me.AccountID, TokenID: me.TokenID, Name: me.Name, Role: vocab.Role(me.Role),
		Unit: me.Unit}
}

type requestIDKey struct{}

// result is the flash of form for what the core answered; ok is the message shown on success.
func result(form string, err error, en bool, ok string) *flash {
	var e *usecase.Error
	switch {
	case err == nil:
		return &flash{Form: form, OK: true, Msg: ok}
	case !errors.As(err, &e), e.Kind == usecase.Unavailable, e.Kind == usecase.Busy:
		// Undone for a passing reason, or still under way (a timeout): sending the form again under its key is
		// safe, and the core's words for it speak of the API's Idempotency-Key.
		return &flash{Form: form, Pending: true, Msg: translate(en, "pending")}
	}
	f := &flash{Form: form, Msg: pick(en, e.MessageZh, e.MessageEn), Fields: map[string]string{}}
	for _, r := range e.Reasons {
		f.List = append(f.List, pick(en, r.MessageZh, r.MessageEn))
	}
	for _, p := range e.Fields {
		f.addField(p, en)
	}
	return f
}

// formHash is the hash of what a form sends, by which a resend is known from a changed form.
func formHash(form string, content []byte) string {
	sum := sha256.Sum256(append([]byte(form+"\n"), content...))
	return hex.EncodeToString(sum[:])
}

// pagesPrincipal is the pages' owner of a form's key in the store's idempotency records, apart from the API's
// (whose principal is the bare token ID): pages:<token ID> for a token's sessions, pages:account:<ID> for a
// person's.
func pagesPrincipal(r *http.Request) string {
	if me := current(r).me; me.AccountID != 0 {
		return "pages:account:" + strconv.FormatInt(me.AccountID, 10)
	}
	return "pages:" + strconv.FormatInt(current(r).me.TokenID, 10)
}

// once runs act at most once for the posted form's key, and answers a resent form with the first outcome, kept in
// the store so that any process of the site answers it. The same key with other content (the form changed after
// an outcome the user could not see) is refused, and a resend while the first is still under way is told so. A
// claim taken longer ago than any action lasts (its process died) is taken over. An
// outcome left pending is forgotten, so the resend acts: the core's Update, whose ID derives from the key, still
// runs once. content is what the form sends; act gets the core's key for it ("" without a form key).
func (s *server) once(r *http.Request, form string, content []byte,
	act func(ctx context.Context, key string) *flash,
) *flash {
	formKey := requestKey(r)
	if formKey == "" {
		return act(r.Context(), "")
	}
	en, hash := english(r), formHash(form, content)
	who, ctx := pagesPrincipal(r), r.Context()
	claimed, prior, err := s.opts.Store.ClaimIdempotencyKey(ctx, &store.IdempotentRequest{Principal: who,
		Key: formKey, RequestHash: hash, CreatedAt: time.Now().UTC()})
	if err != nil {
		return result(form, err, en, "")
	}
	if !claimed {
		switch {
		case prior.Status != 0 && prior.RequestHash != hash:
			return &flash{Form: form, Msg: translate(en, "form_changed")}
		case prior.Status != 0:
			var f flash
			if err := json.Unmarshal(prior.Body, &f); err != nil {
				return result(form, err, en, "")
			}
			return &f
		}
		// Still under way (whatever this send holds: its outcome decides), unless the process that took it died:
		// it was claimed longer ago than any action lasts.
		retaken, err := s.opts.Store.RetakeIdempotencyKey(ctx, who, formKey,
			time.Now().Add(-usecase.ActionTimeout-30*time.Second).UTC())
		if err != nil {
			return result(form, err, en, "")
		}
		if !retaken {
			return &flash{Form: form, Pending: true, Msg: translate(en, "still_processing")}
		}
	}
	// A double click abandons the first send, which must still run to its end, so that the second finds it
	// under way or done rather than cut off halfway.
	ctx = context.WithoutCancel(ctx)
	f := act(ctx, formKey+":"+hash[:16])
	if f.Pending {
		err = s.opts.Store.ReleaseIdempotencyKey(ctx, who, formKey)
	} else if body, merr := json.Marshal(f); merr != nil {
		err = merr
	} else {
		err = s.opts.Store.CompleteIdempotencyKey(ctx, who, formKey, http.StatusOK, "application/json", body)
	}
	if err != nil {
		s.opts.Logger.Error("form outcome not kept", "form", form, "error", err)
	}
	return f
}
