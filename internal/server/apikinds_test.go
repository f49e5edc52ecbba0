package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The panels of a usage plan, a custom domain and a layer save what they
// edit: a plan's throttle, quota and key rows (a blank row adds none, a
// cleared name removes its key, an unticked one disables it), a domain's
// name, path and a certificate parameter the stack gains, and a layer's
// runtimes and the folder that follows its name.
func TestAPIKindForms(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "echo", "echo")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	add := func(kind model.Kind) string {
		t.Helper()
		rev := head(t, st, s.ID).Revision
		resp, body := send(t, ts, "POST", base+"/nodes", url.Values{"kind": {string(kind)}}, htmxAt(rev))
		expect(t, resp, body, http.StatusOK)
		for _, n := range head(t, st, s.ID).Nodes() {
			if n.Kind == kind {
				return n.ID
			}
		}
		t.Fatalf("no %s added", kind)
		return ""
	}
	save := func(id string, form url.Values, status int) {
		t.Helper()
		resp, body := send(t, ts, "POST", base+"/nodes/"+id, form, htmxAt(head(t, st, s.ID).Revision))
		expect(t, resp, body, status)
	}

	plan := add(model.KindUsagePlan)
	save(plan, url.Values{"name": {"Partners"}, "usageplan.sent": {"1"}, "throttleRate": {"2.5"}, "throttleBurst": {"10"},
		"quotaLimit": {"1000"}, "quotaPeriod": {"DAY"}, "quotaOffset": {"0"},
		"keyName": {"AcmeKey"}, "keyEnabled": {"0"}}, http.StatusOK)
	save(plan, url.Values{"name": {"Partners"}, "usageplan.sent": {"1"}, "throttleRate": {"2.5"}, "throttleBurst": {"10"},
		"quotaLimit": {"1000"}, "quotaPeriod": {"DAY"}, "quotaOffset": {"0"},
		"keyName": {"AcmeKey", "GlobexKey", ""}, "keyEnabled": {"0", "2"}}, http.StatusOK)
	p := head(t, st, s.ID).UsagePlans[0]
	if p.ThrottleRate != 2.5 || p.ThrottleBurst != 10 || p.QuotaLimit != 1000 || p.QuotaPeriod != "DAY" ||
		len(p.Keys) != 2 || p.Keys[0].Disabled || !p.Keys[1].Disabled {
		t.Fatalf("plan %+v, keys %+v %+v", p, p.Keys[0], p.Keys[1])
	}
	save(plan, url.Values{"name": {"Partners"}, "usageplan.sent": {"1"}, "quotaLimit": {"10"}, "quotaPeriod": {"YEAR"}}, http.StatusUnprocessableEntity)
	save(plan, url.Values{"name": {"Partners"}, "usageplan.sent": {"1"}, "throttleRate": {""}, "quotaLimit": {""}, "quotaPeriod": {""},
		"keyName": {"", "GlobexKey"}, "keyEnabled": {"1"}}, http.StatusOK)
	if p := head(t, st, s.ID).UsagePlans[0]; p.ThrottleRate != 0 || p.QuotaLimit != 0 || len(p.Keys) != 1 || p.Keys[0].Name != "GlobexKey" || p.Keys[0].Disabled {
		t.Fatalf("plan %+v, keys %+v", p, p.Keys)
	}

	dom := add(model.KindDomain)
	save(dom, url.Values{"name": {"Domain"}, "domain.sent": {"1"}, "domainName": {"ws.example.com"}, "mappingKey": {"chat"},
		"certificateParameter": {"ChatCertArn"}}, http.StatusOK)
	after := head(t, st, s.ID)
	if d := after.Domains[0]; d.DomainName != "ws.example.com" || d.MappingKey != "chat" || d.CertificateParameter != "ChatCertArn" || after.Parameter("ChatCertArn") == nil {
		t.Fatalf("domain %+v, parameters %+v", d, after.Parameters)
	}
	save(dom, url.Values{"name": {"Domain"}, "domain.sent": {"1"}, "domainName": {"not a domain"}}, http.StatusUnprocessableEntity)

	layer := add(model.KindLayer)
	save(layer, url.Values{"name": {"SharedLibs"}, "layer.sent": {"1"}, "contentPath": {"layers/layer"}, "compatibleRuntimes": {"nodejs24.x", "python3.13"}}, http.StatusOK)
	if l := head(t, st, s.ID).Layers[0]; l.ContentPath != "layers/shared-libs" || len(l.CompatibleRuntimes) != 2 {
		t.Fatalf("layer %+v", l)
	}
	save(layer, url.Values{"name": {"SharedLibs"}, "layer.sent": {"1"}, "contentPath": {"vendor/libs"}}, http.StatusOK)
	if l := head(t, st, s.ID).Layers[0]; l.ContentPath != "vendor/libs" || l.CompatibleRuntimes != nil {
		t.Fatalf("layer %+v", l)
	}
}
