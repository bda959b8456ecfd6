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
