package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Each event kind's panel form edits its fields; what EventBridge, S3 or
// Kinesis would refuse is refused next to the field and not saved; a wire
// from a bucket to anything but a function is refused with what it may be
// wired to.
func TestEventKindForms(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "echo", "echo")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	add := func(kind model.Kind) string {
		t.Helper()
		resp, body := send(t, ts, "POST", base+"/nodes", url.Values{"kind": {string(kind)}}, htmxAt(head(t, st, s.ID).Revision))
		expect(t, resp, body, http.StatusOK)
		var id string
		for _, n := range head(t, st, s.ID).Nodes() {
			if n.Kind == kind {
				id = n.ID
			}
		}
		return id
	}
	post := func(id string, form url.Values) (*http.Response, string) {
		t.Helper()
		return send(t, ts, "POST", base+"/nodes/"+id, form, htmxAt(head(t, st, s.ID).Revision))
	}

	rule := add(model.KindRule)
	resp, body := post(rule, url.Values{"name": {"Nightly"}, "rule.sent": {"1"}, "description": {"every night"}, "eventPattern": {""}, "schedule": {"cron(0 3 * * ? *)"}, "disabled": {"on"}})
	expect(t, resp, body, http.StatusOK)
	if r := head(t, st, s.ID).Rule(rule); r.Name != "Nightly" || r.Schedule != "cron(0 3 * * ? *)" || r.EventPattern != "" || !r.Disabled || r.Description != "every night" {
		t.Fatalf("rule %+v", r)
	}
	resp, body = post(rule, url.Values{"name": {"Nightly"}, "rule.sent": {"1"}, "eventPattern": {"[1]"}})
	expect(t, resp, body, http.StatusUnprocessableEntity, "must be a JSON object")

	bucket := add(model.KindBucket)
	if b := head(t, st, s.ID).Bucket(bucket); b.BucketName != "echo-bucket" {
		t.Fatalf("a new bucket is named %q", b.BucketName)
	}
	resp, body = post(bucket, url.Values{"name": {"Uploads"}, "bucket.sent": {"1"}, "bucketName": {"echo-uploads"}, "versioned": {"on"},
		"events": {"s3:ObjectCreated:*\ns3:ObjectRemoved:*"}, "deletionPolicy": {"Delete"}})
	expect(t, resp, body, http.StatusOK)
	if b := head(t, st, s.ID).Bucket(bucket); b.BucketName != "echo-uploads" || !b.Versioned || len(b.Events) != 2 || b.DeletionPolicy != model.DeletionDelete {
		t.Fatalf("bucket %+v", b)
	}
	resp, body = post(bucket, url.Values{"name": {"Uploads"}, "bucketName": {"Echo_Uploads"}})
	expect(t, resp, body, http.StatusUnprocessableEntity, "lower-case letters")

	stream := add(model.KindStream)
	resp, body = post(stream, url.Values{"name": {"Clicks"}, "stream.sent": {"1"}, "onDemand": {"on"}, "retentionHours": {"48"}})
	expect(t, resp, body, http.StatusOK)
	if k := head(t, st, s.ID).Stream(stream); !k.OnDemand || k.ShardCount != 0 || k.RetentionHours != 48 {
		t.Fatalf("stream %+v", k)
	}
	resp, body = post(stream, url.Values{"name": {"Clicks"}, "stream.sent": {"1"}, "retentionHours": {"12"}})
	expect(t, resp, body, http.StatusUnprocessableEntity, "retention must be 24 to")

	resp, _ = send(t, ts, "POST", base+"/wires", url.Values{"from": {bucket}, "to": {rule}}, htmxAt(head(t, st, s.ID).Revision))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Header.Get("HX-Trigger"), "A bucket is wired to a function, not to Rule Nightly") {
		t.Fatalf("a wire from a bucket to a rule: %d %s", resp.StatusCode, resp.Header.Get("HX-Trigger"))
	}
}
