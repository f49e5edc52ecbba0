package export

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation/lambda"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
)

// TestEncoderMatchesGoformation checks the encoder against goformation's own
// marshalling: every resource the export builds, encoded without its
// intrinsic functions, says what goformation's MarshalJSON says of it.
func TestEncoderMatchesGoformation(t *testing.T) {
	t.Parallel()
	stacks := map[string]*model.Stack{
		"chat":       mustExample(t, "chat"),
		"echo":       mustExample(t, "echo"),
		"authorized": authorizedStack(t),
		"feature":    featureStack(t),
		"large":      modeltest.Large("large", 20, 60),
	}
	for name, s := range stacks {
		t.Run(name, func(t *testing.T) {
			b, err := build(s, false)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range b.resources {
				n, err := b.resourceNode(r, nil)
				if err != nil {
					t.Fatal(err)
				}
				var got, want any
				if err := json.Unmarshal(cfn.WriteJSON(n, 0), &got); err != nil {
					t.Fatal(err)
				}
				data, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(data, &want); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("resource %s: encoder wrote %s, goformation %s", b.resourceIDs[i], cfn.WriteJSON(n, 0), data)
				}
			}
		})
	}
}

// TestIntrinsicsAreTypedByGoformation: a function is set only where
// goformation has a property that takes a string, and lands in the order
// goformation declares properties, so a mistyped path fails the export
// rather than writing a property CloudFormation does not have.
func TestIntrinsicsAreTypedByGoformation(t *testing.T) {
	t.Parallel()
	b := &builder{}
	fn := &lambda.Function{Handler: ptr("index.handler"), Runtime: ptr("nodejs22.x")}
	n, err := b.resourceNode(fn, []propertyFn{
		at(b.ref("Log"), "LoggingConfig", "LogGroup"),
		at(b.getAtt("Role", "Arn"), "Role"),
		at(b.ref("T"), "Environment", "Variables", "TABLE"),
	})
	if err != nil {
		t.Fatal(err)
	}
	props := n.Get("Properties")
	mustEq(t, "property order", props.Keys, []string{"Code", "Environment", "Handler", "LoggingConfig", "Role", "Runtime"})
	if got := string(cfn.WriteJSON(props.Get("Role"), 0)); !strings.Contains(got, `"Fn::GetAtt"`) {
		t.Errorf("Role = %s, want a GetAtt", got)
	}
	for path, want := range map[string]string{
		"Rolle":                 "has no property Rolle",
		"MemorySize":            "not a string",
		"LoggingConfig.Nothing": "has no property Nothing",
		"Handler.X":             "holds no X",
	} {
		_, err := b.resourceNode(fn, []propertyFn{at(b.ref("X"), strings.Split(path, ".")...)})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("path %s: error %v, want one saying %q", path, err, want)
		}
	}
}

// TestTextThatLooksLikeAFunctionStaysText: user text is written as typed,
// even base64 that goformation's own encoding would read as a function.
func TestTextThatLooksLikeAFunctionStaysText(t *testing.T) {
	t.Parallel()
	s := mustExample(t, "chat")
	encoded := "eyAiUmVmIjogIlgiIH0=" // base64 of { "Ref": "X" }
	s.Functions[0].Description = encoded
	out, err := JSON(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]struct{ Properties map[string]any }
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	props := doc.Resources[s.Functions[0].Name].Properties
	if props["Description"] != encoded {
		t.Errorf("Description = %#v, want the text %q", props["Description"], encoded)
	}
}

func ptr[T any](v T) *T { return &v }
