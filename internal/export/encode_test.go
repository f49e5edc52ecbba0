package export

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
)

// TestEncoderMatchesGoformation checks the encoder against goformation's own
// marshalling: Render's JSON and the goformation template that Template
// builds, marshalled by goformation, must say the same, Code aside (Template
// leaves it out; see its doc comment).
func TestEncoderMatchesGoformation(t *testing.T) {
	stacks := map[string]*model.Stack{
		"chat":       mustExample(t, "chat"),
		"echo":       mustExample(t, "echo"),
		"authorized": authorizedStack(t),
		"feature":    featureStack(t),
		"large":      modeltest.Large("large", 20, 60),
	}
	for name, s := range stacks {
		t.Run(name, func(t *testing.T) {
			out, err := JSON(s)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			for _, r := range got["Resources"].(map[string]any) {
				delete(r.(map[string]any)["Properties"].(map[string]any), "Code")
			}

			tpl, err := Template(s)
			if err != nil {
				t.Fatal(err)
			}
			// parseGoformation decodes goformation's intrinsics; its own
			// Template.JSON would also evaluate the environment variable
			// the feature stack names Ref.
			data, err := json.Marshal(tpl)
			if err != nil {
				t.Fatal(err)
			}
			tree, err := parseGoformation(data)
			if err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := json.Unmarshal(cfn.WriteJSON(tree, len(data)), &want); err != nil {
				t.Fatal(err)
			}
			for _, r := range want["Resources"].(map[string]any) {
				delete(r.(map[string]any)["Properties"].(map[string]any), "Code")
			}
			if !reflect.DeepEqual(got, want) {
				gotJSON, _ := json.MarshalIndent(got, "", " ")
				wantJSON, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("Render and goformation differ at %s", firstDiff(gotJSON, wantJSON))
			}
		})
	}
}
