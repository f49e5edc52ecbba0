package model_test

import (
	"encoding/json"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// FuzzParseAndCheck feeds any bytes to the parser and the validator: neither
// may panic, and a parsed stack survives a JSON round trip unchanged.
func FuzzParseAndCheck(f *testing.F) {
	for _, name := range model.Examples {
		s, _ := model.Example(name, name)
		data, _ := json.Marshal(s)
		f.Add(data)
	}
	f.Add([]byte(`{"name":"x","apis":[{"id":"a","name":"A","routes":[{"id":"a","key":"$x"}]}],"wires":[{"id":"w","kind":"send","from":"a","to":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := model.ParseStack(data)
		if err != nil {
			return
		}
		problems := s.Check()
		_ = s.Validate()
		_ = s.ValidateDraft()
		for _, p := range problems {
			if p.Message == "" {
				t.Fatalf("problem without a message: %+v", p)
			}
		}
		first, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := model.ParseStack(first)
		if err != nil {
			t.Fatalf("a marshalled stack must parse: %v\n%s", err, first)
		}
		second, _ := json.Marshal(back)
		if string(first) != string(second) {
			t.Fatalf("round trip changed the stack:\n%s\n%s", first, second)
		}
	})
}
