package notify

// Render returns a notification's title and body in lang, from the
// message ids notify.<kind>.title and notify.<kind>.body. A reminder's
// params name its stage; Render adds Left, the stage in words ("3 working
// days left").
func Render(tr Texts, lang, kind string, params map[string]any) (title, body string) {
	p := make(map[string]any, len(params)+1)
	for k, v := range params {
		p[k] = v
	}
	if name, ok := params["Stage"].(string); ok {
		p["Left"] = stageWords(tr, lang, name)
	}
	if a := about(tr, lang, params); a != "" {
		p["About"] = a
	}
	return tr.T(lang, "notify."+kind+".title", p), tr.T(lang, "notify."+kind+".body", p)
}

// stageWords says how much time a stage leaves.
func stageWords(tr Texts, lang, name string) string {
	switch name {
	case StageEscalation:
		return tr.T(lang, "notify.left.overdue", nil)
	case StageAnnualOpen:
		return ""
	}
	st, err := ParseStage(name)
	if err != nil {
		return ""
	}
	switch st.Kind {
	case BeforeWorkdays:
		return tr.T(lang, "notify.left.workdays", map[string]any{"N": st.N})
	case BeforeDays:
		return tr.T(lang, "notify.left.days", map[string]any{"N": st.N})
	default:
		return tr.T(lang, "notify.left.today", nil)
	}
}
