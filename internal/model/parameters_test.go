package model

import (
	"strings"
	"testing"
)

// TestStackFileLeavesOutImportedFrom: the folder a stack was imported from
// is this machine's; a stack file neither writes it nor takes it from a
// file that names one (a run would use it as the code folder).
func TestStackFileLeavesOutImportedFrom(t *testing.T) {
	s, _ := Example("echo", "echo")
	s.ImportedFrom = "/home/me/service"
	data, err := MarshalStackFile(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "importedFrom") || s.ImportedFrom == "" {
		t.Fatalf("the file names the folder, or the stack lost it:\n%s", data)
	}
	evil := strings.Replace(string(data), `"name": "echo",`, `"name": "echo", "importedFrom": "/etc",`, 1)
	got, err := ParseStackFile([]byte(evil))
	if err != nil {
		t.Fatal(err)
	}
	if got.ImportedFrom != "" {
		t.Errorf("a file set ImportedFrom to %q", got.ImportedFrom)
	}
}

func TestParameterName(t *testing.T) {
	for in, want := range map[string]string{"WS_PORT": "WsPort", "LOG_EVENTS": "LogEvents", "apiSecret": "ApiSecret", "custom.tableName": "CustomTableName", "2fa-key": "P2faKey", "région": "RGion"} {
		if got := ParameterName(in); got != want {
			t.Errorf("ParameterName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpandParameters(t *testing.T) {
	d := "x"
	s := &Stack{Parameters: []*Parameter{{Name: "A", Default: &d}, {Name: "B"}}}
	got := s.ExpandParameters("${A}-${B}-${C}-${!A}-${AWS::Region}", func(n string) string { return strings.ToLower(n) })
	if got != "a-b-${C}-${!A}-${AWS::Region}" {
		t.Errorf("got %q", got)
	}
	if got := s.SubEscape("${A}${C}${B"); got != "${A}${!C}${!B" {
		t.Errorf("SubEscape = %q", got)
	}
}
