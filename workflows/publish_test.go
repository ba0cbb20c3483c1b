package workflows

import (
	"junheng/vocab"
	"testing"
)

// TestReviewedVersionIsWhatTheOfficeAccepted: the version the city may publish is the one the office approved, and
// then the one a passed acceptance judged; a version submitted in rectification is the district's own until then.
func TestReviewedVersionIsWhatTheOfficeAccepted(t *testing.T) {
	for _, passed := range []bool{true, false} {
		s := newScenario(t, newFakeStore())
		s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
		s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk})
		s.at(dd(3), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve", Shortfalls: []string{}})
		s.at(dd(4), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 2})
		s.at(dd(5), "", UpdateSubmit, SubmitInput{Actor: clerk})
		inRectification := probe[CycleState](s, dd(5.5), vocab.CycleID(2025, "370211"))
		s.at(dd(6), "", UpdateApply, ApplyInput{Actor: clerk})
		s.at(dd(7), "", UpdateRecordAcceptance, DecisionInput{Actor: office, Passed: passed, Comment: "验收"})
		s.cancelAt(dd(8))
		st := s.runCycle(cycleParams())
		want := 1
		if passed {
			want = 2
		}
		if inRectification.Version != 2 || inRectification.ReviewedVersion != 1 || st.ReviewedVersion != want {
			t.Errorf("acceptance passed %v: reviewed %d in rectification (version %d), %d at the end; want 1 and %d",
				passed, inRectification.ReviewedVersion, inRectification.Version, st.ReviewedVersion, want)
		}
	}
}
