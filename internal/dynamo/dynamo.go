// Package dynamo is a DynamoDB-compatible endpoint on loopback, so a local
// run needs no DynamoDB of the user's. It speaks DynamoDB's JSON protocol
// (what every AWS SDK and the CLI send) through github.com/truora/minidyn's
// server, which implements the item operations handlers use: PutItem,
// GetItem, DeleteItem, UpdateItem with expressions, Query, Scan with
// pagination, BatchWriteItem, BatchGetItem, transactions and condition
// expressions. This package adds what a run also needs: the calls minidyn
// lacks (ListTables, the time to live ones), one request at a time (minidyn
// leaves its table map unguarded), the loopback Host check, and keeping the
// tables in a folder between runs.
package dynamo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	minidyn "github.com/truora/minidyn/server"

	"github.com/switchboard-dev/switchboard/internal/hostguard"
)

// tableNameOK is DynamoDB's rule for table names.
var tableNameOK = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

// maxRequest bounds a request body; DynamoDB's own largest request
// (BatchWriteItem: 25 items of 400 KB) is well under it.
const maxRequest = 16 << 20

// Server is a running endpoint.
type Server struct {
	logger  *slog.Logger
	dataDir string

	// mu serialises requests: minidyn guards its items but not its tables.
	mu     sync.Mutex
	engine *minidyn.Server
	tables map[string]*tableState
	// OnWrite, when set, is told the table of each successful write, so a
	// page showing the items can refresh.
	onWrite func(table string)
	// onChange, when set, is told each item a write changed, with its
	// images before and after (changes.go), in the order of the writes.
	onChange func(Change)

	// saveMu guards saveTimer, which writes the data folder a moment
	// after a write, so a run that is killed loses at most that moment.
	saveMu    sync.Mutex
	saveTimer *time.Timer
	closed    bool
	// saving makes saves one at a time, so an older one never lands last.
	saving sync.Mutex

	ln        net.Listener
	srv       *http.Server
	closeOnce sync.Once
	closeErr  error
}

// tableState is what the endpoint remembers of a table besides its items:
// the request that created it (replayed when loading) and its time to live.
type tableState struct {
	create json.RawMessage
	ttl    string
}

// Options configure a server.
type Options struct {
	// DataDir keeps the tables between runs: loaded at Start, written at
	// Close. Empty keeps them in memory only.
	DataDir string
	// OnWrite is told the table of each successful write.
	OnWrite func(table string)
	// OnChange is told each item a successful write changed, with its
	// images before and after, as a table stream records it. It is called
	// while the endpoint holds its lock: it must not call the endpoint.
	OnChange func(Change)
}

// Start loads the tables kept in opts.DataDir, if any, and serves on a free
// port of 127.0.0.1.
func Start(ctx context.Context, logger *slog.Logger, opts Options) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{logger: logger, dataDir: opts.DataDir, engine: minidyn.NewServer(), tables: map[string]*tableState{}, onWrite: opts.OnWrite, onChange: opts.OnChange}
	if s.dataDir != "" {
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("dynamo: listen: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{
		// A web page whose name is rebound to 127.0.0.1 names itself in Host.
		Handler:           hostguard.New(ln.Addr().String()).Handler(s),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("dynamodb endpoint stopped", slog.Any("err", err))
		}
	}()
	return s, nil
}

// URL is the endpoint, for AWS_ENDPOINT_URL_DYNAMODB.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// saveDelay is how long after a write the data folder is written.
const saveDelay = time.Second

// saveSoon writes the data folder saveDelay after the first of a run of
// writes.
func (s *Server) saveSoon() {
	if s.dataDir == "" {
		return
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	if s.closed || s.saveTimer != nil {
		return
	}
	s.saveTimer = time.AfterFunc(saveDelay, func() {
		s.saveMu.Lock()
		s.saveTimer = nil
		closed := s.closed
		s.saveMu.Unlock()
		if closed {
			return
		}
		if err := s.save(); err != nil {
			s.logger.Warn("keeping the tables in the data folder", slog.Any("err", err))
		}
	})
}

// Close stops serving and, with a data folder, writes the tables there.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := s.srv.Shutdown(ctx)
		s.saveMu.Lock()
		s.closed = true
		if s.saveTimer != nil {
			s.saveTimer.Stop()
		}
		s.saveMu.Unlock()
		if s.dataDir != "" {
			err = errors.Join(err, s.save())
		}
		s.closeErr = err
	})
	return s.closeErr
}

