package domain_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ipmediate/ipmediate/internal/domain"
)

func TestInvalidFields(t *testing.T) {
	var f domain.Fields
	f.Add("reason", "validation.required")
	f.Add("org_id", "validation.required")
	err := fmt.Errorf("reassign: %w", f.Err())
	if got := domain.InvalidFields(err); !slices.Equal(got, []string{"org_id", "reason"}) {
		t.Fatalf("InvalidFields = %v, want the fields sorted", got)
	}
	if got := domain.InvalidFields(domain.NotFound("case")); got != nil {
		t.Fatalf("a not-found error names fields %v", got)
	}
}

func TestFieldsText(t *testing.T) {
	var f domain.Fields
	if got := f.Text("summary", "  茶叶  ", true, 10); got != "茶叶" || len(f) != 0 {
		t.Fatalf("Text trims: %q, errors %v", got, f)
	}
	f.Text("claims", " ", true, 10)
	f.Text("note", "一二三四", false, 3)
	if got := domain.InvalidFields(f.Err()); !slices.Equal(got, []string{"claims", "note"}) {
		t.Fatalf("errors name %v, want claims (required) and note (too long)", got)
	}
}
