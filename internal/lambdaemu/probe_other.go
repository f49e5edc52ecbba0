//go:build !linux

package lambdaemu

import "time"

// procProbe knows nothing off Linux: memory is then limited only by
// Node.js's heap flag, and a function scales out without regard to the
// CPU its processes take.
type procProbe struct{}

func openProbe(int) *procProbe { return nil }

func (*procProbe) resident() (int64, bool) { return 0, false }

func (*procProbe) demand() (time.Duration, bool) { return 0, false }

func (*procProbe) close() {}

func ownDemand() (time.Duration, bool) { return 0, false }
