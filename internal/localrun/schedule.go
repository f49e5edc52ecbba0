package localrun

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Clock is what a run's rule schedules tell the time by: the wall clock,
// or one a test moves on.
type Clock interface {
	Now() time.Time
	// After sends the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// schedule is a rule's ScheduleExpression: when it next fires after a
// time, or the zero time for never.
type schedule interface {
	next(after time.Time) time.Time
}

// parseSchedule reads rate(value unit) and cron(minutes hours
// day-of-month month day-of-week year), as EventBridge does, in UTC.
func parseSchedule(expr string) (schedule, error) {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return parseRate(strings.TrimSuffix(strings.TrimPrefix(expr, "rate("), ")"))
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return parseCron(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"))
	}
	return nil, fmt.Errorf("%q is neither rate(…) nor cron(…)", expr)
}

type rate time.Duration

func (r rate) next(after time.Time) time.Time { return after.Add(time.Duration(r)) }

func parseRate(s string) (schedule, error) {
	value, unit, ok := strings.Cut(strings.TrimSpace(s), " ")
	n, err := strconv.Atoi(value)
	if !ok || err != nil || n <= 0 {
		return nil, fmt.Errorf("rate(%s): a rate is a positive whole number and a unit, such as rate(5 minutes)", s)
	}
	units := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	singular := strings.TrimSuffix(unit, "s")
	d, known := units[singular]
	// EventBridge wants "1 minute" but "5 minutes".
	if !known || (n == 1) != (unit == singular) {
		return nil, fmt.Errorf("rate(%s): the unit is minute, hour or day for 1, minutes, hours or days for more", s)
	}
	return rate(time.Duration(n) * d), nil
}

// cron is a parsed cron expression: a set of allowed values per field, and
// the day rules (day of month or of week, one of them "?").
type cron struct {
	minutes, hours, months, years map[int]bool
	day                           func(t time.Time) bool
}

// cronLastYear is the last year EventBridge's cron accepts.
const cronLastYear = 2199

func parseCron(s string) (schedule, error) {
	f := strings.Fields(s)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron(%s): a cron expression has six fields: minutes hours day-of-month month day-of-week year", s)
	}
	c := &cron{}
	var err error
	if c.minutes, err = cronField(f[0], 0, 59, nil); err != nil {
		return nil, fmt.Errorf("cron(%s): minutes: %w", s, err)
	}
	if c.hours, err = cronField(f[1], 0, 23, nil); err != nil {
		return nil, fmt.Errorf("cron(%s): hours: %w", s, err)
	}
	months := []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	if c.months, err = cronField(f[3], 1, 12, months); err != nil {
		return nil, fmt.Errorf("cron(%s): month: %w", s, err)
	}
	if c.years, err = cronField(f[5], 1970, cronLastYear, nil); err != nil {
		return nil, fmt.Errorf("cron(%s): year: %w", s, err)
	}
	dom, dow := f[2], f[4]
	switch {
	case dom == "?" && dow == "?", dom != "?" && dow != "?":
		return nil, fmt.Errorf("cron(%s): one of day-of-month and day-of-week must be ?", s)
	case dow == "?":
		c.day, err = dayOfMonth(dom)
	default:
		c.day, err = dayOfWeek(dow)
	}
	if err != nil {
		return nil, fmt.Errorf("cron(%s): %w", s, err)
	}
	return c, nil
}

// cronField reads *, a value, a range a-b, a step x/n or */n, or a list
// of those, into the set of allowed values.
func cronField(s string, lo, hi int, names []string) (map[int]bool, error) {
	set := map[int]bool{}
	value := func(v string) (int, error) {
		for i, n := range names {
			if strings.EqualFold(v, n) {
				return lo + i, nil
			}
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("%q is not a value from %d to %d", v, lo, hi)
		}
		return n, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		span, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("%q is not a step", stepText)
			}
			step = n
		}
		from, to := lo, hi
		switch {
		case span == "*":
		case strings.Contains(span, "-"):
			a, b, _ := strings.Cut(span, "-")
			var err error
			if from, err = value(a); err != nil {
				return nil, err
			}
			if to, err = value(b); err != nil {
				return nil, err
			}
		default:
			v, err := value(span)
			if err != nil {
				return nil, err
			}
			from = v
			if !hasStep {
				to = v
			}
		}
		if from > to {
			return nil, fmt.Errorf("%q is an empty range", span)
		}
		for v := from; v <= to; v += step {
			set[v] = true
		}
	}
	return set, nil
}

func lastDay(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dayOfMonth reads the day-of-month field: values, L (the last day) or nW
// (the weekday nearest the nth).
func dayOfMonth(s string) (func(time.Time) bool, error) {
	switch {
	case s == "L":
		return func(t time.Time) bool { return t.Day() == lastDay(t) }, nil
	case strings.HasSuffix(s, "W"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "W"))
		if err != nil || n < 1 || n > 31 {
			return nil, fmt.Errorf("day-of-month: %q is not nW", s)
		}
		return func(t time.Time) bool { return t.Day() == nearestWeekday(t, n) }, nil
	}
	set, err := cronField(s, 1, 31, nil)
	if err != nil {
		return nil, fmt.Errorf("day-of-month: %w", err)
	}
	return func(t time.Time) bool { return set[t.Day()] }, nil
}

// nearestWeekday is the day of t's month that is the weekday nearest its
// nth, never in another month.
func nearestWeekday(t time.Time, n int) int {
	last := lastDay(t)
	n = min(n, last)
	d := time.Date(t.Year(), t.Month(), n, 0, 0, 0, 0, time.UTC)
	switch d.Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

// dayOfWeek reads the day-of-week field (1-7 or SUN-SAT): values, nL (the
// last such day of the month) or n#k (the kth such day).
func dayOfWeek(s string) (func(time.Time) bool, error) {
	days := []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	weekday := func(v string) (time.Weekday, error) {
		set, err := cronField(v, 1, 7, days)
		if err != nil || len(set) != 1 {
			return 0, fmt.Errorf("day-of-week: %q is not one day", v)
		}
		for d := range set {
			return time.Weekday(d - 1), nil
		}
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "L"); ok && d != "" {
		wd, err := weekday(d)
		if err != nil {
			return nil, err
		}
		return func(t time.Time) bool { return t.Weekday() == wd && t.Day()+7 > lastDay(t) }, nil
	}
	if d, k, ok := strings.Cut(s, "#"); ok {
		wd, err := weekday(d)
		nth, err2 := strconv.Atoi(k)
		if err != nil || err2 != nil || nth < 1 || nth > 5 {
			return nil, fmt.Errorf("day-of-week: %q is not day#n", s)
		}
		return func(t time.Time) bool { return t.Weekday() == wd && (t.Day()-1)/7+1 == nth }, nil
	}
	set, err := cronField(s, 1, 7, days)
	if err != nil {
		return nil, fmt.Errorf("day-of-week: %w", err)
	}
	return func(t time.Time) bool { return set[int(t.Weekday())+1] }, nil
}

// next walks forward from the minute after, skipping a whole year, month,
// day or hour that cannot match.
func (c *cron) next(after time.Time) time.Time {
	t := after.UTC().Truncate(time.Minute).Add(time.Minute)
	for t.Year() <= cronLastYear {
		switch {
		case !c.years[t.Year()]:
			t = time.Date(t.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
		case !c.months[int(t.Month())]:
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		case !c.day(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
		case !c.hours[t.Hour()]:
			t = t.Truncate(time.Hour).Add(time.Hour)
		case !c.minutes[t.Minute()]:
			t = t.Add(time.Minute)
		default:
			return t
		}
	}
	return time.Time{}
}
