package menu_test

import (
	"bytes"
	"testing"

	"github.com/wxkit/wechat/menu"
)

// FuzzParse feeds menu files to Parse: it must never panic, and whatever it
// accepts must survive WriteJSON and Parse unchanged, Validate included.
func FuzzParse(f *testing.F) {
	f.Add([]byte(specMenu))
	f.Add([]byte(`{"button":[{"name":"m","sub_button":[{"type":"click","name":"a","key":"k","sub_button":[]}]}]}`))
	f.Add([]byte(`{"button":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := menu.Parse(data)
		if err != nil {
			return
		}
		verr := m.Validate()
		var buf bytes.Buffer
		if err := m.WriteJSON(&buf); err != nil {
			t.Fatalf("WriteJSON of a parsed menu: %v", err)
		}
		again, err := menu.Parse(buf.Bytes())
		if err != nil {
			t.Fatalf("Parse(WriteJSON(Parse(%q))) = %v", data, err)
		}
		if a, b := jsonOf(t, again), jsonOf(t, m); a != b {
			t.Fatalf("round trip = %s, want %s", a, b)
		}
		if (again.Validate() == nil) != (verr == nil) {
			t.Fatalf("Validate changed after a round trip: %v vs %v", again.Validate(), verr)
		}
	})
}
