// Package paging walks the lists WeChat pages by offset and count (the draft
// box, publications, permanent material, the subscription template library),
// so that every All of those services stops the same way.
package paging

import "iter"

// Offset yields every item of a list fetched a page of size at a time: fetch
// gets the offset (0, then past what came so far) and size, and returns the
// page's items and the list's total. The walk ends after a page that is empty
// or reaches total, when the loop breaks (no further page is fetched), or at
// an error, which is yielded once with a zero T.
func Offset[T any](size int, fetch func(offset, count int) (items []T, total int, err error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for offset := 0; ; {
			items, total, err := fetch(offset, size)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			offset += len(items)
			if len(items) == 0 || offset >= total {
				return
			}
		}
	}
}
