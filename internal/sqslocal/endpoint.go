package sqslocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/hostguard"
)

// AccountID is the account queue URLs and ARNs name.
const AccountID = "000000000000"

// maxRequest bounds a request body: a batch of ten 256 KB messages.
const maxRequest = 4 << 20

// Endpoint serves the service on loopback with SQS's JSON protocol (what
// the current SDKs and the AWS CLI send: a POST naming the operation in
// X-Amz-Target, AmazonSQS.<Operation>).
type Endpoint struct {
	svc    *Service
	logger *slog.Logger
	region string
	ln     net.Listener
	srv    *http.Server
}

// Serve starts an endpoint for the service on a free port of 127.0.0.1.
func Serve(ctx context.Context, logger *slog.Logger, svc *Service, region string) (*Endpoint, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sqslocal: listen: %w", err)
	}
	e := &Endpoint{svc: svc, logger: logger, region: region, ln: ln}
	e.srv = &http.Server{
		// A web page whose name is rebound to 127.0.0.1 names itself in Host.
		Handler:           hostguard.New(ln.Addr().String()).Handler(e),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	go func() {
		if err := e.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("sqs endpoint stopped", slog.Any("err", err))
		}
	}()
	return e, nil
}

// URL is the endpoint, for AWS_ENDPOINT_URL_SQS.
func (e *Endpoint) URL() string { return "http://" + e.ln.Addr().String() }

// QueueURL is a queue's URL on this endpoint.
func (e *Endpoint) QueueURL(name string) string { return e.URL() + "/" + AccountID + "/" + name }

// QueueARN is a queue's ARN as the run names it.
func QueueARN(region, name string) string {
	return "arn:aws:sqs:" + region + ":" + AccountID + ":" + name
}

// Close stops serving, ending long polls.
func (e *Endpoint) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := e.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = e.srv.Close()
	}
	return err
}

// queueName reads a queue URL (or a bare name) given to an operation.
func queueName(u string) string {
	return u[strings.LastIndexByte(u, '/')+1:]
}

type sendEntry struct {
	ID                     string `json:"Id"`
	MessageBody            string
	DelaySeconds           int
	MessageGroupID         string `json:"MessageGroupId"`
	MessageDeduplicationID string `json:"MessageDeduplicationId"`
	MessageAttributes      map[string]MessageAttribute
}

