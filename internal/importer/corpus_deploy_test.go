package importer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestCorpusDeploysOnMoto deploys each corpus stack's source (SAM expanded
// by samtranslator) and its export to moto_server, and requires the export
// to get at least as far: where the source's stack is created, so is the
// export's. moto skips AWS::ApiGatewayV2::* resources and fails a stack
// that GetAtts one, so this proves the Lambda, IAM, Logs, DynamoDB, SQS…
// parts and every reference. It speaks CloudFormation's and S3's HTTP APIs
// directly: the AWS CLI takes a second to start, per call.
func TestCorpusDeploysOnMoto(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("deploying to moto takes seconds; skipped with -short")
	}
	for _, cs := range corpusStacks(t) {
		t.Run(cs.name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(cs.file)
			if err != nil {
				t.Fatal(err)
			}
			res, err := importer.Parse(cs.file, data)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			source := cs.file
			if res.Format == importer.FormatServerless {
				// What the Framework deploys is its compilation, kept beside.
				source = filepath.Join(filepath.Dir(cs.file), compiledTemplate)
				if data, err = os.ReadFile(source); err != nil {
					t.Skipf("a serverless.yml deploys as the Framework compiles it, and %s is not here: %v", compiledTemplate, err)
				}
			}
			res.Stack.Name = importer.SuggestName(res, cs.file)
			out, err := export.JSON(res.Stack)
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			original := readTemplate(t, source, data)
			if isSAM(original) {
				original = expandSAM(t, original)
			}
			exported := readTemplate(t, "export.json", out)
			if isSAM(exported) {
				exported = expandSAM(t, exported)
			}
			// Bucket names are global, across moto's accounts too.
			m := &moto{t: t, api: testtool.MotoAPI{URL: testtool.StartMoto(t, "the corpus deploys each stack and its export")}, bucket: "corpus-" + strings.ToLower(cs.name)}
			m.put("/"+m.bucket, nil)
			was := m.deploy("original", original)
			// The export replaces the original, as deploying it over the
			// source's stack would; side by side their exports' names clash.
			if err := m.cloudFormation(url.Values{"Action": {"DeleteStack"}, "StackName": {"original"}}, nil); err != nil {
				t.Fatal(err)
			}
			got := m.deploy("export", exported)
			t.Logf("original: %s; export: %s", was, got)
			if was == "CREATE_COMPLETE" && got != was {
				t.Errorf("the original deploys to %s, the export only to %s", was, got)
			}
		})
	}
}

// moto talks to one moto_server account.
type moto struct {
	t   *testing.T
	api testtool.MotoAPI
	// bucket holds the code folders, as `aws cloudformation package`'s.
	bucket string
}

func (m *moto) put(path string, body []byte) {
	m.t.Helper()
	if err := m.api.Put(context.Background(), path, body); err != nil {
		m.t.Fatal(err)
	}
}

// cloudFormation calls a CloudFormation action and decodes its answer into
// out unless out is nil.
func (m *moto) cloudFormation(form url.Values, out any) error {
	return m.api.Query(context.Background(), "cloudformation", "2010-05-15", form, out)
}

// deploy creates a stack of the template, its local code folders uploaded
// as S3 objects first (what `aws cloudformation package` does), and
// returns how far it got: CREATE_COMPLETE, or the failure with its reason.
func (m *moto) deploy(name string, tpl map[string]any) string {
	m.t.Helper()
	resources, _ := tpl["Resources"].(map[string]any)
	for _, r := range resources {
		res, _ := r.(map[string]any)
		props, _ := res["Properties"].(map[string]any)
		if res["Type"] != "AWS::Lambda::Function" || props == nil {
			continue
		}
		key := ""
		switch code := props["Code"].(type) {
		case string:
			key = code
		case map[string]any:
			// SAM's expansion of a local CodeUri, or the Framework's
			// artifact in its deployment bucket, which sls deploy uploads
			// before the stack.
			bucket, _ := code["S3Bucket"].(map[string]any)
			if code["S3Bucket"] == "sam-local-code" || bucket["Ref"] == "ServerlessDeploymentBucket" {
				key, _ = code["S3Key"].(string)
			}
		}
		if key == "" {
			continue
		}
		key = filepath.ToSlash(filepath.Clean(key))
		m.put("/"+m.bucket+"/"+url.PathEscape(key), handlerZip(m.t))
		props["Code"] = map[string]any{"S3Bucket": m.bucket, "S3Key": key}
	}
	body, err := json.Marshal(tpl)
	if err != nil {
		m.t.Fatal(err)
	}
	form := url.Values{"Action": {"CreateStack"}, "StackName": {name}, "TemplateBody": {string(body)}}
	form.Add("Capabilities.member.1", "CAPABILITY_IAM")
	form.Add("Capabilities.member.2", "CAPABILITY_NAMED_IAM")
	form.Add("Capabilities.member.3", "CAPABILITY_AUTO_EXPAND")
	// A parameter without a default gets a value, as a user deploying it
	// would give.
	params, _ := tpl["Parameters"].(map[string]any)
	n := 0
	for pname, p := range params {
		if pm, _ := p.(map[string]any); pm != nil && pm["Default"] == nil {
			n++
			form.Set(fmt.Sprintf("Parameters.member.%d.ParameterKey", n), pname)
			form.Set(fmt.Sprintf("Parameters.member.%d.ParameterValue", n), "corpus")
		}
	}
	if err := m.cloudFormation(form, nil); err != nil {
		return "refused (" + err.Error() + ")"
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		var described struct {
			Stacks []struct {
				StackStatus       string `xml:"StackStatus"`
				StackStatusReason string `xml:"StackStatusReason"`
			} `xml:"DescribeStacksResult>Stacks>member"`
		}
		if err := m.cloudFormation(url.Values{"Action": {"DescribeStacks"}, "StackName": {name}}, &described); err != nil || len(described.Stacks) != 1 {
			m.t.Fatalf("describe-stacks %s: %v, %d stacks", name, err, len(described.Stacks))
		}
		s := described.Stacks[0]
		if !strings.HasSuffix(s.StackStatus, "_IN_PROGRESS") || time.Now().After(deadline) {
			if s.StackStatusReason != "" {
				return s.StackStatus + " (" + s.StackStatusReason + ")"
			}
			return s.StackStatus
		}
	}
}

// handlerZip is a deployment package with a handler that does nothing.
func handlerZip(tb testing.TB) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("index.js")
	if err == nil {
		_, err = f.Write([]byte("exports.handler = async () => ({ statusCode: 200 });\n"))
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
