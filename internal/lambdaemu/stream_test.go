package lambdaemu

import (
	"context"
	"errors"
	"testing"
)

// TestNodeBootstrapUsesTheInvocationStream: Switchboard's Node.js
// bootstrap takes its invocations from the invocation stream, not one
// HTTP poll of /invocation/next each; results, errors and the context
// come through it as through the Runtime API. Before, each invocation
// cost a poll and a post, each answered.
func TestNodeBootstrapUsesTheInvocationStream(t *testing.T) {
	fn := nodeFunction(t, "Streamed", map[string]string{"index.mjs": `export const handler = async (event, context) => {
  if (event.fail) throw new TypeError("asked to fail " + event.n);
  return { n: event.n, arn: context.invokedFunctionArn, left: context.getRemainingTimeInMillis() > 0, id: context.awsRequestId };
};`})
	p := MustPool(t, Options{}, fn)
	for n := range 20 {
		got := MustInvoke[struct {
			N    int
			ARN  string
			Left bool
			ID   string
		}](t, p, "Streamed", map[string]int{"n": n})
		if got.N != n || got.ARN != "arn:aws:lambda:us-east-1:000000000000:function:Streamed" || !got.Left || len(got.ID) != 36 {
			t.Fatalf("invocation %d: %+v", n, got)
		}
	}
	_, err := p.Invoke(context.Background(), "Streamed", []byte(`{"fail":true,"n":7}`))
	var fe *FunctionError
	if !errors.As(err, &fe) || fe.Type != "TypeError" || fe.Message != "asked to fail 7" {
		t.Fatalf("error %v; want TypeError: asked to fail 7", err)
	}
	p.mu.Lock()
	f := p.fns["Streamed"]
	p.mu.Unlock()
	f.mu.Lock()
	polls := int64(0)
	for s := range f.live {
		polls += s.polls.Load()
	}
	f.mu.Unlock()
	if polls != 0 {
		t.Fatalf("%d polls of /invocation/next for 21 invocations; want the stream", polls)
	}
}
