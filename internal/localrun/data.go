package localrun

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// What a running stack holds, for the Run tab: its open connections, which
// can be sent to and closed through @connections as a handler would, and
// its tables' items.

// ConnectionRow is one open connection and what it last did.
type ConnectionRow struct {
	APIID, API, ID            string
	ConnectedAt, LastActiveAt time.Time
	SourceIP                  string
	// LastRoute and LastMessage are the route and text of the last message
	// the client sent; empty before its first.
	LastRoute, LastMessage string
}

// activity remembers each open connection's last message, from the
// gateway's events.
type activity struct {
	mu   sync.Mutex
	last map[string]apigw.Event
}

func (a *activity) note(e apigw.Event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch e.Kind {
	case apigw.EventMessage:
		if a.last == nil {
			a.last = map[string]apigw.Event{}
		}
		a.last[e.ConnectionID] = e
	case apigw.EventDisconnect:
		delete(a.last, e.ConnectionID)
	}
}

func (a *activity) lastOf(id string) (apigw.Event, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.last[id]
	return e, ok
}

// OpenConnections lists the run's open connections, oldest first.
func (r *Run) OpenConnections() []ConnectionRow {
	conns := r.runner.Gateway().OpenConnections()
	out := make([]ConnectionRow, 0, len(conns))
	for _, c := range conns {
		row := ConnectionRow{APIID: c.APIID, API: c.API, ID: c.ID, ConnectedAt: c.ConnectedAt, LastActiveAt: c.LastActiveAt, SourceIP: c.SourceIP}
		if e, ok := r.activity.lastOf(c.ID); ok {
			row.LastRoute, row.LastMessage = e.RouteKey, e.Data
		}
		out = append(out, row)
	}
	return out
}

// ErrConnectionGone is what sending to or closing a connection that
// already ended returns.
var ErrConnectionGone = model.Errorf(model.ENOTFOUND, "the connection is gone")

// PostToConnection sends data to a connection of the API through its
// @connections URL, as a handler's SDK call does (the canvas lights the
// push up as for any).
func (r *Run) PostToConnection(ctx context.Context, apiID, connID string, data []byte) error {
	return r.manage(ctx, http.MethodPost, apiID, connID, data)
}

// Disconnect closes a connection through @connections (DELETE), which
// runs its $disconnect with status 1000, as on AWS.
func (r *Run) Disconnect(ctx context.Context, apiID, connID string) error {
	return r.manage(ctx, http.MethodDelete, apiID, connID, nil)
}

// managementClient calls the run's own @connections endpoints.
var managementClient = &http.Client{Timeout: 10 * time.Second}

func (r *Run) manage(ctx context.Context, method, apiID, connID string, data []byte) error {
	var base string
	for _, ep := range r.Endpoints() {
		if ep.APIID == apiID {
			base = ep.ConnectionsURL
		}
	}
	if base == "" {
		return model.Errorf(model.ENOTFOUND, "the run has no API %q", apiID)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+"/"+url.PathEscape(connID), bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("localrun: @connections: %w", err)
	}
	// The emulation accepts any signature, as long as there is one.
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+dummyAccessKey+"/local")
	resp, err := managementClient.Do(req)
	if err != nil {
		return fmt.Errorf("localrun: @connections: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusGone:
		return ErrConnectionGone
	case resp.StatusCode == http.StatusRequestEntityTooLarge:
		return model.Errorf(model.EINVALID, "the message is over API Gateway's %d KB", apigw.MaxMessageSize/1024)
	case resp.StatusCode >= 300:
		return fmt.Errorf("localrun: @connections %s answered %d: %s", method, resp.StatusCode, body)
	}
	return nil
}

// TablePage is one page of a table's items as text, for display.
type TablePage struct {
	// Table is the stack's table (its logical ID); Name its name on the
	// endpoint.
	Table, Name string
	// Columns are the key attributes, then the others in name order.
	Columns []string
	// Rows hold each item's values in Columns' order, "" when absent.
	Rows [][]string
	// Next is the cursor of the following page, "" on the last.
	Next string
	// Total is the endpoint's item count, which DynamoDB updates lazily;
	// -1 when unknown.
	Total int64
}

// TableNames lists the logical IDs of the tables the run serves.
func (r *Run) TableNames() []string {
	if r.runner.dynamoEndpoint == "" {
		return nil
	}
	out := make([]string, 0, len(r.runner.stack.Tables))
	for _, t := range r.runner.stack.Tables {
		out = append(out, t.Name)
	}
	return out
}

