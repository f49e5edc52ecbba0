package localrun

import (
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Queues are served by an SQS in process (internal/sqslocal), before the
// functions, whose environment names its endpoint (AWS_ENDPOINT_URL_SQS);
// each queue → function wire polls it as Lambda's event source mapping
// does.
func init() {
	registerKind(&kindServer{kind: model.KindQueue, order: 15, serve: func(st *starting) error {
		if len(st.s.Queues) == 0 {
			return nil
		}
		svc, err := st.services()
		if err != nil {
			return err
		}
		svc.startPollers()
		st.progress(fmt.Sprintf("queues on %s: %s", svc.sqsEP.URL(), joinNames(svc.sqs.Names())))
		return nil
	}})
}
