package cfn

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// manyValues is a single-line JSON template with n resources of a dozen
// values each, some of them not ASCII, so columns count runes.
func manyValues(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"Resources":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := strconv.Itoa(i)
		b.WriteString(`"Q` + id + `":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":"queue-` + id + `-é€","Tags":[{"Key":"n","Value":"` + id + `"},{"Key":"ü","Value":"x"}],"DelaySeconds":` + id + `}}`)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// offsetOf turns a 1-based line and column (in runes) back into a byte
// offset, the slow and obvious way.
func offsetOf(data []byte, p Pos) int {
	off := 0
	for range p.Line - 1 {
		off += bytes.IndexByte(data[off:], '\n') + 1
	}
	for range p.Col - 1 {
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return off
}

// TestPositionsAreLinear: reading a JSON file looks at each byte a bounded
// number of times to know where values are, however many values a line
// holds. Counting from the start of the file for each value, as the reader
// once did, looks at thousands of times the file's size here.
func TestPositionsAreLinear(t *testing.T) {
	data := manyValues(500)
	r := newJSONReader(context.Background(), data, DefaultLimits)
	v, err := r.document()
	if err != nil {
		t.Fatal(err)
	}
	if r.lines.scanned > len(data) {
		t.Errorf("finding positions looked at %d bytes of a %d-byte file; want at most its size", r.lines.scanned, len(data))
	}
	// The positions are still right: each string is written where its
	// position says.
	sampled := 0
	v.Walk(func(v *Value) {
		if v.Kind != String {
			return
		}
		if sampled++; sampled%10 != 0 {
			return // a sample: offsetOf is slow on purpose
		}
		off := offsetOf(data, v.Pos)
		if want := strconv.Quote(v.Text); !bytes.HasPrefix(data[off:], []byte(want[:len(want)-1])) {
			t.Fatalf("%q is at %v, which reads %.20q", v.Text, v.Pos, data[off:])
		}
	})
}
