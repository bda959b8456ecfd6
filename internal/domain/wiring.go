package domain

import (
	"fmt"
	"slices"
	"strings"
)

// RequireDeps panics naming the collaborators a constructor was not given:
// missing maps each collaborator's name to whether it is missing. A
// service never checks for a collaborator at each use; a missing one is a
// wiring mistake caught when the application is built (internal/app).
func RequireDeps(constructor string, missing map[string]bool) {
	var names []string
	for name, m := range missing {
		if m {
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		slices.Sort(names)
		panic(fmt.Sprintf("%s: missing %s", constructor, strings.Join(names, ", ")))
	}
}