// ServeHTTP answers one SQS JSON request.
func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	if err != nil {
		writeError(w, &Error{Code: "RequestTooLarge", Message: "request too large", Status: 413})
		return
	}
	// A web page cannot send X-Amz-Target without a CORS preflight,
	// which is never answered.
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || !strings.HasPrefix(target, "AmazonSQS.") {
		writeError(w, &Error{Code: "UnsupportedOperation", Message: "an SQS request is a POST naming its operation in X-Amz-Target (SQS's JSON protocol)", Status: 400})
		return
	}
	op := strings.TrimPrefix(target, "AmazonSQS.")
	var req struct {
		QueueURL                    string `json:"QueueUrl"`
		QueueName                   string
		QueueNamePrefix             string
		MessageBody                 string
		DelaySeconds                int
		MessageGroupID              string `json:"MessageGroupId"`
		MessageDeduplicationID      string `json:"MessageDeduplicationId"`
		MessageAttributes           map[string]MessageAttribute
		MaxNumberOfMessages         int
		WaitTimeSeconds             int
		VisibilityTimeout           int
		ReceiptHandle               string
		Entries                     []json.RawMessage
		AttributeNames              []string
		MessageSystemAttributeNames []string
		MessageAttributeNames       []string
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, &Error{Code: "SerializationException", Message: "the request is not JSON", Status: 400})
			return
		}
	}
	name := queueName(req.QueueURL)
	var out any
	switch op {
	case "SendMessage":
		var sent Sent
		sent, err = e.svc.Send(name, SendInput{Body: req.MessageBody, Delay: time.Duration(req.DelaySeconds) * time.Second,
			GroupID: req.MessageGroupID, DedupID: req.MessageDeduplicationID, MessageAttributes: req.MessageAttributes, SenderID: AccountID})
		out = sentJSON(sent)
	case "SendMessageBatch":
		out, err = e.sendBatch(name, req.Entries)
	case "ReceiveMessage":
		ctx := r.Context()
		var msgs []Message
		msgs, err = e.svc.Receive(ctx, name, req.MaxNumberOfMessages, time.Duration(req.WaitTimeSeconds)*time.Second, time.Duration(req.VisibilityTimeout)*time.Second)
		list := make([]map[string]any, 0, len(msgs))
		for _, m := range msgs {
			item := map[string]any{"MessageId": m.MessageID, "ReceiptHandle": m.ReceiptHandle, "Body": m.Body, "MD5OfBody": m.MD5OfBody}
			if attrs := pick(m.Attributes, append(req.AttributeNames, req.MessageSystemAttributeNames...)); len(attrs) > 0 {
				item["Attributes"] = attrs
			}
			if attrs := pick(m.MessageAttributes, req.MessageAttributeNames); len(attrs) > 0 {
				item["MessageAttributes"] = attrs
			}
			list = append(list, item)
		}
		out = map[string]any{"Messages": list}
	case "DeleteMessage":
		err = e.svc.Delete(name, req.ReceiptHandle)
		out = struct{}{}
	case "DeleteMessageBatch", "ChangeMessageVisibilityBatch":
		out, err = e.handleBatch(op, name, req.Entries)
	case "ChangeMessageVisibility":
		err = e.svc.ChangeVisibility(name, req.ReceiptHandle, time.Duration(req.VisibilityTimeout)*time.Second)
		out = struct{}{}
	case "GetQueueUrl":
		if _, ok := e.svc.Config(req.QueueName); !ok {
			err = errQueueMissing(req.QueueName)
		}
		out = map[string]string{"QueueUrl": e.QueueURL(req.QueueName)}
	case "ListQueues":
		urls := []string{}
		for _, n := range e.svc.Names() {
			if strings.HasPrefix(n, req.QueueNamePrefix) {
				urls = append(urls, e.QueueURL(n))
			}
		}
		out = map[string]any{"QueueUrls": urls}
	case "GetQueueAttributes":
		out, err = e.attributes(name)
	case "PurgeQueue":
		err = e.svc.Purge(name)
		out = struct{}{}
	default:
		err = &Error{Code: "UnsupportedOperation", Message: fmt.Sprintf("%s is not supported by the local SQS endpoint; a run serves the stack's own queues", op), Status: 400}
	}
	if err != nil {
		var se *Error
		if !errors.As(err, &se) {
			se = &Error{Code: "InternalError", Message: err.Error(), Status: 500}
		}
		writeError(w, se)
		return
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_, _ = w.Write(b)
}

// pick keeps the attributes a receiver asked for by name ("All", or
// ".*" for every message attribute; "prefix.*" for those it starts).
func pick[V any](attrs map[string]V, names []string) map[string]V {
	out := map[string]V{}
	for k, v := range attrs {
		for _, n := range names {
			if n == "All" || n == ".*" || n == k || strings.HasSuffix(n, ".*") && strings.HasPrefix(k, strings.TrimSuffix(n, "*")) {
				out[k] = v
				break
			}
		}
	}
	return out
}

func sentJSON(s Sent) map[string]string {
	out := map[string]string{"MessageId": s.MessageID, "MD5OfMessageBody": s.MD5OfBody}
	if s.SequenceNumber != "" {
		out["SequenceNumber"] = s.SequenceNumber
	}
	return out
}

type batchFailure struct {
	ID          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message"`
}

func failure(id string, err error) batchFailure {
	var se *Error
	if errors.As(err, &se) {
		return batchFailure{ID: id, SenderFault: se.Status < 500, Code: se.Code, Message: se.Message}
	}
	return batchFailure{ID: id, Code: "InternalError", Message: err.Error()}
}