// ServeHTTP answers one DynamoDB JSON request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "ValidationException", "request too large")
		return
	}
	// Every SDK names the operation in X-Amz-Target. A web page cannot
	// send that header without a CORS preflight, which is never answered.
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || !strings.HasPrefix(target, "DynamoDB_20120810.") {
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "a DynamoDB request is a POST naming its operation in X-Amz-Target")
		return
	}
	op := target[strings.LastIndexByte(target, '.')+1:]
	status, out, changed := s.call(op, body)
	if status == http.StatusOK && len(changed) > 0 {
		if s.onWrite != nil {
			for _, table := range changed {
				s.onWrite(table)
			}
		}
		s.saveSoon()
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// changes are the operations that change a table's items or definition.
var changes = []string{"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "CreateTable", "DeleteTable", "UpdateTable", "UpdateTimeToLive"}

// call runs one operation and returns the status, the JSON answer and the
// tables a successful change changed.
func (s *Server) call(op string, body []byte) (int, []byte, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var req struct {
		TableName               string
		TimeToLiveSpecification *struct {
			AttributeName string
			Enabled       bool
		}
		ExclusiveStartTableName string
		Limit                   int
		RequestItems            map[string]json.RawMessage
		TransactItems           []map[string]struct{ TableName string }
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errorBody(http.StatusBadRequest, "SerializationException", "the request is not JSON")
	}
	// Table names become file names in the data folder: only DynamoDB's
	// own alphabet, so no name leads out of it.
	if op == "CreateTable" && !tableNameOK.MatchString(req.TableName) {
		return errorBody(http.StatusBadRequest, "ValidationException", "TableName must be 3 to 255 characters of a-z, A-Z, 0-9, '_', '-' and '.'")
	}
	switch op {
	case "ListTables":
		return s.listTables(req.ExclusiveStartTableName, req.Limit)
	case "UpdateTimeToLive", "DescribeTimeToLive":
		t := s.tables[req.TableName]
		if t == nil {
			return errorBody(http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found")
		}
		if op == "UpdateTimeToLive" && req.TimeToLiveSpecification != nil {
			t.ttl = ""
			if req.TimeToLiveSpecification.Enabled {
				t.ttl = req.TimeToLiveSpecification.AttributeName
			}
			out, _ := json.Marshal(map[string]any{"TimeToLiveSpecification": req.TimeToLiveSpecification})
			return http.StatusOK, out, []string{req.TableName}
		}
		desc := map[string]string{"TimeToLiveStatus": "DISABLED"}
		if t.ttl != "" {
			desc = map[string]string{"TimeToLiveStatus": "ENABLED", "AttributeName": t.ttl}
		}
		out, _ := json.Marshal(map[string]any{"TimeToLiveDescription": desc})
		return http.StatusOK, out, nil
	}
	touched := s.before(op, body)
	code, out := s.engineCall(op, body)
	if !bytes.HasPrefix(bytes.TrimSpace(out), []byte("{")) {
		// minidyn answers an operation it lacks in plain text.
		return errorBody(http.StatusBadRequest, "UnknownOperationException", fmt.Sprintf("%s is not supported by the built-in DynamoDB endpoint; run with --dynamodb-endpoint for a full one", op))
	}
	if code != http.StatusOK {
		return code, out, nil
	}
	switch op {
	case "UpdateItem":
		out = s.finishRemove(body, out)
	case "TransactWriteItems":
		s.finishTransactRemove(body)
	}
	if len(touched) > 0 {
		s.after(touched)
	}
	switch op {
	case "PutItem", "UpdateItem", "DeleteItem":
		out = withoutUnaskedAttributes(body, out)
	case "CreateTable":
		s.tables[req.TableName] = &tableState{create: slices.Clone(body)}
		out = withStatus(out, "TableDescription", req.TableName)
	case "DescribeTable":
		out = withStatus(out, "Table", req.TableName)
	case "DeleteTable":
		delete(s.tables, req.TableName)
		out = withStatus(out, "TableDescription", req.TableName)
	}
	if !slices.Contains(changes, op) {
		return code, out, nil
	}
	var changed []string
	if req.TableName != "" {
		changed = append(changed, req.TableName)
	}
	for name := range req.RequestItems {
		changed = append(changed, name)
	}
	for _, item := range req.TransactItems {
		for _, action := range item {
			changed = append(changed, action.TableName)
		}
	}
	slices.Sort(changed)
	return code, out, slices.Compact(changed)
}

// engineCall hands one request to minidyn in process. The caller holds s.mu.
func (s *Server) engineCall(op string, body []byte) (int, []byte) {
	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	hr, err := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		_, out, _ := errorBody(http.StatusInternalServerError, "InternalServerError", err.Error())
		return http.StatusInternalServerError, out
	}
	hr.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	s.engine.ServeHTTP(rec, hr)
	return rec.code, rec.body.Bytes()
}

// withoutUnaskedAttributes drops the Attributes minidyn returns from a write
// whose ReturnValues is NONE (the default): DynamoDB returns none then.
func withoutUnaskedAttributes(body, out []byte) []byte {
	var req struct{ ReturnValues string }
	if json.Unmarshal(body, &req) != nil || (req.ReturnValues != "" && req.ReturnValues != "NONE") {
		return out
	}
	var res map[string]json.RawMessage
	if json.Unmarshal(out, &res) != nil || res["Attributes"] == nil {
		return out
	}
	delete(res, "Attributes")
	patched, err := json.Marshal(res)
	if err != nil {
		return out
	}
	return patched
}

// withStatus adds what minidyn leaves out of a table description and SDK
// waiters read: the table is ACTIVE from its creation, as on DynamoDB Local.
func withStatus(out []byte, field, table string) []byte {
	var res map[string]map[string]any
	if json.Unmarshal(out, &res) != nil || res[field] == nil {
		return out
	}
	res[field]["TableStatus"] = "ACTIVE"
	res[field]["TableArn"] = "arn:aws:dynamodb:local:000000000000:table/" + table
	patched, err := json.Marshal(res)
	if err != nil {
		return out
	}
	return patched
}

// recorder is the response of a request handed to minidyn in process.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }

func (s *Server) listTables(after string, limit int) (int, []byte, []string) {
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		if n > after {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	res := map[string]any{}
	if limit > 0 && len(names) > limit {
		names = names[:limit]
		res["LastEvaluatedTableName"] = names[limit-1]
	}
	res["TableNames"] = names
	out, _ := json.Marshal(res)
	return http.StatusOK, out, nil
}

func errorBody(status int, typ, msg string) (int, []byte, []string) {
	out, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + typ, "message": msg})
	return status, out, nil
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	status, out, _ := errorBody(status, typ, msg)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}
