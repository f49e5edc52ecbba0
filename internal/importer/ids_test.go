package importer_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// checkIDs fails unless every node, route and wire ID of s matches
// model.IDPattern, the stack passes CheckShape, and the IDs the app will
// hand out next (Stack.NewID) clash with none of the imported ones.
func checkIDs(t *testing.T, s *model.Stack) {
	t.Helper()
	seen := map[string]bool{}
	check := func(what, id string) {
		t.Helper()
		if !model.ValidID(id) {
			t.Errorf("%s has ID %q, which does not match %s", what, id, model.IDPattern)
		}
		if seen[id] {
			t.Errorf("%s has ID %q, which another object has too", what, id)
		}
		seen[id] = true
	}
	for _, n := range s.Nodes() {
		check("node "+n.Name, n.ID)
	}
	for _, a := range s.APIs {
		for _, r := range a.Routes {
			check("route "+r.Key, r.ID)
		}
	}
	for _, w := range s.Wires {
		check("wire", w.ID)
	}
	if err := s.CheckShape(); err != nil {
		t.Errorf("the imported stack fails CheckShape: %v", err)
	}
	for _, prefix := range []string{"api", "rt", "fn", "tbl", "w", "res"} {
		if id := s.NewID(prefix); seen[id] {
			t.Errorf("Stack.NewID(%q) = %q, which the import already used", prefix, id)
		}
	}
}

// TestImportedIDsAreValid: whatever a template holds, the IDs of what it
// imports as are the importer's own, and valid.
func TestImportedIDsAreValid(t *testing.T) {
	t.Parallel()
	var files []string
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "fuzz") {
			return filepath.SkipDir
		}
		ext := filepath.Ext(path)
		if (ext == ".json" || ext == ".yaml" || ext == ".yml") && !strings.HasSuffix(path, ".stack.json") && !strings.HasPrefix(filepath.Base(path), "package") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("found %d fixtures: %v", len(files), files)
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			checkIDs(t, MustImport(t, file).Stack)
		})
	}
	t.Run("large", func(t *testing.T) {
		res, err := importer.Parse("large.json", largeTemplate(t, 71, 1<<20))
		if err != nil {
			t.Fatal(err)
		}
		checkIDs(t, res.Stack)
	})
}

// TestHostileNames: a name in a template that looks like a path or a query
// never becomes an ID (which the app puts in URLs). A CloudFormation
// logical ID is letters and digits, so such a template is refused, naming
// the resource. A serverless.yml's function names become the Framework's
// logical IDs (<Name>LambdaFunction…), so one that cannot is refused too,
// as CloudFormation would refuse what the Framework compiles from it; a
// route key is free text, and the IDs stay the importer's own.
func TestHostileNames(t *testing.T) {
	t.Parallel()
	const steer = `../../../stacks/1/delete?confirm=yes&z=`
	refused := []struct{ file, data string }{
		{"t.json", `{"Resources": {"../../x": {"Type": "AWS::SQS::Queue"}}}`},
		{"t.json", `{"Resources": {"` + steer + `": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "a.h", "Runtime": "nodejs22.x", "Code": {"ZipFile": "x"}}}}}`},
		{"t.yaml", "Resources:\n  '" + steer + "':\n    Type: AWS::DynamoDB::Table\n    Properties: {KeySchema: [{AttributeName: id, KeyType: HASH}], AttributeDefinitions: [{AttributeName: id, AttributeType: S}]}\n"},
		{"t.yaml", "Resources:\n  \"Api%2F..%2Fx\":\n    Type: AWS::ApiGatewayV2::Api\n    Properties: {ProtocolType: WEBSOCKET}\n"},
		{"t.yaml", "Resources:\n  Ünïcode:\n    Type: AWS::SQS::Queue\n"},
		{"serverless.yml", "service: x\nprovider: {name: aws}\nfunctions:\n  ../..:\n    handler: a.h\n"},
		{"serverless.yml", "service: x\nprovider: {name: aws}\nfunctions:\n  '" + steer + "':\n    handler: a.h\n"},
		{"serverless.yml", "service: x\nprovider: {name: aws}\nfunctions:\n  \"a b\\u202e<script>\":\n    handler: a.h\n"},
		{"serverless.yml", "service: x\nprovider: {name: aws}\nfunctions:\n  a:\n    handler: a.h\n    events:\n      - websocket: {route: '" + steer + "'}\n"},
		{"serverless.yml", "service: x\nprovider: {name: aws}\nfunctions:\n  a:\n    handler: a.h\nresources:\n  Resources:\n    ../x:\n      Type: AWS::SQS::Queue\n"},
	}
	for _, tt := range refused {
		_, err := importer.Parse(tt.file, []byte(tt.data))
		if model.ErrorCode(err) != model.EINVALID {
			t.Errorf("%s:\n%s\nwant EINVALID, got %v", tt.file, tt.data, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "letters") {
			t.Errorf("%s: the error %q does not say what a name may hold", tt.file, msg)
		}
	}

	res, err := importer.Parse("serverless.yml", []byte(`service: x
provider: {name: aws, runtime: nodejs22.x}
functions:
  send-message:
    handler: a.h
    events:
      - websocket: {route: $connect}
  a_b:
    handler: b.h
    events:
      - websocket: {route: sendMessage}
`))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	s.Name = "x"
	checkIDs(t, s)
	if len(s.Functions) != 2 || len(s.APIs) != 1 || len(s.APIs[0].Routes) != 2 {
		t.Fatalf("want 2 functions and an API with 2 routes, got %+v", res.Summary)
	}
	for _, n := range s.Nodes() {
		if strings.ContainsAny(n.Name, "./?&%<> ") {
			t.Errorf("node name %q holds a character of a path, query or markup", n.Name)
		}
	}
	if err := s.ValidateDraft(); err != nil {
		t.Errorf("the imported stack must pass ValidateDraft: %v", err)
	}
}
