package localrun

import (
	"strings"
	"testing"
)

func TestRenderTemplate(t *testing.T) {
	t.Parallel()
	in := vtlInput{body: `{"action":"go","data":{"text":"it's <b>","n":[1,2]}}`, context: map[string]string{"connectionId": "c1=", "requestTimeEpoch": "1700"}}
	for tmpl, want := range map[string]string{
		// The export's templates.
		"Action=SendMessage&MessageBody=$util.urlEncode($input.body)":                    "Action=SendMessage&MessageBody=%7B%22action%22%3A%22go%22%2C%22data%22%3A%7B%22text%22%3A%22it%27s+%3Cb%3E%22%2C%22n%22%3A%5B1%2C2%5D%7D%7D",
		`{"input": "$util.escapeJavaScript($input.body)", "stateMachineArn": "${Flow}"}`: `{"input": "{\"action\":\"go\",\"data\":{\"text\":\"it\'s <b>\",\"n\":[1,2]}}", "stateMachineArn": "${Flow}"}`,
		// What people write.
		`{"text": $input.json('$.data.text'), "second": $input.path('$.data.n[1]'), "missing": $input.json('$.nope')}`:     `{"text": "it's <b>", "second": 2, "missing": null}`,
		`{"who": "$context.connectionId", "at": ${context.requestTimeEpoch}, "stage": "$!stageVariables.x", "cost": "$5"}`: `{"who": "c1=", "at": 1700, "stage": "", "cost": "$5"}`,
	} {
		got, err := renderTemplate(tmpl, in)
		if err != nil || got != want {
			t.Errorf("render %s\n got %s, %v\nwant %s", tmpl, got, err, want)
		}
	}
	for tmpl, want := range map[string]string{
		`#set($x = 1)$x`:            "#set",
		`$input.params('token')`:    "$input.params is not rendered",
		`$util.toJson($input.body)`: "$util.toJson is not rendered",
	} {
		if got := templateProblem(tmpl); !strings.Contains(got, want) {
			t.Errorf("templateProblem(%s) = %q, want %q", tmpl, got, want)
		}
	}
	if got, ok := selectTemplate(map[string]string{"$default": "d", "go": "g"}, "$request.body.action", in.body); !ok || got != "g" {
		t.Errorf("selected %q", got)
	}
}
