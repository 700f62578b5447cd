package paging

import (
	"errors"
	"slices"
	"testing"
)

func TestOffset(t *testing.T) {
	t.Parallel()
	list := []int{1, 2, 3, 4, 5}
	boom := errors.New("boom")
	tests := []struct {
		name      string
		total     int   // what the pages claim
		failAt    int   // offset whose fetch fails; -1 for none
		stopAfter int   // items the loop takes before breaking; 0 for all
		want      []int // items yielded
		wantErr   error
		wantCalls []int // offsets fetched
	}{
		{"every page", 5, -1, 0, list, nil, []int{0, 2, 4}},
		{"total smaller than the list", 3, -1, 0, []int{1, 2, 3, 4}, nil, []int{0, 2}},
		{"total larger: stops at an empty page", 9, -1, 0, list, nil, []int{0, 2, 4, 5}},
		{"error on the second page", 5, 2, 0, []int{1, 2}, boom, []int{0, 2}},
		{"break fetches no further page", 5, -1, 3, []int{1, 2, 3}, nil, []int{0, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls []int
			fetch := func(offset, count int) ([]int, int, error) {
				calls = append(calls, offset)
				if count != 2 {
					t.Errorf("count = %d, want the page size 2", count)
				}
				if offset == tt.failAt {
					return nil, 0, boom
				}
				return list[min(offset, len(list)):min(offset+count, len(list))], tt.total, nil
			}
			var got []int
			var gotErr error
			for v, err := range Offset(2, fetch) {
				if err != nil {
					if v != 0 {
						t.Errorf("the error came with %d, want the zero value", v)
					}
					gotErr = err
					continue
				}
				got = append(got, v)
				if len(got) == tt.stopAfter {
					break
				}
			}
			if !slices.Equal(got, tt.want) || !errors.Is(gotErr, tt.wantErr) || (tt.wantErr == nil && gotErr != nil) {
				t.Errorf("yielded %v, %v; want %v, %v", got, gotErr, tt.want, tt.wantErr)
			}
			if !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("fetched offsets %v, want %v", calls, tt.wantCalls)
			}
		})
	}
}