func (e *Endpoint) sendBatch(name string, entries []json.RawMessage) (any, error) {
	if _, ok := e.svc.Config(name); !ok {
		return nil, errQueueMissing(name)
	}
	if len(entries) == 0 || len(entries) > MaxReceive {
		return nil, &Error{Code: "TooManyEntriesInBatchRequest", Message: "a batch holds 1 to 10 entries", Status: 400}
	}
	ok, failed := []map[string]string{}, []batchFailure{}
	for _, raw := range entries {
		var en sendEntry
		if err := json.Unmarshal(raw, &en); err != nil {
			return nil, &Error{Code: "SerializationException", Message: "a batch entry is not JSON", Status: 400}
		}
		sent, err := e.svc.Send(name, SendInput{Body: en.MessageBody, Delay: time.Duration(en.DelaySeconds) * time.Second,
			GroupID: en.MessageGroupID, DedupID: en.MessageDeduplicationID, MessageAttributes: en.MessageAttributes, SenderID: AccountID})
		if err != nil {
			failed = append(failed, failure(en.ID, err))
			continue
		}
		res := sentJSON(sent)
		res["Id"] = en.ID
		ok = append(ok, res)
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

func (e *Endpoint) handleBatch(op, name string, entries []json.RawMessage) (any, error) {
	if _, ok := e.svc.Config(name); !ok {
		return nil, errQueueMissing(name)
	}
	ok, failed := []map[string]string{}, []batchFailure{}
	for _, raw := range entries {
		var en struct {
			ID                string `json:"Id"`
			ReceiptHandle     string
			VisibilityTimeout int
		}
		if err := json.Unmarshal(raw, &en); err != nil {
			return nil, &Error{Code: "SerializationException", Message: "a batch entry is not JSON", Status: 400}
		}
		var err error
		if op == "DeleteMessageBatch" {
			err = e.svc.Delete(name, en.ReceiptHandle)
		} else {
			err = e.svc.ChangeVisibility(name, en.ReceiptHandle, time.Duration(en.VisibilityTimeout)*time.Second)
		}
		if err != nil {
			failed = append(failed, failure(en.ID, err))
			continue
		}
		ok = append(ok, map[string]string{"Id": en.ID})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

func (e *Endpoint) attributes(name string) (any, error) {
	cfg, ok := e.svc.Config(name)
	if !ok {
		return nil, errQueueMissing(name)
	}
	visible, inFlight, delayed, _ := e.svc.Counts(name)
	attrs := map[string]string{
		"QueueArn":                              QueueARN(e.region, name),
		"ApproximateNumberOfMessages":           fmt.Sprint(visible),
		"ApproximateNumberOfMessagesNotVisible": fmt.Sprint(inFlight),
		"ApproximateNumberOfMessagesDelayed":    fmt.Sprint(delayed),
		"VisibilityTimeout":                     fmt.Sprint(int(cfg.VisibilityTimeout.Seconds())),
		"MessageRetentionPeriod":                fmt.Sprint(int(cfg.Retention.Seconds())),
	}
	if cfg.FIFO {
		attrs["FifoQueue"] = "true"
		attrs["ContentBasedDeduplication"] = fmt.Sprint(cfg.ContentBasedDeduplication)
	}
	if cfg.DeadLetter != "" {
		policy, _ := json.Marshal(map[string]any{"deadLetterTargetArn": QueueARN(e.region, cfg.DeadLetter), "maxReceiveCount": cfg.MaxReceiveCount})
		attrs["RedrivePolicy"] = string(policy)
	}
	return map[string]any{"Attributes": attrs}, nil
}

// writeError answers with SQS's JSON error, and the query-compatible header
// the SDKs read the legacy code from.
func writeError(w http.ResponseWriter, e *Error) {
	legacy := map[string]string{
		"QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
	}[e.Code]
	if legacy == "" {
		legacy = e.Code
	}
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	w.Header().Set("x-amzn-query-error", legacy+";"+fault)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.sqs#" + e.Code, "message": e.Message})
	_, _ = w.Write(b)
}
