package notice

import (
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/pdf"
)

// sealSize is the seal's diameter on paper: 42 mm, the common size of a
// committee's round seal.
const sealSize = 42

// PDF writes the notice as a PDF file dated created (the same content and
// date give the same bytes). seal is the committee's seal image (PNG);
// it is placed on the seal line when the notice may carry it
// (SealReady), and left out otherwise or when nil.
func PDF(n Notice, seal []byte, created time.Time) ([]byte, error) {
	d := pdf.New(pdf.Options{Title: n.Title + " " + n.Number, Lang: "zh-CN", Created: created})
	if err := Write(d, n, seal); err != nil {
		return nil, err
	}
	return d.Bytes()
}

// Write adds the notice to d (a file of its own, or a part of a case's
// dossier), with the seal as PDF places it. It fails only on a seal that
// is not a PNG image.
func Write(d *pdf.Document, n Notice, seal []byte) error {
	for _, b := range n.Blocks {
		switch b.Kind {
		case KindTitle:
			d.Title(b.Text())
		case KindNumber, KindSmall, KindRecorder:
			d.Note(b.Text())
		case KindAddressee, KindLabel:
			d.Heading(b.Text())
		case KindHeading:
			d.Heading(b.Text())
		case KindPara:
			d.Para(b.Text())
		case KindPre:
			// Text a person wrote: its single line breaks are paragraphs.
			d.Para(strings.ReplaceAll(b.Text(), "\n", "\n\n"))
		case KindParty:
			d.Para(b.Lead + strings.Join(b.Lines, "\n"))
		case KindSign:
			for _, r := range b.Rows {
				d.Note(strings.Join(r, "　"))
			}
		case KindSignature, KindSeal:
			d.Signature(b.Text())
			if seal != nil && n.SealReady && (b.Kind == KindSeal || !hasSeal(n)) {
				if err := d.Stamp(seal, sealSize, float64(len(b.Lines))*8); err != nil {
					return err
				}
			}
		case KindScreen:
			// for the screen only
		}
	}
	return nil
}

// hasSeal reports whether the notice has a seal line of its own (the
// agreement); the other notices take the seal on their signature.
func hasSeal(n Notice) bool {
	for _, b := range n.Blocks {
		if b.Kind == KindSeal {
			return true
		}
	}
	return false
}
