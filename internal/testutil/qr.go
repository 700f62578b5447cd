package testutil

import (
	"bytes"
	"image"
	_ "image/png" // wechattest's QR images and browser screenshots are PNGs
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQR reads the QR code in img (a PNG: an image from the fake's
// showqrcode, or a screenshot of one) back to its content, failing t when there
// is none.
func DecodeQR(t testing.TB, img []byte) string {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("decoding the image: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(m)
	if err != nil {
		t.Fatal(err)
	}
	// The images are clean codes on white (the fake's PNG, a screenshot of
	// it): read them as such. gozxing's general detector, the fallback, misses
	// about 6 in 1,000 of the fake's codes, depending on their random tickets.
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		var err2 error
		if res, err2 = zxqr.NewQRCodeReader().Decode(bmp, nil); err2 != nil {
			t.Fatalf("reading the QR code: %v; as a pure code: %v", err2, err)
		}
	}
	return res.GetText()
}