// TableItems reads one page of up to limit items of the run's table
// (named by its logical ID), starting after cursor ("" for the first).
func (r *Run) TableItems(ctx context.Context, table, cursor string, limit int) (TablePage, error) {
	s := r.runner.stack
	endpoint := r.DynamoDBEndpoint()
	var t *model.Table
	for _, tt := range s.Tables {
		if tt.Name == table {
			t = tt
		}
	}
	if t == nil || endpoint == "" {
		return TablePage{}, model.Errorf(model.ENOTFOUND, "the run has no table %q", table)
	}
	name := TableName(s, t)
	page := TablePage{Table: t.Name, Name: name, Total: -1}
	start, err := decodeCursor(cursor)
	if err != nil {
		return page, model.Errorf(model.EINVALID, "that page of %s cannot be found; start from the first", table)
	}
	db := dynamoClient(endpoint, r.runner.region)
	out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(name), Limit: aws.Int32(int32(limit)), ExclusiveStartKey: start})
	if err != nil {
		return page, fmt.Errorf("localrun: scan %s: %w", name, err)
	}
	if d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}); err == nil && d.Table != nil && d.Table.ItemCount != nil {
		page.Total = *d.Table.ItemCount
	}
	keys := []string{t.PartitionKey.Name}
	if t.SortKey != nil {
		keys = append(keys, t.SortKey.Name)
	}
	var others []string
	for _, item := range out.Items {
		for k := range item {
			if !slices.Contains(keys, k) && !slices.Contains(others, k) {
				others = append(others, k)
			}
		}
	}
	slices.Sort(others)
	page.Columns = append(keys, others...)
	for _, item := range out.Items {
		row := make([]string, len(page.Columns))
		for i, c := range page.Columns {
			if v, ok := item[c]; ok {
				row[i] = display(v)
			}
		}
		page.Rows = append(page.Rows, row)
	}
	if len(out.LastEvaluatedKey) > 0 {
		page.Next = encodeCursor(out.LastEvaluatedKey)
	}
	return page, nil
}

// display writes an attribute value as a person reads it: strings and
// numbers as they are, the rest as JSON.
func display(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	}
	b, _ := json.Marshal(plain(v))
	return string(b)
}

func plain(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return json.Number(v.Value)
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case *types.AttributeValueMemberNULL:
		return nil
	case *types.AttributeValueMemberB:
		return v.Value // base64 in JSON
	case *types.AttributeValueMemberSS:
		return v.Value
	case *types.AttributeValueMemberNS:
		out := make([]json.Number, len(v.Value))
		for i, n := range v.Value {
			out[i] = json.Number(n)
		}
		return out
	case *types.AttributeValueMemberBS:
		return v.Value
	case *types.AttributeValueMemberL:
		out := make([]any, len(v.Value))
		for i, e := range v.Value {
			out[i] = plain(e)
		}
		return out
	case *types.AttributeValueMemberM:
		out := make(map[string]any, len(v.Value))
		for k, e := range v.Value {
			out[k] = plain(e)
		}
		return out
	}
	return nil
}

// A cursor is a page's LastEvaluatedKey (key attributes: S, N or B) as
// base64url JSON, {"name": ["S", "value"]}.
func encodeCursor(key map[string]types.AttributeValue) string {
	m := map[string][2]string{}
	for k, v := range key {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			m[k] = [2]string{"S", v.Value}
		case *types.AttributeValueMemberN:
			m[k] = [2]string{"N", v.Value}
		case *types.AttributeValueMemberB:
			m[k] = [2]string{"B", base64.StdEncoding.EncodeToString(v.Value)}
		}
	}
	b, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(cursor string) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, err
	}
	var m map[string][2]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		switch v[0] {
		case "S":
			out[k] = &types.AttributeValueMemberS{Value: v[1]}
		case "N":
			if _, err := strconv.ParseFloat(v[1], 64); err != nil {
				return nil, err
			}
			out[k] = &types.AttributeValueMemberN{Value: v[1]}
		case "B":
			raw, err := base64.StdEncoding.DecodeString(v[1])
			if err != nil {
				return nil, err
			}
			out[k] = &types.AttributeValueMemberB{Value: raw}
		default:
			return nil, errors.New("unknown key type")
		}
	}
	return out, nil
}
