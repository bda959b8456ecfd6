package pdf

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"sync"
)

// The fonts, gzip-compressed; fonts/NOTICE names them and their licences.
//
//go:embed fonts/*.ttf.gz
var fontFiles embed.FS

// face is one of the fonts a document draws with.
type face int

const (
	// faceCJK is Droid Sans Fallback: Chinese (and Japanese, Korean)
	// characters and their punctuation, but no Latin letters or digits.
	// It has no bold; bold text in it is drawn with a stroked outline.
	faceCJK face = iota
	// faceLatin and faceLatinBold are Liberation Sans: letters, digits
	// and general punctuation, which Droid Sans Fallback lacks.
	faceLatin
	faceLatinBold
	faceCount
)

// The font families and styles the faces are registered under in fpdf.
var faceFont = [faceCount]struct{ family, style, file string }{
	faceCJK:       {"droidfallback", "", "fonts/DroidSansFallbackFull.ttf.gz"},
	faceLatin:     {"liberationsans", "", "fonts/LiberationSans-Regular.ttf.gz"},
	faceLatinBold: {"liberationsans", "B", "fonts/LiberationSans-Bold.ttf.gz"},
}

var (
	fontsOnce  sync.Once
	fontBytes  [faceCount][]byte
	fontsError error
)

// fonts is the TrueType file of every face, decompressed once, on first
// use; each document gets a copy (see New).
func fonts() ([faceCount][]byte, error) {
	fontsOnce.Do(func() {
		for fc, ff := range faceFont {
			b, err := gunzipFile(ff.file)
			if err != nil {
				fontsError = fmt.Errorf("pdf: font %s: %w", ff.file, err)
				return
			}
			fontBytes[fc] = b
		}
	})
	return fontBytes, fontsError
}

func gunzipFile(name string) ([]byte, error) {
	gz, err := fontFiles.ReadFile(name)
	if err != nil {
		return nil, err
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// faceOf is the face that draws r: the Chinese font from the CJK radicals
// (U+2E80) on, which covers the ideographs, the CJK punctuation (、。《》「」)
// and the full-width forms (，：；（）), the Latin font for everything
// before. Bold picks the Latin font's bold.
func faceOf(r rune, bold bool) face {
	switch {
	case r >= 0x2E80:
		return faceCJK
	case bold:
		return faceLatinBold
	default:
		return faceLatin
	}
}
