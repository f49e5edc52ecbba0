package lambdaemu

import (
	"context"
	"testing"
	"time"
)

// benchEvent is an API Gateway WebSocket MESSAGE event of typical size.
var benchEvent = []byte(`{"requestContext":{"routeKey":"sendMessage","messageId":"Fg3kYd1voAMCJqA=","eventType":"MESSAGE",` +
	`"extendedRequestId":"Fg3kYd1voAMCJqA=","requestTime":"23/Nov/2026:12:00:00 +0000","messageDirection":"IN","stage":"dev",` +
	`"connectedAt":1795000000000,"requestTimeEpoch":1795000000123,"identity":{"sourceIp":"127.0.0.1"},"requestId":"Fg3kYd1voAMCJqA=",` +
	`"domainName":"127.0.0.1:8080","connectionId":"Fg3kYd1voAMCJqA=","apiId":"local"},` +
	`"body":"{\"action\":\"sendMessage\",\"data\":\"hello world\"}","isBase64Encoded":false}`)

// benchInvoke measures the warm round trip of Invoke on one function.
func benchInvoke(b *testing.B, fn FunctionConfig) {
	p := MustPool(b, Options{}, fn)
	ctx := context.Background()
	if _, err := p.Invoke(ctx, fn.Name, benchEvent); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Invoke(ctx, fn.Name, benchEvent); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInvokeNode: warm invoke of a Node.js echo handler.
func BenchmarkInvokeNode(b *testing.B) {
	benchInvoke(b, nodeFunction(b, "Echo", map[string]string{"index.mjs": `export const handler = async (event) => event;`}))
}

// BenchmarkInvokeGo: warm invoke of an aws-lambda-go echo handler.
func BenchmarkInvokeGo(b *testing.B) {
	benchInvoke(b, FunctionConfig{Name: "GoEcho", Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: MustGoHandler(b), MemoryMB: 128, Timeout: 3 * time.Second})
}

// BenchmarkInvokePython: warm invoke of a Python echo handler.
func BenchmarkInvokePython(b *testing.B) {
	benchInvoke(b, pythonFunction(b, "PyEcho", map[string]string{"app.py": "def handler(event, context):\n    return event\n"}))
}

// BenchmarkInvokeNodeParallel: concurrent invokes, which scale out to
// several Node.js processes.
func BenchmarkInvokeNodeParallel(b *testing.B) {
	fn := nodeFunction(b, "Echo", map[string]string{"index.mjs": `export const handler = async (event) => event;`})
	fn.MaxConcurrency = 4
	p := MustPool(b, Options{}, fn)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.Invoke(ctx, fn.Name, benchEvent); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
