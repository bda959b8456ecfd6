package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// known translates id, or reports that the catalogs do not have it.
func (p *Page) known(id string) (string, bool) {
	w := p.T(id)
	return w, w != id
}

// AuditAction says an audit action in words: its own entry
// (audit.act.<action>), else the area's word and the step's (the case and
// referral steps have words already), else the code itself.
func (p *Page) AuditAction(action string) string {
	if w, ok := p.known("audit.act." + action); ok {
		return w
	}
	area, step, _ := strings.Cut(action, ".")
	aw, ok := p.known("audit.area." + area)
	if !ok {
		return action
	}
	for _, id := range []string{"action." + step, "referral.action." + step, "audit.step." + step} {
		if sw, ok := p.known(id); ok {
			return aw + " · " + sw
		}
	}
	return aw + " · " + step
}

// AuditRef is an audited object in words, with a link to its page when it
// has one.
type AuditRef struct {
	Words, Href string
}

// AuditObject names an audited object in words.
func (p *Page) AuditObject(typ, id string) AuditRef {
	if typ == "" {
		return AuditRef{}
	}
	w, ok := p.known("audit.area." + typ)
	if !ok {
		w = typ
	}
	words, href := strings.TrimSpace(w+" "+id), ""
	if id == "" {
		return AuditRef{Words: words}
	}
	// A system administrator with no membership reads no case, referral
	// or application: those are named, not linked.
	works := p.Actor != nil && len(p.Actor.Memberships) > 0
	switch typ {
	case "case":
		if works {
			href = "/cases/" + id
		}
	case "referral":
		if works {
			href = "/referrals/" + id
		}
	case "assistance":
		if works {
			href = "/assistance/" + id
		}
	case "user":
		href = "/users/" + id
	case "org":
		href = "/orgs/" + id
	}
	return AuditRef{Words: words, Href: href}
}

// AuditField is one entry of an audit row's detail, its name in words.
type AuditField struct {
	Name, Value string
}

// AuditDetail lists an audit row's detail with the names in words where
// the catalogs have them (audit.key.<name>, then field.<name>), values
// of statuses in words, in name order.
func (p *Page) AuditDetail(raw json.RawMessage) []AuditField {
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]AuditField, 0, len(keys))
	for _, k := range keys {
		name := k
		for _, id := range []string{"audit.key." + k, "field." + k} {
			if w, ok := p.known(id); ok {
				name = w
				break
			}
		}
		var value string
		switch v := m[k].(type) {
		case string:
			value = v
			for _, id := range []string{"status." + v, "source." + v, "dispute." + v, "role." + v} {
				if w, ok := p.known(id); ok && (strings.Contains(k, "status") || k == "source" || k == "dispute_type" || k == "role" || k == "from" || k == "to") {
					value = w
					break
				}
			}
		case bool:
			value = p.T(fmt.Sprintf("audit.bool.%t", v))
		case nil:
			value = "—"
		case float64:
			value = fmt.Sprint(v)
		default:
			b, _ := json.Marshal(v)
			value = string(b)
		}
		out = append(out, AuditField{Name: name, Value: value})
	}
	return out
}
