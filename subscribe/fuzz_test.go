package subscribe_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wxkit/wechat/subscribe"
)

// FuzzCheckValue feeds user text to the keyword checks: they never panic, name
// the key when they refuse, and never accept a value past its rule's length.
func FuzzCheckValue(f *testing.F) {
	for _, seed := range [][2]string{
		{"thing1", "订单已发货"}, {"number2", "3.14"}, {"letter3", "abc"}, {"symbol4", "%"},
		{"character_string5", "SO-2024/01"}, {"time6", "15:01"}, {"date7", "2024年1月1日"},
		{"amount8", "¥99.00"}, {"amount8", "100元"}, {"phone_number9", "+86 20-8888"},
		{"car_number10", "粤A12345"}, {"name11", "张三"}, {"phrase12", "已发货"}, {"thing", "x"}, {"13", "y"},
	} {
		f.Add(seed[0], seed[1])
	}
	limits := map[string]int{"thing": 20, "number": 32, "letter": 32, "symbol": 5, "character_string": 32,
		"phone_number": 17, "car_number": 8, "name": 20, "phrase": 5}
	f.Fuzz(func(t *testing.T, key, value string) {
		err := subscribe.CheckValue(key, value)
		if err != nil {
			if name := strconv.Quote(key); !strings.Contains(err.Error(), "data."+name[1:len(name)-1]) {
				t.Errorf("CheckValue(%q, %q) = %v: the key is not named", key, value, err)
			}
			return
		}
		if value == "" {
			t.Errorf("CheckValue(%q, \"\") accepted an empty value", key)
		}
		rule := strings.TrimRight(key, "0123456789")
		if max, ok := limits[rule]; ok && utf8.RuneCountInString(value) > max {
			t.Errorf("CheckValue(%q, %q) accepted %d characters, the limit is %d", key, value, utf8.RuneCountInString(value), max)
		}
	})
}
