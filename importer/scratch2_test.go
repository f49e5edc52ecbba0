package importer_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestScratchOwnPart(t *testing.T) {
	for _, n := range []int{500, 1000, 2000} {
		var b strings.Builder
		b.WriteString(`{"Resources":{`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"F%dABCDEF12":{"Type":"AWS::Lambda::Function","Properties":{"Handler":"a.h","Runtime":"nodejs22.x","Code":{"ZipFile":"x"},"Role":"arn:aws:iam::1:role/x"},"Metadata":{"aws:cdk:path":"x"}},"F%dRole":{"Type":"AWS::IAM::Role","Properties":{}}`, i, i)
		}
		b.WriteString(`}}`)
		timeIt(t, fmt.Sprintf("ownpart%d.json", n), []byte(b.String()))
	}
}
