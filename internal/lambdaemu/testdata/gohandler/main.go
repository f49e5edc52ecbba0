// Command gohandler is a Lambda handler written with aws-lambda-go, as a
// user would write it; the tests build it into a bootstrap and run it
// unchanged.
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func handle(ctx context.Context, e events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	switch e.Body {
	case "fail":
		return events.APIGatewayProxyResponse{}, errors.New("go handler failed")
	case "crash":
		os.Exit(3)
	}
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: e.RequestContext.RouteKey + ":" + e.Body + ":" + lc.AwsRequestID + ":" + lambdacontext.FunctionName}, nil
}

func main() {
	lambda.Start(handle)
}
