package importer_test

import (
	"os"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// wiresTo lists "from → to (kind)" for each wire of s to the table named.
func tableWires(s *model.Stack, table string) []string {
	var out []string
	for _, w := range s.Wires {
		n, ok := s.Node(w.To)
		if !ok || n.Name != table {
			continue
		}
		from, _ := s.Node(w.From)
		out = append(out, from.Name+" "+string(w.Kind))
	}
	return out
}

// TestSAMPolicyThroughParameter: aws-samples/simple-websockets-chat-app
// names its table in each DynamoDBCrudPolicy through a parameter
// (TableName: !Ref TableName) whose table's TableName is !Ref of the same
// parameter: each function is wired to the table, read-write.
func TestSAMPolicyThroughParameter(t *testing.T) {
	t.Parallel()
	file := "testdata/corpus/simple-websockets-chat-app/template.yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(tableWires(res.Stack, "ConnectionsTable"), ", ")
	want := "OnConnectFunction read-write, OnDisconnectFunction read-write, SendMessageFunction read-write"
	if got != want {
		t.Errorf("wires to the table: %s, want %s", got, want)
	}

	// The parameter's default names the table (a literal TableName).
	byDefault := strings.Replace(string(data), "TableName: !Ref TableName\n  OnConnectFunction", "TableName: simplechat_connections\n  OnConnectFunction", 1)
	if byDefault == string(data) {
		t.Fatal("the table's TableName was not replaced")
	}
	res, err = importer.Parse(file, []byte(byDefault))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tableWires(res.Stack, "ConnectionsTable"), ", "); got != want {
		t.Errorf("with the default naming the table, wires: %s, want %s", got, want)
	}

	// A default naming no table is no wire: the functions stay as written.
	none := strings.Replace(byDefault, `Default: "simplechat_connections"`, `Default: "elsewhere"`, 1)
	res, err = importer.Parse(file, []byte(none))
	if err != nil {
		t.Fatal(err)
	}
	if got := tableWires(res.Stack, "ConnectionsTable"); len(got) != 0 {
		t.Errorf("a parameter naming another table made wires %v", got)
	}
}
