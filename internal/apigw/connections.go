package apigw

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gobwas/ws"
)

// isoMillis is the ISO 8601 form of the management API's timestamps.
const isoMillis = "2006-01-02T15:04:05.000Z"

// serveConnections is the @connections management API: POST sends data to
// a connection, GET describes it, DELETE closes it. Answers, error types
// and bodies follow API Gateway, so the AWS SDKs and CLI work against it
// with an endpoint override. Requests must be signed as on AWS; any
// signature is accepted.
func (ep *endpoint) serveConnections(w http.ResponseWriter, r *http.Request, id string) {
	if r.Header.Get("Authorization") == "" {
		writeJSONError(w, http.StatusForbidden, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)
		return
	}
	if id == "" || strings.Contains(id, "/") {
		writeJSONError(w, http.StatusForbidden, "ForbiddenException", `{"message":"Forbidden"}`)
		return
	}
	switch r.Method {
	case http.MethodPost, http.MethodGet, http.MethodDelete:
	default:
		writeJSONError(w, http.StatusForbidden, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)
		return
	}
	c := ep.lookup(id)
	if c == nil {
		// GoneException has no members; the SDKs read its type from the
		// header.
		writeJSONError(w, http.StatusGone, "GoneException", `{}`)
		return
	}
	switch r.Method {
	case http.MethodPost:
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxMessageSize))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeJSONError(w, http.StatusRequestEntityTooLarge, "PayloadTooLargeException", `{"message":"Request Entity Too Large"}`)
				return
			}
			writeJSONError(w, http.StatusBadRequest, "BadRequestException", `{"message":"Could not read the request body"}`)
			return
		}
		if err := c.send(data); err != nil {
			writeJSONError(w, http.StatusGone, "GoneException", `{}`)
			return
		}
		c.lastActive.Store(time.Now().UnixNano())
		ep.publish(Event{Kind: EventPush, ConnectionID: id, WireIDs: ep.sendWires, Data: eventData(data)})
		w.Header().Set("x-amzn-RequestId", newID())
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		out := struct {
			ConnectedAt  string `json:"connectedAt"`
			Identity     any    `json:"identity"`
			LastActiveAt string `json:"lastActiveAt"`
		}{
			ConnectedAt:  c.cr.connectedAt.UTC().Format(isoMillis),
			Identity:     map[string]string{"sourceIp": c.cr.sourceIP, "userAgent": c.cr.userAgent},
			LastActiveAt: time.Unix(0, c.lastActive.Load()).UTC().Format(isoMillis),
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-amzn-RequestId", newID())
		_ = json.NewEncoder(w).Encode(out)
	case http.MethodDelete:
		c.shutdown(ws.StatusNormalClosure, "", "deleted through @connections")
		w.Header().Set("x-amzn-RequestId", newID())
		w.WriteHeader(http.StatusNoContent)
	}
}
