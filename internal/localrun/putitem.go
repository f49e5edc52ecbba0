package localrun

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// putItem serves a route → table integration: the request template (the
// route's own, or the export's) rendered into a PutItem request, sent to
// the run's DynamoDB endpoint for the wired table, whatever table name the
// template writes.
func (s *services) putItem(ctx context.Context, sr *serviceRoute, tmpl string, custom bool, vin vtlInput) ([]byte, error) {
	t := model.NewIndex(s.stack).Table(sr.wire.To)
	name := TableName(s.stack, t)
	if !custom {
		tmpl = export.PutItemTemplate(t, name)
	}
	rendered, err := renderTemplate(tmpl, vin)
	if err != nil {
		return nil, err
	}
	var req map[string]json.RawMessage
	if err := json.Unmarshal([]byte(rendered), &req); err != nil {
		return nil, fmt.Errorf("table %s: the rendered PutItem request is not JSON: %w", t.Name, err)
	}
	req["TableName"], _ = json.Marshal(name)
	body, _ := json.Marshal(req)
	return s.dynamoCall(ctx, "PutItem", body)
}

// dynamoCall sends one request to the run's DynamoDB endpoint, signed with
// the run's dummy credentials (an outside endpoint may check the form).
func (s *services) dynamoCall(ctx context.Context, op string, body []byte) ([]byte, error) {
	endpoint := s.r.dynamoEndpoint
	if endpoint == "" {
		return nil, fmt.Errorf("the run has no DynamoDB endpoint")
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", "application/x-amz-json-1.0")
	hr.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: dummyAccessKey, SecretAccessKey: dummySecretKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, hr, hex.EncodeToString(sum[:]), "dynamodb", s.region, time.Now()); err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("DynamoDB %s: %s: %s", op, res.Status, out)
	}
	return out, nil
}
