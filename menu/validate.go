package menu

import (
	"errors"
	"fmt"
)

// WeChat's documented limits for a menu (sizes in bytes of UTF-8, not characters:
// a CJK character is 3 bytes, so a top-level name holds 5 of them).
const (
	MaxButtons      = 3    // top-level buttons, at least 1
	MaxSubButtons   = 5    // buttons in one sub-menu, at least 1
	MaxNameBytes    = 16   // name of a top-level button
	MaxSubNameBytes = 60   // name of a sub-menu button (older docs said 40)
	MaxKeyBytes     = 128  // key of click-like buttons
	MaxURLBytes     = 1024 // url of view and miniprogram buttons (older docs said 256)
)

// Sentinel errors a *ValidationError wraps, for callers that branch on the kind of
// problem with errors.Is.
var (
	ErrButtonCount   = errors.New("menu: wrong number of buttons")
	ErrTooLong       = errors.New("menu: field too long")
	ErrMissingField  = errors.New("menu: required field missing")
	ErrButtonType    = errors.New("menu: invalid button type")
	ErrNesting       = errors.New("menu: sub-menus cannot nest")
	ErrMatchRule     = errors.New("menu: invalid match rule")
	ErrPrivacyFields = errors.New("menu: match rule uses privacy fields")
)

// ValidationError is one limit a menu or match rule breaks, found before anything
// is sent. Path names the element the way the JSON does, with 0-based indexes:
// "button[1].sub_button[3]". Several problems come joined with errors.Join; use
// errors.As to get the first and errors.Is with the sentinels to classify.
type ValidationError struct {
	Path   string // "button", "button[1]", "button[1].sub_button[3]", "matchrule"
	Reason string // "name is 70 bytes, the limit is 60"
	Err    error  // one of the sentinels above
}

// Error reads like "menu: button[1].sub_button[3]: name is 70 bytes, the limit is 60".
func (e *ValidationError) Error() string { return "menu: " + e.Path + ": " + e.Reason }

// Unwrap returns the sentinel.
func (e *ValidationError) Unwrap() error { return e.Err }

// problems collects ValidationErrors.
type problems []error

func (p *problems) add(path string, sentinel error, format string, args ...any) {
	*p = append(*p, &ValidationError{Path: path, Reason: fmt.Sprintf(format, args...), Err: sentinel})
}

func (p problems) err() error { return errors.Join(p...) }

// Validate checks m against every limit WeChat documents for the create API: 1–3
// top-level buttons; 1–5 sub-buttons under a parent and no deeper nesting; name
// sizes; key and url sizes; a creatable type with the fields it needs. It returns
// nil or every problem found, each a *ValidationError naming the button.
func (m Menu) Validate() error {
	var p problems
	m.check(&p)
	return p.err()
}

func (m Menu) check(p *problems) {
	switch n := len(m.Buttons); {
	case n == 0:
		p.add("button", ErrButtonCount, "no buttons, at least 1 is required")
	case n > MaxButtons:
		p.add("button", ErrButtonCount, "%d buttons, the limit is %d", n, MaxButtons)
	}
	for i, b := range m.Buttons {
		b.check(p, fmt.Sprintf("button[%d]", i), true)
	}
}

func (b Button) check(p *problems, path string, top bool) {
	nameLimit := MaxSubNameBytes
	if top {
		nameLimit = MaxNameBytes
	}
	checkSize(p, path, "name", b.Name, nameLimit, true)
	if len(b.SubButtons) > 0 {
		switch {
		case !top:
			p.add(path, ErrNesting, "has a sub_button, but a sub-menu button cannot open another sub-menu")
			return
		case b.Type != "":
			p.add(path, ErrButtonType, "has both type %q and sub_button; a button that opens a sub-menu has no type", b.Type)
		}
		if n := len(b.SubButtons); n > MaxSubButtons {
			p.add(path+".sub_button", ErrButtonCount, "%d sub-buttons, the limit is %d", n, MaxSubButtons)
		}
		for i, sub := range b.SubButtons {
			sub.check(p, fmt.Sprintf("%s.sub_button[%d]", path, i), false)
		}
		return
	}
	switch {
	case b.Type == "" && top:
		p.add(path, ErrMissingField, "has neither type nor sub_button")
		return
	case b.Type == "":
		p.add(path, ErrMissingField, "type is required")
		return
	case isConsoleType(b.Type):
		p.add(path, ErrButtonType, "type %q can only be set in the web console, not through the API", b.Type)
		return
	case !b.Type.Creatable():
		p.add(path, ErrButtonType, "unknown type %q", b.Type)
		return
	}
	for _, field := range required[b.Type] {
		if b.field(field) == "" {
			p.add(path, ErrMissingField, "%s is required for type %q", field, b.Type)
		}
	}
	checkSize(p, path, "key", b.Key, MaxKeyBytes, false)
	checkSize(p, path, "url", b.URL, MaxURLBytes, false)
}

func checkSize(p *problems, path, field, v string, limit int, required bool) {
	switch {
	case v == "" && required:
		p.add(path, ErrMissingField, "%s is required", field)
	case len(v) > limit:
		p.add(path, ErrTooLong, "%s is %d bytes, the limit is %d", field, len(v), limit)
	}
}

func (b Button) field(name string) string {
	switch name {
	case "key":
		return b.Key
	case "url":
		return b.URL
	case "appid":
		return b.AppID
	case "pagepath":
		return b.PagePath
	case "media_id":
		return b.MediaID
	case "article_id":
		return b.ArticleID
	}
	return ""
}

func isConsoleType(t ButtonType) bool {
	switch t {
	case TypeText, TypeImage, TypePhoto, TypeVideo, TypeVoice, TypeNews:
		return true
	}
	return false
}
