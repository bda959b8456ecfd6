package boundary

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Decode decodes the JSON document body into v, a pointer to the input
// struct of an endpoint, strictly: a body that is not one JSON value, a
// member the struct does not have (also one that differs only in case,
// which encoding/json would match silently), a value of the wrong type
// (a string where an object or a number is expected, a number too big
// for its field, a date that is not RFC 3339) and a json.RawMessage
// member that is not an object (the kinds' own "fields", a "result") are
// EINVALID naming the field by its path. An empty body is "body":
// validation.json_empty.
func Decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return domain.Invalid(domain.FieldError{Field: "body", Message: "validation.json_empty"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		return domain.Invalid(domain.FieldError{Field: "body", Message: MsgJSON})
	}
	if err == nil {
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return domain.Invalid(domain.FieldError{Field: "body", Message: MsgJSON})
		}
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) {
		return domain.Invalid(domain.FieldError{Field: "body", Message: MsgJSON})
	}
	// Whether the decoder failed or not, walk the document along the
	// type: on failure to name the field, on success to refuse what
	// encoding/json lets through.
	if fe := Locate(body, reflect.TypeOf(v), "", true); fe != nil {
		return domain.Invalid(*fe)
	}
	if err != nil {
		return domain.Invalid(domain.FieldError{Field: "body", Message: MsgJSON})
	}
	return nil
}

// DecodeObject decodes a JSON object nested in a body (raw, the value of
// the member named field) into v leniently: members v does not have are
// ignored, but a value of the wrong type is EINVALID naming its path
// under field ("fields.guarantee_amount_fen"). Empty and null leave v
// alone; anything but an object is field: validation.object.
func DecodeObject(field string, raw []byte, v any) *domain.FieldError {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != '{' {
		return &domain.FieldError{Field: field, Message: "validation.object"}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		if fe := Locate(raw, reflect.TypeOf(v), field, false); fe != nil {
			return fe
		}
		return &domain.FieldError{Field: field, Message: "validation.object"}
	}
	return nil
}

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	timeType        = reflect.TypeFor[time.Time]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// Locate walks the JSON value raw along type t and returns the first
// field (by path under prefix) whose value does not fit, or nil. With
// strict, members that t does not have (by their exact name) are errors
// too. A json.RawMessage must be an object (or null).
func Locate(raw []byte, t reflect.Type, prefix string, strict bool) *domain.FieldError {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := field(prefix)
	if t == rawMessageType {
		if raw[0] != '{' {
			return &domain.FieldError{Field: name, Message: "validation.object"}
		}
		return nil
	}
	if t == timeType || reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textType) {
		if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
			if t == timeType {
				return &domain.FieldError{Field: name, Message: "validation.datetime"}
			}
			return &domain.FieldError{Field: name, Message: "validation.invalid"}
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		members, ok := objectMembers(raw)
		if !ok {
			return typeError(name, "object")
		}
		fields := fieldsOf(t)
		for _, m := range members {
			path := printable(m.name)
			if prefix != "" {
				path = prefix + "." + path
			}
			f, ok := fields[m.name]
			if !ok {
				if strict {
					return &domain.FieldError{Field: path, Message: MsgUnknown}
				}
				continue
			}
			if fe := Locate(m.raw, f, path, strict); fe != nil {
				return fe
			}
		}
		return nil
	case reflect.Map:
		members, ok := objectMembers(raw)
		if !ok {
			return typeError(name, "object")
		}
		for _, m := range members {
			path := printable(m.name)
			if prefix != "" {
				path = prefix + "." + path
			}
			if fe := Locate(m.raw, t.Elem(), path, strict); fe != nil {
				return fe
			}
		}
		return nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			break // []byte is a base64 string
		}
		var elems []json.RawMessage
		if raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
			return typeError(name, "array")
		}
		for i, e := range elems {
			if fe := Locate(e, t.Elem(), prefix+"["+strconv.Itoa(i)+"]", strict); fe != nil {
				return fe
			}
		}
		return nil
	case reflect.Interface:
		return nil
	}
	if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
		return typeError(name, kindName(t))
	}
	return nil
}

func typeError(field, expected string) *domain.FieldError {
	return &domain.FieldError{Field: field, Message: MsgJSONType, Params: map[string]any{"Expected": expected}}
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return t.Kind().String()
}

type member struct {
	name string
	raw  json.RawMessage
}

// objectMembers lists the members of a JSON object in order.
func objectMembers(raw []byte) ([]member, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, ok := tok.(string)
		if !ok {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, member{name: key, raw: v})
	}
	return out, true
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// fieldsOf maps the JSON member names of struct type t to their types, as
// encoding/json names them (tags, embedded structs promoted; no
// case-folding).
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	collectFields(t, out)
	fieldCache.Store(t, out)
	return out
}

func collectFields(t reflect.Type, out map[string]reflect.Type) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := sf.Type
		if sf.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				sub := map[string]reflect.Type{}
				collectFields(et, sub)
				for k, v := range sub {
					if _, taken := out[k]; !taken {
						out[k] = v
					}
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out[name] = ft
	}
}
