//go:build !temporalui

package temporalui

// Built says whether this binary holds the view (the build tag temporalui).
const Built = false

// New returns nil: this binary was built without the tag temporalui.
func New(Options) (*View, error) { return nil, nil }
