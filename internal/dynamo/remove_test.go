package dynamo

import (
	"slices"
	"testing"
)

func TestRemovedAttributes(t *testing.T) {
	t.Parallel()
	names := map[string]string{"#g": "gone", "#remove": "remove"}
	for expr, want := range map[string][]string{
		"REMOVE a":                            {"a"},
		"remove a, #g":                        {"a", "gone"},
		"SET x = :remove REMOVE a ADD n :one": {"a"},
		"SET x = :v, #remove = :w":            nil,
		"REMOVE a.b, l[0], c":                 {"c"},
		"SET a = :v":                          nil,
	} {
		if got := removedAttributes(expr, names); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", expr, got, want)
		}
	}
}
