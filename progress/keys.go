package progress

import (
	"slices"

	"junheng/evaluation"
)

// IndicatorKeys lists every shortfall key a milestone may name under the profile, sorted. It is the engine's own
// list (Profile.ShortfallKeys), so a key the engine emits is never refused.
func IndicatorKeys(profile evaluation.Profile) []string {
	keys := profile.ShortfallKeys()
	slices.Sort(keys)
	return slices.Compact(keys)
}
