package dossier

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/pdf"
)

func init() {
	// pdfcpu keeps no configuration on disk for us.
	api.DisableConfigDir()
}

// buildInput is what a dossier is made of.
type buildInput struct {
	view      cases.CaseView
	number    string
	archivist string
	at        time.Time
	notices   []Item
	docs      []docFile
	extra     []Item
}

// built is a dossier's files.
type built struct {
	pdf   []byte
	pages int
	zip   []byte
	index []IndexEntry
}

// IndexEntry is one line of a dossier's index: the item, its first page
// in the dossier (0 for a file kept in the ZIP only) and its pages.
type IndexEntry struct {
	Title string
	Note  string
	Page  int
	Pages int
}

// ManifestEntry is one file of a dossier's ZIP in its manifest.json.
type ManifestEntry struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// ManifestName is the manifest's name in the ZIP, and PDFName the
// dossier PDF's.
const (
	ManifestName = "manifest.json"
	PDFName      = "dossier.pdf"
)

// part is an item being laid out: its bytes once written (or given), its
// page count.
type part struct {
	item  Item
	bytes []byte
	pages int
}

func pdfConf() *model.Configuration {
	c := model.NewDefaultConfiguration()
	c.ValidationMode = model.ValidationRelaxed
	return c
}

// build lays the dossier out: the items first (each on pages of its own),
// then the cover and the index, whose page numbers depend on how long the
// index is (written again until it no longer changes length), then the
// parts with their footers numbered from where they start, merged into
// one file.
func (s *Service) build(ctx context.Context, in buildInput) (built, error) {
	items, originals, err := s.items(ctx, in)
	if err != nil {
		return built{}, err
	}
	parts := make([]part, len(items))
	for i, it := range items {
		parts[i] = part{item: it}
		if it.Write == nil && it.PDF != nil {
			n, err := api.PageCount(bytes.NewReader(it.PDF), pdfConf())
			if err != nil || n == 0 {
				// A PDF the merge cannot read stays in the ZIP only.
				parts[i].item.Note = strings.TrimSpace(it.Note + " 文件无法并入卷宗，原件见压缩包")
				parts[i].item.PDF = nil
				continue
			}
			parts[i].bytes, parts[i].pages = it.PDF, n
		}
	}
	// How long the front (cover and index) is fixes where the parts
	// start. Laid out first with the widest page numbers, it is at least
	// as long as it will be; the parts are then written once, each
	// numbered from where it starts, and only should the real front come
	// out shorter are they written again.
	indexOf := func(placeholder bool, frontPages int) []IndexEntry {
		var index []IndexEntry
		next := frontPages + 1
		for _, p := range parts {
			e := IndexEntry{Title: p.item.Title, Note: p.item.Note, Pages: p.pages}
			switch {
			case placeholder && (p.item.Write != nil || p.pages > 0):
				e.Page, e.Pages = 9999, 2
			case p.pages > 0:
				e.Page = next
				next += p.pages
			}
			index = append(index, e)
		}
		return index
	}
	_, frontPages, err := s.writeFront(in, indexOf(true, 0))
	if err != nil {
		return built{}, fmt.Errorf("dossier cover: %w", err)
	}
	writeParts := func() error {
		next := frontPages + 1
		for i := range parts {
			p := &parts[i]
			if p.item.Write != nil {
				b, n, err := s.writePart(p.item, next, in.at)
				if err != nil {
					return fmt.Errorf("dossier part %q: %w", p.item.Title, err)
				}
				p.bytes, p.pages = b, n
			}
			next += p.pages
		}
		return nil
	}
	if err := writeParts(); err != nil {
		return built{}, err
	}
	var (
		front []byte
		index []IndexEntry
	)
	for range 4 {
		index = indexOf(false, frontPages)
		b, n, err := s.writeFront(in, index)
		if err != nil {
			return built{}, fmt.Errorf("dossier cover: %w", err)
		}
		front = b
		if n == frontPages {
			break
		}
		frontPages = n
		if err := writeParts(); err != nil {
			return built{}, err
		}
	}
	files := []io.ReadSeeker{bytes.NewReader(front)}
	for _, p := range parts {
		if p.pages > 0 {
			files = append(files, bytes.NewReader(p.bytes))
		}
	}
	var merged bytes.Buffer
	if err := api.MergeRaw(files, &merged, false, pdfConf()); err != nil {
		return built{}, fmt.Errorf("merge dossier: %w", err)
	}
	total, err := api.PageCount(bytes.NewReader(merged.Bytes()), pdfConf())
	if err != nil {
		return built{}, fmt.Errorf("count dossier pages: %w", err)
	}
	z, err := writeZip(merged.Bytes(), originals, in.at)
	if err != nil {
		return built{}, err
	}
	return built{pdf: merged.Bytes(), pages: total, zip: z, index: index}, nil
}

