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
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("reading the QR code: %v", err)
	}
	return res.GetText()
}
