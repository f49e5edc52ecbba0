package testtool

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MotoAPI calls AWS's HTTP APIs on a moto_server (StartMoto's URL)
// directly. Tests use it for what only prepares or reads back around the
// AWS CLI's own `cloudformation package` and `deploy`: each CLI call costs
// about 0.7 s of Python start-up, a request here a millisecond.
type MotoAPI struct {
	URL string
}

// Do sends one request for service (moto routes it by the credential's
// service and checks no signature) and returns the answer's body, or an
// error naming AWS's refusal.
func (m MotoAPI) Do(ctx context.Context, service, method, path string, header http.Header, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, m.URL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"+service+"/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		var xmlRefusal struct {
			Message string `xml:"Error>Message"`
		}
		var jsonRefusal struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		switch {
		case xml.Unmarshal(data, &xmlRefusal) == nil && xmlRefusal.Message != "":
			return nil, fmt.Errorf("%s", xmlRefusal.Message)
		case json.Unmarshal(data, &jsonRefusal) == nil && jsonRefusal.Type != "":
			return nil, fmt.Errorf("%s: %s", jsonRefusal.Type, jsonRefusal.Message)
		}
		return nil, fmt.Errorf("%s %s: %s %.300q", method, path, resp.Status, data)
	}
	return data, nil
}

// Query calls an action of an API of AWS's query protocol (CloudFormation
// 2010-05-15, IAM 2010-05-08...) and decodes its XML answer into out
// unless out is nil.
func (m MotoAPI) Query(ctx context.Context, service, version string, form url.Values, out any) error {
	form.Set("Version", version)
	data, err := m.Do(ctx, service, http.MethodPost, "/", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(form.Encode()))
	if err != nil {
		return fmt.Errorf("%s %s: %w", service, form.Get("Action"), err)
	}
	if out == nil {
		return nil
	}
	if err := xml.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: %w", service, form.Get("Action"), err)
	}
	return nil
}

// JSON calls an operation of an API of AWS's JSON protocol, named by its
// target (DynamoDB_20120810.ListTables, AmazonSSM.GetParameter...), and
// decodes the answer into out unless out is nil.
func (m MotoAPI) JSON(ctx context.Context, service, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	header := http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {target}}
	if strings.HasPrefix(target, "DynamoDB_") {
		header.Set("Content-Type", "application/x-amz-json-1.0")
	}
	data, err := m.Do(ctx, service, http.MethodPost, "/", header, body)
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	return nil
}

// Put stores body at path on S3: "/bucket" makes a bucket, as `aws s3 mb`,
// "/bucket/key" an object.
func (m MotoAPI) Put(ctx context.Context, path string, body []byte) error {
	_, err := m.Do(ctx, "s3", http.MethodPut, path, nil, body)
	return err
}
