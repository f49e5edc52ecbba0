package importer_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/importer"
)

func timeIt(t *testing.T, label string, data []byte) {
	start := time.Now()
	_, err := importer.Parse(label, data)
	msg := ""
	if err != nil {
		msg = err.Error()
		if len(msg) > 100 {
			msg = msg[:100]
		}
	}
	t.Logf("%s %d bytes: %v (%s)", label, len(data), time.Since(start), msg)
}

func TestScratchScaling(t *testing.T) {
	for _, g := range []int{50, 100, 200, 400} {
		timeIt(t, fmt.Sprintf("groups%d.json", g), largeTemplate(t, g, 0))
	}
	for _, n := range []int{2000, 4000, 8000, 16000} {
		var b strings.Builder
		b.WriteString(`{"Resources":{`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"Q%d":{"Type":"AWS::SQS::Queue"}`, i)
		}
		b.WriteString(`}}`)
		timeIt(t, fmt.Sprintf("queues%d.json", n), []byte(b.String()))
	}
	for _, n := range []int{20000, 40000, 80000, 160000} {
		var b strings.Builder
		b.WriteString(`{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}},"Metadata":{`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"k%d":1`, i)
		}
		b.WriteString(`}}`)
		timeIt(t, fmt.Sprintf("wide%d.json", n), []byte(b.String()))
		y := strings.ReplaceAll(strings.ReplaceAll(b.String(), `":`, `": `), `,"`, `, "`)
		timeIt(t, fmt.Sprintf("wide%d.yaml", n), []byte(y))
	}
}
