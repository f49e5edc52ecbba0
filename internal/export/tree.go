package export

import (
	"encoding/base64"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
)

// goformation marshals intrinsic functions as base64 strings (`{ "Ref": "X" }`
// encoded, so nesting needs no escaping). parseGoformation reads what a
// goformation type's own MarshalJSON writes and turns those strings back
// into function calls. goformation's own Template.JSON decodes them too, but
// it also evaluates any map key named like an intrinsic, so a Lambda
// environment variable called Ref would be resolved away; this only ever
// looks at strings.
func parseGoformation(data []byte) (*cfn.Value, error) {
	v, err := cfn.ParseJSON(data)
	if err != nil {
		return nil, err
	}
	return decodeIntrinsics(v), nil
}

// decodeIntrinsics replaces goformation's encoded functions in v. A map
// that only looks like a function is not one here: goformation would have
// encoded it.
func decodeIntrinsics(v *cfn.Value) *cfn.Value {
	if v.Kind == cfn.String {
		if in := decodeIntrinsic(v.Text); in != nil {
			return in
		}
		return v
	}
	v.Intrinsic = false
	for i, item := range v.Items {
		v.Items[i] = decodeIntrinsics(item)
	}
	return v
}

// decodeIntrinsic returns the intrinsic function goformation encoded in s, or
// nil when s is an ordinary string.
func decodeIntrinsic(s string) *cfn.Value {
	// goformation encodes `{ "Name": …}`, whose base64 starts with "eyAi";
	// checking that first keeps ordinary strings cheap.
	if len(s) < 8 || len(s)%4 != 0 || !strings.HasPrefix(s, "eyAi") {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	n, err := parseGoformation(raw)
	if err != nil || n.Kind != cfn.Map || len(n.Keys) != 1 {
		return nil
	}
	name := n.Keys[0]
	if name != "Ref" && !strings.HasPrefix(name, "Fn::") {
		return nil
	}
	return cfn.Fn(name, n.Items[0])
}
