package menu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Parse reads a menu in WeChat's create format, {"button":[…]}, as a menu file
// holds it. Unknown fields are errors, so a misspelt "sub_buttons" does not vanish
// silently. Parse does not check limits: [Service.Create] does, or call
// [Menu.Validate].
func Parse(data []byte) (Menu, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Menu
	if err := dec.Decode(&m); err != nil {
		return Menu{}, fmt.Errorf("menu: parsing JSON: %w", err)
	}
	if dec.More() {
		return Menu{}, fmt.Errorf("menu: parsing JSON: data after the menu object")
	}
	return m, nil
}

// Load reads a whole menu file from r; see [Parse].
func Load(r io.Reader) (Menu, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Menu{}, fmt.Errorf("menu: reading: %w", err)
	}
	return Parse(data)
}

// WriteJSON writes m to w in WeChat's create format, indented, UTF-8 without HTML
// escaping, so [Load] reads it back and the file can be edited by hand.
func (m Menu) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("menu: writing JSON: %w", err)
	}
	return nil
}
