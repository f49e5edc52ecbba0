package localrun

import (
	"strings"
	"testing"
	"time"
)

// TestScheduleTicks: rate and cron expressions fire when EventBridge
// fires them (cron in UTC, day-of-week 1 = Sunday), and the expressions
// EventBridge refuses are refused.
func TestScheduleTicks(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 12, 7, 23, 17, 42, 0, time.UTC) // a Monday
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{"rate(1 minute)", []string{"2026-12-07T23:18:42Z", "2026-12-07T23:19:42Z"}},
		{"rate(5 minutes)", []string{"2026-12-07T23:22:42Z", "2026-12-07T23:27:42Z"}},
		{"rate(2 hours)", []string{"2026-12-08T01:17:42Z", "2026-12-08T03:17:42Z"}},
		{"rate(1 day)", []string{"2026-12-08T23:17:42Z", "2026-12-09T23:17:42Z"}},
		{"cron(0/15 * * * ? *)", []string{"2026-12-07T23:30:00Z", "2026-12-07T23:45:00Z", "2026-12-08T00:00:00Z"}},
		{"cron(0 10 * * ? *)", []string{"2026-12-08T10:00:00Z", "2026-12-09T10:00:00Z"}},
		{"cron(15 12 ? * MON-FRI *)", []string{"2026-12-08T12:15:00Z", "2026-12-09T12:15:00Z", "2026-12-10T12:15:00Z", "2026-12-11T12:15:00Z", "2026-12-14T12:15:00Z"}},
		{"cron(0 8 ? * 1 *)", []string{"2026-12-13T08:00:00Z", "2026-12-20T08:00:00Z"}},
		{"cron(0 18 L * ? *)", []string{"2026-12-31T18:00:00Z", "2027-01-31T18:00:00Z", "2027-02-28T18:00:00Z"}},
		{"cron(0 9 ? * 6L *)", []string{"2026-12-25T09:00:00Z", "2027-01-29T09:00:00Z"}},
		{"cron(0 9 ? * 2#1 *)", []string{"2027-01-04T09:00:00Z", "2027-02-01T09:00:00Z"}},
		{"cron(0 9 1W * ? *)", []string{"2027-01-01T09:00:00Z", "2027-02-01T09:00:00Z", "2027-03-01T09:00:00Z", "2027-04-01T09:00:00Z", "2027-05-03T09:00:00Z"}},
		{"cron(0 0 1 JAN ? 2027-2028)", []string{"2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z", ""}},
	} {
		sched, err := parseSchedule(tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		var got []string
		at := from
		for range tc.want {
			at = sched.next(at)
			if at.IsZero() {
				got = append(got, "")
				break
			}
			got = append(got, at.Format(time.RFC3339))
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s fires at %v, want %v", tc.expr, got, tc.want)
		}
	}
	for expr, want := range map[string]string{
		"rate(1 minutes)":      "the unit is minute",
		"rate(5 minute)":       "the unit is minute",
		"rate(0 minutes)":      "positive whole number",
		"rate(5 weeks)":        "the unit is minute",
		"cron(0 10 * * *)":     "six fields",
		"cron(0 10 * * * *)":   "must be ?",
		"cron(0 10 ? * ? *)":   "must be ?",
		"cron(61 10 * * ? *)":  "minutes",
		"cron(0 10 ? * 9 *)":   "day-of-week",
		"cron(0 10 * FOO ? *)": "month",
		"every(5 minutes)":     "neither rate",
	} {
		if _, err := parseSchedule(expr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one saying %q", expr, err, want)
		}
	}
}
