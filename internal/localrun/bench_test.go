package localrun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// The benchmarks run the echo example's scaffold as a real Node.js Lambda
// process behind the gateway: what a user gets from `switchboard run`.

func benchEcho(b *testing.B) *Runner {
	b.Helper()
	sdk := MustSDK(b)
	s, err := model.Example("echo", "echo")
	if err != nil {
		b.Fatal(err)
	}
	// LOCALRUN_BENCH_CONCURRENCY compares --concurrency values.
	n, _ := strconv.Atoi(os.Getenv("LOCALRUN_BENCH_CONCURRENCY"))
	return MustRun(b, Config{Stack: s, NodePath: sdk, Concurrency: n})
}

// BenchmarkEchoRoundTrip: one client, send to reply, through a Node.js
// handler.
func BenchmarkEchoRoundTrip(b *testing.B) {
	r := benchEcho(b)
	var res wsload.Result
	for b.Loop() {
		var err error
		if res, err = wsload.Run(context.Background(), r.Endpoints()[0].URL, 1, 500, []byte(`{"action":"test","data":"hello"}`)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Percentile(50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(res.Percentile(99).Microseconds()), "p99-µs")
	b.ReportMetric(res.PerSecond(), "msgs/s")
}

// BenchmarkMessages: round trips per second with 1 and 50 connections at
// once; the function scales out to its default concurrency, as Lambda
// would.
func BenchmarkMessages(b *testing.B) {
	for _, conns := range []int{1, 50} {
		b.Run("conns="+strconv.Itoa(conns), func(b *testing.B) {
			r := benchEcho(b)
			// Scale out first: the figures are for warm processes, as
			// a run serves after its first burst.
			if _, err := wsload.Run(context.Background(), r.Endpoints()[0].URL, conns, 20*conns, []byte(`{"action":"test","data":"warm"}`)); err != nil {
				b.Fatal(err)
			}
			var res wsload.Result
			own0, fns0 := cpuUsed(b)
			messages := 0
			for b.Loop() {
				var err error
				if res, err = wsload.Run(context.Background(), r.Endpoints()[0].URL, conns, 2000, []byte(`{"action":"test","data":"hello"}`)); err != nil {
					b.Fatal(err)
				}
				messages += res.Messages
			}
			own1, fns1 := cpuUsed(b)
			b.ReportMetric(res.PerSecond(), "msgs/s")
			b.ReportMetric(float64(res.Percentile(50).Microseconds()), "p50-µs")
			b.ReportMetric(float64(res.Percentile(99).Microseconds()), "p99-µs")
			b.ReportMetric(float64(treeRSSKB(b))/1024, "rss-MB")
			// CPU per round trip, which a machine shared with other work
			// changes far less than the latencies: this process (gateway,
			// Runtime API and the load client) and the function processes.
			b.ReportMetric(float64((own1-own0).Microseconds())/float64(messages), "go-cpu-µs/msg")
			b.ReportMetric(float64((fns1-fns0).Microseconds())/float64(messages), "fn-cpu-µs/msg")
		})
	}
}

// BenchmarkConnectEcho times connecting with a $connect route on the echo
// function: the upgrade waits for one Node.js invocation.
func BenchmarkConnectEcho(b *testing.B) {
	sdk := MustSDK(b)
	s, err := model.Example("echo", "echo")
	if err != nil {
		b.Fatal(err)
	}
	s.APIs[0].Routes = append(s.APIs[0].Routes, &model.Route{ID: "rt9", Key: model.RouteConnect})
	s.Wires = append(s.Wires, &model.Wire{ID: "w9", Kind: model.WireIntegration, From: "rt9", To: "fn3"})
	r := MustRun(b, Config{Stack: s, NodePath: sdk})
	idle := treeRSSKB(b)
	for b.Loop() {
		c, err := wsload.Dial(context.Background(), r.Endpoints()[0].URL)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Close()
	}
	b.ReportMetric(float64(idle)/1024, "idle-rss-MB")
}

// BenchmarkConnectChat times connecting to the chat example, whose $connect
// handler writes the connection to DynamoDB (moto_server) and whose
// $disconnect deletes it.
func BenchmarkConnectChat(b *testing.B) {
	sdk := MustSDK(b)
	dynamo := MustStartMoto(b)
	s, err := model.Example("chat", "chat")
	if err != nil {
		b.Fatal(err)
	}
	r := MustRun(b, Config{Stack: s, NodePath: sdk, DynamoDBEndpoint: dynamo})
	idle := treeRSSKB(b)
	for b.Loop() {
		c, err := wsload.Dial(context.Background(), r.Endpoints()[0].URL)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Close()
	}
	b.ReportMetric(float64(idle)/1024, "idle-rss-MB")
}

// BenchmarkStartToFirstConnection: from Start (pressing Run locally) to
// the first accepted WebSocket connection, with a warm SDK cache and the
// local CA made before, as on a user's second run. A client dials the
// run's port from the moment Start is called, as one that retries does.
//
//   - chat: the chat example as created on the canvas (its starter
//     handlers, the built-in DynamoDB): the connection is accepted only
//     once its $connect handler, a Node.js function that loads the AWS
//     SDK, has stored it in the table. This is the figure issue #13 means.
//   - echo: the echo example, which has no $connect route: the
//     connection is accepted when the API listens; its first message waits
//     for the function's process.
//
// Each also reports when Start returned (every function warm) and when
// the first message was answered.
func BenchmarkStartToFirstConnection(b *testing.B) {
	MustSDK(b)
	for _, example := range []string{"chat", "echo"} {
		b.Run(example, func(b *testing.B) {
			s, err := model.Example(example, example)
			if err != nil {
				b.Fatal(err)
			}
			cfg := Config{Stack: s, CADir: filepath.Join(b.TempDir(), "ca")}
			// Warm what a second run finds made: the SDK cache, the CA.
			warm := MustRun(b, cfg)
			if err := warm.Close(); err != nil {
				b.Fatal(err)
			}
			msg := []byte(`{"action":"test","data":"first"}`)
			if example == "chat" {
				msg = []byte(`{"action":"sendMessage","data":"first"}`)
			}
			var accepted, started, replied time.Duration
			for b.Loop() {
				cfg.Port = testtool.FreePort(b)
				url := "ws://127.0.0.1:" + strconv.Itoa(cfg.Port) + "/" + s.APIs[0].StageName
				type dialed struct {
					c   *wsload.Conn
					at  time.Duration
					err error
				}
				first := make(chan dialed, 1)
				t0 := time.Now()
				go func() {
					deadline := t0.Add(30 * time.Second)
					for {
						c, err := wsload.Dial(context.Background(), url)
						if err == nil || time.Now().After(deadline) {
							first <- dialed{c, time.Since(t0), err}
							return
						}
						time.Sleep(time.Millisecond)
					}
				}()
				r, err := Start(context.Background(), nil, cfg)
				if err != nil {
					b.Fatal(err)
				}
				started += time.Since(t0)
				d := <-first
				if d.err != nil {
					b.Fatal(d.err)
				}
				accepted += d.at
				// chat's sendMessage answers nothing to its sender: the
				// broadcast reaches it, as one of the connections.
				if _, err := d.c.RoundTrip(msg); err != nil {
					b.Fatal(err)
				}
				replied += time.Since(t0)
				b.StopTimer()
				_ = d.c.Close()
				if err := r.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			n := float64(b.N) * float64(time.Millisecond)
			b.ReportMetric(float64(accepted)/n, "accepted-ms")
			b.ReportMetric(float64(started)/n, "started-ms")
			b.ReportMetric(float64(replied)/n, "first-reply-ms")
		})
	}
}

// BenchmarkIdleAfterBurst: the proportional memory (PSS) of this process
// and its function processes a minute after a burst of 50 connections
// made the echo function scale out, once the extra processes stopped
// (lambdaemu.DefaultIdleTimeout). It takes over a minute per iteration.
func BenchmarkIdleAfterBurst(b *testing.B) {
	r := benchEcho(b)
	for b.Loop() {
		if _, err := wsload.Run(context.Background(), r.Endpoints()[0].URL, 50, 2000, []byte(`{"action":"test","data":"hello"}`)); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(treePSSKB(b))/1024, "burst-pss-MB")
		time.Sleep(lambdaemu.DefaultIdleTimeout + 6*time.Second)
		b.ReportMetric(float64(treePSSKB(b))/1024, "idle-pss-MB")
		b.ReportMetric(float64(len(treePIDs(b))-1), "idle-processes")
	}
}

// treePSSKB sums Pss of this process and its descendants, from
// /proc/PID/smaps_rollup: memory shared between the node processes
// counts once in all.
func treePSSKB(tb testing.TB) int {
	total := 0
	for _, pid := range treePIDs(tb) {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
		if err != nil {
			continue
		}
		for line := range strings.SplitSeq(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
				var kb int
				fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
				total += kb
			}
		}
	}
	return total
}

// cpuUsed returns the CPU time this process and its live descendants have
// used, from /proc/PID/stat (in clock ticks of 10 ms).
func cpuUsed(tb testing.TB) (own, descendants time.Duration) {
	for _, pid := range treePIDs(tb) {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+2:])
		if len(f) < 13 {
			continue
		}
		utime, _ := strconv.Atoi(f[11])
		stime, _ := strconv.Atoi(f[12])
		used := time.Duration(utime+stime) * 10 * time.Millisecond
		if pid == os.Getpid() {
			own += used
		} else {
			descendants += used
		}
	}
	return own, descendants
}

// treePIDs lists this process and its descendants.
func treePIDs(tb testing.TB) []int {
	tb.Helper()
	children := map[int][]int{}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		var state string
		var ppid int
		if _, err := fmt.Sscanf(s[i+2:], "%s %d", &state, &ppid); err != nil {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		children[ppid] = append(children[ppid], pid)
	}
	var out []int
	var walk func(pid int)
	walk = func(pid int) {
		out = append(out, pid)
		for _, c := range children[pid] {
			walk(c)
		}
	}
	walk(os.Getpid())
	return out
}

// treeRSSKB sums VmRSS of this process and its descendants (the function
// processes), from /proc.
func treeRSSKB(tb testing.TB) int {
	tb.Helper()
	children := map[int][]int{}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so split after ")".
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		var state string
		var ppid int
		if _, err := fmt.Sscanf(s[i+2:], "%s %d", &state, &ppid); err != nil {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		children[ppid] = append(children[ppid], pid)
	}
	total := 0
	var walk func(pid int)
	walk = func(pid int) {
		total += rssOf(pid)
		for _, c := range children[pid] {
			walk(c)
		}
	}
	walk(os.Getpid())
	return total
}

func rssOf(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb
		}
	}
	return 0
}
