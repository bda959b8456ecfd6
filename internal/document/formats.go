package document

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// The formats Chinese courts and offices send besides PDF, images and
// Office Open XML: legacy Office and WPS Office files (OLE compound
// files), OFD (GB/T 33190, the national layout format of e-government
// documents), TIFF scans, and text in GBK/GB 18030.
const (
	TypeDOC         = "application/msword"
	TypeXLS         = "application/vnd.ms-excel"
	TypePPT         = "application/vnd.ms-powerpoint"
	TypeWPS         = "application/vnd.kingsoft.wps"
	TypeET          = "application/vnd.kingsoft.et"
	TypeDPS         = "application/vnd.kingsoft.dps"
	TypeOFD         = "application/ofd"
	TypeTIFF        = "image/tiff"
	TypeTextGB18030 = "text/plain; charset=gb18030"
)

// oleMagic begins every OLE compound file (.doc, .xls, .ppt, and the WPS
// Office formats .wps, .et, .dps).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// oleKinds are the extensions an OLE compound file is accepted with and
// the type it is stored as: the container does not say which program
// wrote it, the name does.
var oleKinds = map[string]string{
	".doc": TypeDOC, ".xls": TypeXLS, ".ppt": TypePPT, ".wps": TypeWPS, ".et": TypeET, ".dps": TypeDPS,
}

// binaryType recognises the accepted formats http.DetectContentType does
// not know: an OLE compound file named as one of oleKinds, and a TIFF
// image. "" for anything else.
func binaryType(f *os.File, fileName string) string {
	head := make([]byte, 8)
	if _, err := f.ReadAt(head, 0); err != nil {
		return ""
	}
	switch {
	case bytes.Equal(head, oleMagic):
		return oleKinds[extension(fileName)]
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TypeTIFF
	}
	return ""
}

// ofdPackage reports whether a zip file is an OFD package: its entry
// point OFD.xml at the root.
func ofdPackage(f *os.File, size int64) bool {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return false
	}
	for _, zf := range zr.File {
		if zf.Name == "OFD.xml" {
			return true
		}
	}
	return false
}

// gb18030Text reports whether a file without binary bytes that is not
// UTF-8 is text in GB 18030 (a superset of GBK and GB 2312): every byte
// sequence decodes, none to the replacement character.
func gb18030Text(f *os.File, size int64) bool {
	r := simplifiedchinese.GB18030.NewDecoder().Reader(io.NewSectionReader(f, 0, size))
	b, err := io.ReadAll(r)
	if err != nil || !utf8.Valid(b) {
		return false
	}
	return !bytes.ContainsRune(b, utf8.RuneError)
}
