package apigw

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The event types API Gateway puts in requestContext.eventType.
const (
	eventConnect    = "CONNECT"
	eventMessage    = "MESSAGE"
	eventDisconnect = "DISCONNECT"
)

// proxyEvent is the event a Lambda proxy integration of a WebSocket route
// receives, field for field as API Gateway sends it (aws-lambda-go's
// APIGatewayWebsocketProxyRequest reads the same names).
type proxyEvent struct {
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	RequestContext                  requestContext      `json:"requestContext"`
	Body                            *string             `json:"body,omitempty"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// requestContext is the requestContext of a WebSocket event.
type requestContext struct {
	RouteKey             string         `json:"routeKey"`
	DisconnectStatusCode *int           `json:"disconnectStatusCode,omitempty"`
	MessageID            string         `json:"messageId,omitempty"`
	EventType            string         `json:"eventType"`
	ExtendedRequestID    string         `json:"extendedRequestId"`
	RequestTime          string         `json:"requestTime"`
	MessageDirection     string         `json:"messageDirection"`
	DisconnectReason     *string        `json:"disconnectReason,omitempty"`
	Stage                string         `json:"stage"`
	ConnectedAt          int64          `json:"connectedAt"`
	RequestTimeEpoch     int64          `json:"requestTimeEpoch"`
	Identity             identity       `json:"identity"`
	RequestID            string         `json:"requestId"`
	DomainName           string         `json:"domainName"`
	ConnectionID         string         `json:"connectionId"`
	APIID                string         `json:"apiId"`
	Authorizer           map[string]any `json:"authorizer,omitempty"`
}

type identity struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent,omitempty"`
}

// authorizerEvent is what a REQUEST authorizer of a WebSocket API receives
// on $connect.
type authorizerEvent struct {
	Type                            string              `json:"type"`
	MethodArn                       string              `json:"methodArn"`
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  requestContext      `json:"requestContext"`
}

// messageEvent encodes a MESSAGE event, byte for byte what json.Marshal
// makes of proxyEvent{RequestContext: *rc, Body: &body}, from parts of it
// encoded once per connection: encoding the whole event per message was
// the largest part of the gateway's own CPU per message. rc is what
// endpoint.context made for this connection and message.
func (c *conn) messageEvent(rc *requestContext, body []byte) []byte {
	c.messageOnce.Do(func() {
		// The event's fields in proxyEvent's order, split around the
		// ones that change per message.
		mustJSON := func(v any) string {
			b, err := json.Marshal(v)
			if err != nil {
				panic(err) // strings, numbers and the authorizer's JSON context
			}
			return string(b)
		}
		c.messageParts[0] = []byte(`,"messageDirection":` + mustJSON(rc.MessageDirection) + `,"stage":` + mustJSON(rc.Stage) +
			`,"connectedAt":` + mustJSON(rc.ConnectedAt) + `,"requestTimeEpoch":`)
		c.messageParts[1] = []byte(`,"identity":` + mustJSON(rc.Identity) + `,"requestId":`)
		tail := `,"domainName":` + mustJSON(rc.DomainName) + `,"connectionId":` + mustJSON(rc.ConnectionID) + `,"apiId":` + mustJSON(rc.APIID)
		if len(rc.Authorizer) > 0 {
			tail += `,"authorizer":` + mustJSON(rc.Authorizer)
		}
		c.messageParts[2] = []byte(tail + `},"body":`)
	})
	buf := make([]byte, 0, 512+2*len(body))
	buf = append(buf, `{"requestContext":{"routeKey":`...)
	buf = appendJSON(buf, rc.RouteKey)
	buf = append(buf, `,"messageId":`...)
	buf = appendJSON(buf, rc.MessageID)
	buf = append(buf, `,"eventType":"`+eventMessage+`","extendedRequestId":`...)
	buf = appendJSON(buf, rc.ExtendedRequestID)
	buf = append(buf, `,"requestTime":`...)
	buf = appendJSON(buf, rc.RequestTime)
	buf = append(buf, c.messageParts[0]...)
	buf = strconv.AppendInt(buf, rc.RequestTimeEpoch, 10)
	buf = append(buf, c.messageParts[1]...)
	buf = appendJSON(buf, rc.RequestID)
	buf = append(buf, c.messageParts[2]...)
	buf = appendJSON(buf, string(body))
	return append(buf, `,"isBase64Encoded":false}`...)
}

