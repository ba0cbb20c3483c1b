package evaluation

import "testing"

// TestEveryShortfallKeyHasAName: reports and plans show names, never bare keys.
func TestEveryShortfallKeyHasAName(t *testing.T) {
	p := National2017()
	for _, key := range p.ShortfallKeys() {
		if zh, en := p.KeyName(key); zh == key || en == key || zh == "" || en == "" {
			t.Errorf("%s is called %q / %q", key, zh, en)
		}
	}
	if zh, _ := p.KeyName("class_size"); zh != "最大班额" {
		t.Errorf("class_size is called %q", zh)
	}
	if zh, en := p.KeyName("no_such_key"); zh != "no_such_key" || en != "no_such_key" {
		t.Errorf("an unknown key is called %q / %q", zh, en)
	}
}
