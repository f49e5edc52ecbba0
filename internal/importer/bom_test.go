package importer_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// bom is the UTF-8 byte order mark some Windows editors start a file with.
const bom = "\ufeff"

// TestByteOrderMark: a template starting with a UTF-8 byte order mark, in
// YAML or JSON, imports as it does without one.
func TestByteOrderMark(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"testdata/cfn/chat.yaml", "testdata/cfn/chat.json", "testdata/serverless/serverless.yml"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(file)
			plain, err := importer.Parse(name, data)
			if err != nil {
				t.Fatal(err)
			}
			marked, err := importer.Parse(name, append([]byte(bom), data...))
			if err != nil {
				t.Fatalf("with a byte order mark: %v", err)
			}
			a, _ := json.Marshal(plain)
			b, _ := json.Marshal(marked)
			if !bytes.Equal(a, b) {
				t.Errorf("the byte order mark changed the import: %s", firstDiff(string(b), string(a)))
			}
		})
	}
}

// TestByteOrderMarkPositions: positions are counted after the mark, as an
// editor shows them.
func TestByteOrderMarkPositions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ file, data, want string }{
		{"t.json", `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": "Api"}}}}}`, "t.json:1:92:"},
		{"t.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt Api\n", "t.yaml:5:18:"},
		{"t.yaml", "Resources: {Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt Api}}}", "t.yaml:1:64:"},
	} {
		for _, prefix := range []string{"", bom} {
			_, err := importer.Parse(tt.file, []byte(prefix+tt.data))
			if model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s with prefix %q: want an error at %s, got %v", tt.file, prefix, tt.want, err)
			}
		}
	}
}
