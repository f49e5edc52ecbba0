package web

import (
	"encoding/json"
	"sync"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// WireRulesJSON is model.WireRules for the canvas script
// (canvas/wiretargets.js), which lights up only the nodes a wire being
// drawn may end on: [{"kind":…,"from":…,"to":…}].
var WireRulesJSON = sync.OnceValue(func() string {
	out := make([]map[string]string, 0, len(model.WireRules))
	for _, r := range model.WireRules {
		out = append(out, map[string]string{"kind": string(r.Kind), "from": string(r.From), "to": string(r.To)})
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err) // strings only
	}
	return string(b)
})
