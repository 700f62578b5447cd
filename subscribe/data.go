package subscribe

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Keyword value rules (publishing.md §4, template.md §1), by the keyword's
// prefix: thing1 is a thing. Lengths count characters.
var (
	numberValue = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	letterValue = regexp.MustCompile(`^[A-Za-z]+$`)
	// amount: one currency sign, up to 10 digits, decimals, an optional 元.
	amountValue = regexp.MustCompile(`^[^0-9\s]?[0-9]{1,10}(\.[0-9]+)?元?$`)
	phoneValue  = regexp.MustCompile(`^\+?[0-9][0-9 \-]*$`)
)

// CheckData checks every value of data against its keyword's rule and names the
// first key that breaks one, in key order. Keys of unknown rules are not
// checked beyond being non-empty.
func CheckData(data map[string]string) error {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := CheckValue(k, data[k]); err != nil {
			return err
		}
	}
	return nil
}

// CheckValue checks value against the rule of the keyword key (thing1,
// character_string2, …).
func CheckValue(key, value string) error {
	rule := strings.TrimRight(key, "0123456789")
	n := utf8.RuneCountInString(value)
	name := strconv.Quote(key) // control characters escaped, for logs
	name = name[1 : len(name)-1]
	bad := func(format string, args ...any) error {
		return fmt.Errorf("subscribe: data.%s %q: %s", name, value, fmt.Sprintf(format, args...))
	}
	switch {
	case rule == "" || rule == key:
		return fmt.Errorf("subscribe: data.%s: not a keyword such as thing1", name)
	case value == "":
		return bad("empty")
	case !utf8.ValidString(value):
		return bad("not UTF-8")
	}
	switch rule {
	case "thing":
		if n > 20 {
			return bad("%d characters, the limit is 20", n)
		}
	case "number":
		if n > 32 || !numberValue.MatchString(value) {
			return bad("a number is up to 32 digits, decimals allowed")
		}
	case "letter":
		if n > 32 || !letterValue.MatchString(value) {
			return bad("letter takes up to 32 letters")
		}
	case "symbol":
		if n > 5 {
			return bad("%d characters, the limit is 5", n)
		}
	case "character_string":
		if n > 32 || !isPrintableASCII(value) {
			return bad("character_string takes up to 32 digits, letters or symbols")
		}
	case "time", "date":
		if !strings.ContainsAny(value, "0123456789") {
			return bad("a %s needs a date or time such as 2024年1月1日 12:00", rule)
		}
	case "amount":
		if !amountValue.MatchString(value) {
			return bad("an amount is a currency sign and up to 10 digits, such as ¥99.00 or 100元")
		}
	case "phone_number":
		if n > 17 || !phoneValue.MatchString(value) {
			return bad("a phone number is up to 17 digits, + and -")
		}
	case "car_number":
		if n > 8 {
			return bad("%d characters, the limit is 8", n)
		}
	case "name":
		if isPrintableASCII(value) && n > 20 || !isPrintableASCII(value) && n > 10 {
			return bad("a name is up to 10 Chinese characters or 20 letters")
		}
	case "phrase":
		if n > 5 || !allHan(value) {
			return bad("a phrase is up to 5 Chinese characters")
		}
	}
	return nil
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}
