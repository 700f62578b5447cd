package wechattest

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"strings"
)

// serveAvatar draws the avatar of a user without a HeadImgURL: a square in a
// colour of their own, at the size the URL's last segment asks for (0 is
// 640×640; 46, 64, 96 and 132 as WeChat's qlogo URLs).
func (s *Server) serveAvatar(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/mmopen/"), "/")
	s.mu.Lock()
	openID, known := "", false
	if len(parts) == 2 {
		openID, known = s.web.avatars[parts[0]]
	}
	s.mu.Unlock()
	size, err := strconv.Atoi(parts[len(parts)-1])
	if !known || err != nil {
		http.NotFound(w, r)
		return
	}
	switch size {
	case 0:
		size = 640
	case 46, 64, 96, 132:
	default:
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256([]byte(openID))
	fill := color.RGBA{R: 64 + sum[0]%160, G: 64 + sum[1]%160, B: 64 + sum[2]%160, A: 255}
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			c := fill
			if dx, dy := x-size/2, y-size/3; dx*dx+dy*dy < size*size/25 || (y > size*3/5 && abs(x-size/2) < size/3) {
				c = color.RGBA{R: 250, G: 250, B: 250, A: 255} // a head and shoulders
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(buf.Bytes())
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