// original is an uploaded file for the ZIP.
type original struct {
	name, kind string
	data       []byte
}

// writePart writes a generated item on pages of its own, numbered from
// first.
func (s *Service) writePart(it Item, first int, at time.Time) ([]byte, int, error) {
	d := pdf.New(pdf.Options{Title: it.Title, Lang: "zh-CN", Created: at, FirstPage: first})
	it.Write(d)
	b, err := d.Bytes()
	if err != nil {
		return nil, 0, err
	}
	return b, d.Pages(), nil
}

// writeFront writes the cover and the index.
func (s *Service) writeFront(in buildInput, index []IndexEntry) ([]byte, int, error) {
	v := in.view
	w := s.words
	d := pdf.New(pdf.Options{Title: "卷宗 " + in.number, Lang: "zh-CN", Created: in.at})
	d.Title(v.OrgName)
	d.Title("人民调解卷宗")
	var parties []string
	for _, p := range v.Parties {
		parties = append(parties, w("party."+string(p.Role))+"："+p.Name)
	}
	var rights []string
	for _, r := range v.Rights {
		s := w("right." + string(r.Kind))
		if r.Number != "" {
			s += " " + r.Number
		}
		if r.Title != "" {
			s += "（" + r.Title + "）"
		}
		rights = append(rights, s)
	}
	number := v.Number
	if number == "" {
		number = v.RegistrationNumber
	}
	outcome := v.Outcome
	if outcome == "" {
		outcome = string(v.Status)
	}
	closed := v.ClosedAt
	if closed == nil {
		closed = v.OutcomeAt
	}
	rows := [][]string{
		{"档案号", in.number},
		{"案号", number},
		{"调解组织", v.OrgName},
		{"当事人", strings.Join(parties, "\n")},
		{"纠纷类型", w("dispute." + string(v.DisputeType))},
		{"涉及权利", orNone(strings.Join(rights, "\n"))},
		{"立案日期", dateZH(&v.CreatedAt)},
		{"结案日期", dateZH(closed)},
		{"调解结果", w("status." + outcome)},
		{"立卷人", in.archivist},
		{"归档日期", dateZH(&in.at)},
	}
	d.Table([]string{"项目", "内容"}, rows)
	d.NewPage()
	d.Title("卷内目录")
	var body [][]string
	for i, e := range index {
		title := e.Title
		if e.Note != "" {
			title += "\n" + e.Note
		}
		page := "（见压缩包）"
		if e.Page > 0 {
			page = strconv.Itoa(e.Page)
			if e.Pages > 1 {
				page += "–" + strconv.Itoa(e.Page+e.Pages-1)
			}
		}
		body = append(body, []string{strconv.Itoa(i + 1), title, page})
	}
	d.Table([]string{"序号", "材料名称", "页码"}, body)
	b, err := d.Bytes()
	if err != nil {
		return nil, 0, err
	}
	return b, d.Pages(), nil
}

func orNone(s string) string {
	if s == "" {
		return "无"
	}
	return s
}

func dateZH(t *time.Time) string {
	if t == nil {
		return "—"
	}
	b := t.In(beijing)
	return fmt.Sprintf("%d年%d月%d日", b.Year(), int(b.Month()), b.Day())
}

func timeZH(t time.Time) string {
	b := t.In(beijing)
	return fmt.Sprintf("%d年%d月%d日 %02d:%02d", b.Year(), int(b.Month()), b.Day(), b.Hour(), b.Minute())
}

// writeZip packs the originals, the dossier PDF and the manifest, dated
// at the archive's time.
func writeZip(dossierPDF []byte, originals []original, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var manifest []ManifestEntry
	add := func(name, kind string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		manifest = append(manifest, ManifestEntry{Name: name, Kind: kind, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
		return nil
	}
	if err := add(PDFName, "dossier", dossierPDF); err != nil {
		return nil, fmt.Errorf("zip dossier: %w", err)
	}
	for _, o := range originals {
		if err := add(o.name, o.kind, o.data); err != nil {
			return nil, fmt.Errorf("zip %s: %w", o.name, err)
		}
	}
	m, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("zip manifest: %w", err)
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: ManifestName, Method: zip.Deflate, Modified: at})
	if err != nil {
		return nil, fmt.Errorf("zip manifest: %w", err)
	}
	if _, err := w.Write(m); err != nil {
		return nil, fmt.Errorf("zip manifest: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	return buf.Bytes(), nil
}

// originalName is an uploaded file's name in the ZIP: its id (names may
// repeat) and its name, cleaned of anything a path would read.
func originalName(id int64, fileName string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == ':' {
			return '_'
		}
		return r
	}, path.Base(fileName))
	if clean == "." || clean == ".." || clean == "" {
		clean = "file"
	}
	return fmt.Sprintf("originals/%04d-%s", id, clean)
}
