package localrun

import (
	"fmt"
	"strings"
)

// warnGeneric names each generic node (model.Other: a resource of any
// CloudFormation type) when the run starts: a local run emulates none of
// them, so what refers to one, or what it refers to, works only on AWS.
func warnGeneric(st *starting) {
	if len(st.s.Others) == 0 {
		return
	}
	refs := st.s.References()
	for _, o := range st.s.Others {
		var by []string
		for _, r := range refs {
			if r.To == o.ID {
				if n, ok := st.s.Node(r.From); ok {
					by = append(by, n.Name)
				}
			}
		}
		msg := fmt.Sprintf("warning: resource %s (%s) is not emulated in a local run", o.Name, o.Type)
		if len(by) > 0 {
			msg += fmt.Sprintf("; what refers to it (%s) finds no such resource here", strings.Join(by, ", "))
		}
		st.progress(msg)
	}
}
