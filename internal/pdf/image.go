package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/png"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// ImageTypes are the image formats Image draws, by media type, with
// fpdf's name of each.
var ImageTypes = map[string]string{"image/png": "PNG", "image/jpeg": "JPG", "image/gif": "GIF"}

// Image draws a PNG, JPEG or GIF image below what the page has so far,
// scaled to the width of the text and the height left on the page (never
// enlarged past 96 dpi), on a new page when less than a third of the page
// is left. A broken image or another type is an error of the document
// (Bytes returns it).
func (d *Document) Image(data []byte, mediaType string) {
	if d.err != nil {
		return
	}
	typ, ok := ImageTypes[mediaType]
	if !ok {
		d.err = fmt.Errorf("pdf: image type %q is not drawn", mediaType)
		return
	}
	d.images++
	name := "img" + itoa(d.images)
	info := d.f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: typ, ReadDpi: false}, bytes.NewReader(data))
	if err := d.f.Error(); err != nil || info == nil {
		d.err = fmt.Errorf("pdf: image: %w", err)
		return
	}
	const pxMM = 25.4 / 96
	w, h := info.Width()*pxMM, info.Height()*pxMM
	if w <= 0 || h <= 0 {
		d.err = fmt.Errorf("pdf: image without size")
		return
	}
	if bodyBottom-d.y < (bodyBottom-marginTop)/3 {
		d.newPage()
	}
	room := bodyBottom - d.y
	scale := min(1, bodyWidth/w, room/h)
	w, h = w*scale, h*scale
	d.f.ImageOptions(name, marginLeft+(bodyWidth-w)/2, d.y, w, h, false, fpdf.ImageOptions{ImageType: typ}, 0, "")
	d.y += h + 2
}

// NewPage starts a new page (a part of the document that begins on its own).
func (d *Document) NewPage() {
	if d.y > marginTop {
		d.newPage()
	}
}

// Pages is the number of pages written so far.
func (d *Document) Pages() int { return d.f.PageCount() }

// Signature adds lines flush right, one under the other: the issuing
// body and the date at the foot of a notice.
func (d *Document) Signature(s string) {
	d.y += 4
	for _, line := range strings.Split(s, "\n") {
		d.block(line, block{size: sizeBody, leading: 1.5, right: true})
	}
}

// Stamp places a PNG image of size millimetres square over the right end
// of the lines written last (height mm of them), where a seal goes on a
// signature: the image is centred on them, not below them, and moves no
// text. It fails on bytes that are not a PNG image.
func (d *Document) Stamp(img []byte, size, height float64) error {
	if d.err != nil {
		return d.err
	}
	if _, err := png.DecodeConfig(bytes.NewReader(img)); err != nil {
		return fmt.Errorf("pdf: the stamp is not a PNG image: %w", err)
	}
	sum := sha256.Sum256(img)
	name := "stamp-" + hex.EncodeToString(sum[:8])
	opt := fpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}
	d.f.RegisterImageOptionsReader(name, opt, bytes.NewReader(img))
	if err := d.f.Error(); err != nil {
		return fmt.Errorf("pdf: stamp: %w", err)
	}
	x := marginLeft + bodyWidth - size
	y := d.y - height/2 - size/2
	if y < marginTop {
		y = marginTop
	}
	d.f.ImageOptions(name, x, y, size, size, false, opt, 0, "")
	return d.f.Error()
}