// appendJSON appends s as encoding/json writes a string.
func appendJSON(buf []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always encodes
	return append(buf, b...)
}

// proxyResponse is the part of a Lambda proxy response API Gateway reads.
type proxyResponse struct {
	StatusCode      *int              `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            *string           `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

// parseProxyResponse reads a handler's result. ok is false when the result
// is not an object with a statusCode: API Gateway then treats it as the
// body itself.
func parseProxyResponse(result []byte) (r proxyResponse, ok bool) {
	if err := json.Unmarshal(result, &r); err != nil || r.StatusCode == nil {
		return proxyResponse{}, false
	}
	return r, true
}

// requestTimeLayout is API Gateway's requestTime format: 09/Apr/2020:18:03:43 +0000.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

func epochMillis(t time.Time) int64 { return t.UnixMilli() }

// singleValues turns multi-valued headers or query parameters into the
// single-valued map API Gateway sends next to them: the last value wins.
func singleValues(m map[string][]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if len(v) > 0 {
			out[k] = v[len(v)-1]
		}
	}
	return out
}

func multiValues(h http.Header) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string][]string, len(h))
	for k, v := range h {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func queryValues(q url.Values) map[string][]string {
	if len(q) == 0 {
		return nil
	}
	return map[string][]string(q)
}

// idAlphabet holds the characters of connection and request IDs. API
// Gateway's IDs look like base64 (L0SM9cOFvHcCIhw=); leaving out + and /
// keeps them safe in the @connections path without changing their look.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newID returns a 16-character ID shaped like API Gateway's connection,
// request and message IDs: 15 base64-like characters and a padding "=".
func newID() string {
	var b [15]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	out := make([]byte, 16)
	for i, c := range b {
		out[i] = idAlphabet[int(c)%len(idAlphabet)]
	}
	out[15] = '='
	return string(out)
}

// newAPIID returns a 10-character lowercase API ID like API Gateway's.
func newAPIID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [10]byte
	_, _ = rand.Read(b[:])
	for i, c := range b {
		b[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(b[:])
}

// EventKind says what happened on the gateway.
type EventKind string

// The kinds of Event.
const (
	// EventConnect: a client connected (after $connect and the authorizer
	// accepted it).
	EventConnect EventKind = "connect"
	// EventReject: $connect or the authorizer refused a client; Status is
	// the HTTP status it got.
	EventReject EventKind = "reject"
	// EventMessage: a client sent a message; RouteID and RouteKey name the
	// route it selected, empty when none matched.
	EventMessage EventKind = "message"
	// EventInvoke: a route's handler was invoked; FunctionID and WireIDs
	// name the function and the integration wire.
	EventInvoke EventKind = "invoke"
	// EventReply: the gateway sent a frame to a client in answer to a
	// message: a two-way route's reply or an error frame.
	EventReply EventKind = "reply"
	// EventPush: a handler posted to a connection through @connections;
	// WireIDs are the API's send wires.
	EventPush EventKind = "push"
	// EventDisconnect: a connection ended; Status is disconnectStatusCode.
	EventDisconnect EventKind = "disconnect"
	// EventError: a handler failed, crashed or timed out.
	EventError EventKind = "error"
)

// Event is one thing that happened on the gateway, reported to Subscribe's
// subscribers.
type Event struct {
	Time         time.Time `json:"time"`
	Kind         EventKind `json:"kind"`
	APIID        string    `json:"apiId"`
	API          string    `json:"api"`
	ConnectionID string    `json:"connectionId,omitempty"`
	RouteID      string    `json:"routeId,omitempty"`
	RouteKey     string    `json:"routeKey,omitempty"`
	FunctionID   string    `json:"functionId,omitempty"`
	Function     string    `json:"function,omitempty"`
	WireIDs      []string  `json:"wireIds,omitempty"`
	Status       int       `json:"status,omitempty"`
	// Data is the message, reply or push, cut to MaxEventData bytes.
	Data string `json:"data,omitempty"`
	// Detail explains an error or a disconnect.
	Detail string `json:"detail,omitempty"`
}

// MaxEventData bounds Event.Data, so a subscriber never holds 128 KB
// messages.
const MaxEventData = 1024

func eventData(b []byte) string {
	if len(b) > MaxEventData {
		return string(b[:MaxEventData]) + "…"
	}
	return string(b)
}
