package localrun

import (
	"strings"
	"testing"
)

// orderEvent is an event as the run's EventBridge delivers it.
const orderEvent = `{"version":"0","id":"1","detail-type":"OrderPlaced","source":"app.orders","account":"000000000000",
"time":"2026-12-07T10:00:00Z","region":"eu-west-1","resources":["arn:aws:s3:::a","arn:aws:s3:::b"],
"detail":{"id":"o-17","total":42.5,"count":3,"state":"open","customer":{"tier":"gold","ip":"10.0.0.7"},
"lines":[{"sku":"X1","qty":1},{"sku":"Y2","qty":2}],"tags":["new","gift"],"note":null,"express":true,"file":"photo.PNG"}}`

// TestEventPatternsMatchAsEventBridge: each operator EventBridge documents,
// on an event that matches it and (the same pattern) the ways it must not.
func TestEventPatternsMatchAsEventBridge(t *testing.T) {
	t.Parallel()
	ev, err := decodeEvent([]byte(orderEvent))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{`{"source":["app.orders"]}`, true},
		{`{"source":["app.payments"]}`, false},
		{`{"source":["app.payments","app.orders"]}`, true},
		{`{"source":["app.orders"],"detail-type":["OrderShipped"]}`, false},
		{`{"detail":{"state":["open"],"customer":{"tier":["gold"]}}}`, true},
		{`{"detail":{"customer":{"tier":["silver"]}}}`, false},
		{`{"detail":{"missing":{"tier":["gold"]}}}`, false},
		{`{"detail":{"total":[42.5]}}`, true},
		{`{"detail":{"count":[3.0]}}`, true},
		{`{"detail":{"count":["3"]}}`, false},
		{`{"detail":{"express":[true]}}`, true},
		{`{"detail":{"note":[null]}}`, true},
		{`{"detail":{"tags":["gift"]}}`, true},
		{`{"detail":{"tags":["sale"]}}`, false},
		{`{"resources":["arn:aws:s3:::b"]}`, true},
		{`{"detail":{"lines":{"sku":["Y2"]}}}`, true},
		{`{"detail":{"lines":{"sku":["Z9"]}}}`, false},
		{`{"source":[{"prefix":"app."}]}`, true},
		{`{"source":[{"prefix":"aws."}]}`, false},
		{`{"source":[{"prefix":{"equals-ignore-case":"APP."}}]}`, true},
		{`{"detail":{"file":[{"suffix":".PNG"}]}}`, true},
		{`{"detail":{"file":[{"suffix":".png"}]}}`, false},
		{`{"detail":{"file":[{"suffix":{"equals-ignore-case":".png"}}]}}`, true},
		{`{"detail":{"state":[{"equals-ignore-case":"OPEN"}]}}`, true},
		{`{"detail":{"file":[{"wildcard":"photo*G"}]}}`, true},
		{`{"detail":{"file":[{"wildcard":"*.jpg"}]}}`, false},
		{`{"detail":{"state":[{"anything-but":"closed"}]}}`, true},
		{`{"detail":{"state":[{"anything-but":"open"}]}}`, false},
		{`{"detail":{"state":[{"anything-but":["closed","open"]}]}}`, false},
		{`{"detail":{"count":[{"anything-but":[1,2]}]}}`, true},
		{`{"detail":{"count":[{"anything-but":3}]}}`, false},
		{`{"detail":{"state":[{"anything-but":{"prefix":"op"}}]}}`, false},
		{`{"detail":{"file":[{"anything-but":{"suffix":".jpg"}}]}}`, true},
		{`{"detail":{"state":[{"anything-but":{"equals-ignore-case":["OPEN"]}}]}}`, false},
		{`{"detail":{"absent":[{"anything-but":"x"}]}}`, false},
		{`{"detail":{"total":[{"numeric":[">",40,"<=",42.5]}]}}`, true},
		{`{"detail":{"total":[{"numeric":[">",42.5]}]}}`, false},
		{`{"detail":{"count":[{"numeric":["=",3]}]}}`, true},
		{`{"detail":{"state":[{"numeric":[">",0]}]}}`, false},
		{`{"detail":{"state":[{"exists":true}]}}`, true},
		{`{"detail":{"absent":[{"exists":false}]}}`, true},
		{`{"detail":{"state":[{"exists":false}]}}`, false},
		{`{"detail":{"customer":[{"exists":true}]}}`, false},
		{`{"detail":{"customer":{"ip":[{"cidr":"10.0.0.0/24"}]}}}`, true},
		{`{"detail":{"customer":{"ip":[{"cidr":"10.0.1.0/24"}]}}}`, false},
		{`{"source":["app.orders"],"$or":[{"detail":{"state":["closed"]}},{"detail":{"count":[{"numeric":[">",2]}]}}]}`, true},
		{`{"$or":[{"detail":{"state":["closed"]}},{"source":["app.payments"]}]}`, false},
	} {
		p, err := compilePattern(tc.pattern)
		if err != nil {
			t.Errorf("%s: %v", tc.pattern, err)
			continue
		}
		if got := p.match(ev); got != tc.want {
			t.Errorf("%s matches: %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

// TestEventPatternsRefused: what EventBridge refuses is refused with the
// field at fault.
func TestEventPatternsRefused(t *testing.T) {
	t.Parallel()
	for pattern, want := range map[string]string{
		`[]`:                                       "must be a JSON object",
		`{}`:                                       "the event pattern is empty",
		`{"detail":{}}`:                            "detail: EventBridge allows no empty object",
		`{"source":"app"}`:                         "source: a value in a pattern must be in a list",
		`{"source":[]}`:                            "source: an empty list",
		`{"detail":{"n":[{"numeric":[">"]}]}}`:     "detail.n: numeric takes",
		`{"detail":{"n":[{"between":[1,2]}]}}`:     `detail.n: unknown operator "between"`,
		`{"$or":[{"source":["a"]}]}`:               "$or takes a list of at least two",
		`{"n":[{"numeric":[">",1,">",2]}]}`:        "one lower and one upper bound",
		`{"ip":[{"cidr":"10.0.0.0/99"}]}`:          "cidr",
		`{"s":[{"anything-but":{"exists":true}}]}`: `anything-but cannot take "exists"`,
	} {
		_, err := compilePattern(pattern)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one saying %q", pattern, err, want)
		}
	}
}
