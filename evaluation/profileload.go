package evaluation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadProfile overlays a profile file on a built-in profile and validates the result; name is the file name, whose
// extension picks the format (.yaml, .yml or .json). The file names its base with "base" (default
// national-2017) and must give a new "name", so that a result never claims a built-in standard while using other
// figures. Objects merge key by key, so `thresholds: {junior: {sports_area_per_student: 9}}` changes one figure;
// lists (indicators, government_items, quality_items, vetoes) replace the base list whole. Unknown keys are errors.
func LoadProfile(data []byte, name string) (Profile, error) {
	var overlay map[string]any
	var err error
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		err = json.Unmarshal(data, &overlay)
	case ".yaml", ".yml":
		err = yaml.Unmarshal(data, &overlay)
	default:
		return Profile{}, fmt.Errorf("profile %s: the file name must end in .yaml, .yml or .json", name)
	}
	if err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", name, err)
	}
	baseName := NationalName
	if b, given := overlay["base"]; given {
		baseName, _ = b.(string)
		delete(overlay, "base")
	}
	base, ok := Builtin(baseName)
	if !ok {
		return Profile{}, fmt.Errorf("profile %s: unknown base %q; built in: %s", name, baseName,
			strings.Join(BuiltinNames(), ", "))
	}
	newName, _ := overlay["name"].(string)
	if _, builtin := builtins[newName]; newName == "" || builtin {
		return Profile{}, fmt.Errorf("profile %s: give the profile its own name (e.g. name: %s-shandong)",
			name, baseName)
	}
	tree, err := generic(base)
	if err != nil {
		return Profile{}, err
	}
	merge(tree, overlay)
	merged, err := json.Marshal(tree)
	if err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", name, err)
	}
	if err := p.Validate(); err != nil {
		return Profile{}, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// generic turns a profile into the map form files are merged into.
func generic(p Profile) (map[string]any, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var tree map[string]any
	return tree, json.Unmarshal(data, &tree)
}

// merge copies src into dst, recursing where both hold an object.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}
