package export

import (
	"fmt"
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The usage plan kind becomes an API Gateway usage plan on the stage of
// each API it is wired to and, per API key, the key and its association
// with the plan; each key's ID is an output (its value is API Gateway's
// to generate: `aws apigateway get-api-key --include-value`). WebSocket
// APIs take the REST API's usage plans and keys, naming the V2 API's ID
// and stage.
func init() {
	registerKind(model.KindUsagePlan, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) {
			for _, p := range s.UsagePlans {
				resources += 1 + 2*len(p.Keys)
				outputs += len(p.Keys)
			}
			return resources, outputs
		},
		build: func(b *builder) {
			for _, p := range b.s.UsagePlans {
				b.usagePlan(p)
			}
		},
	})
}

func usagePlanID(p *model.UsagePlan) string {
	return model.KeptLogicalID(p.Kept, model.PartMain, p.Name)
}

func (b *builder) usagePlan(p *model.UsagePlan) {
	id := usagePlanID(p)
	res := &apigateway.UsagePlan{}
	if p.Description != "" {
		res.Description = cloudformation.String(p.Description)
	}
	if p.ThrottleBurst > 0 || p.ThrottleRate > 0 {
		res.Throttle = &apigateway.UsagePlan_ThrottleSettings{}
		if p.ThrottleBurst > 0 {
			res.Throttle.BurstLimit = cloudformation.Int(p.ThrottleBurst)
		}
		if p.ThrottleRate > 0 {
			res.Throttle.RateLimit = cloudformation.Float64(p.ThrottleRate)
		}
	}
	if p.QuotaLimit > 0 {
		res.Quota = &apigateway.UsagePlan_QuotaSettings{Limit: cloudformation.Int(p.QuotaLimit), Period: cloudformation.String(p.QuotaPeriod)}
		if p.QuotaOffset > 0 {
			res.Quota.Offset = cloudformation.Int(p.QuotaOffset)
		}
	}
	fns := []propertyFn{at(b.sub("${AWS::StackName}-"+p.Name), "UsagePlanName")}
	i := 0
	for _, w := range b.index.WiresFromOfKind(p.ID, model.WireUsagePlan) {
		a := b.index.API(w.To)
		if a == nil {
			continue
		}
		// A Ref of the stage both names it and makes the plan wait for it:
		// API Gateway refuses a plan on a stage that does not exist yet.
		n := strconv.Itoa(i)
		fns = append(fns, at(b.ref(apiID(a)), "ApiStages", n, "ApiId"), at(b.ref(stageID(a)), "ApiStages", n, "Stage"))
		i++
	}
	b.add(id, res, p.ID, p.Kept, model.PartMain, fns...)
	for _, k := range p.Keys {
		object := p.KeyObject(k)
		keyID := model.KeptLogicalID(k.Kept, model.PartMain, k.Name)
		b.add(keyID, &apigateway.ApiKey{Enabled: cloudformation.Bool(!k.Disabled)}, object, k.Kept, model.PartMain,
			at(b.sub("${AWS::StackName}-"+k.Name), "Name"))
		b.add(model.KeptLogicalID(k.Kept, model.PartUsagePlanKey, p.UsagePlanKeyLogicalID(k)), &apigateway.UsagePlanKey{KeyType: "API_KEY"},
			object, k.Kept, model.PartUsagePlanKey, at(b.ref(keyID), "KeyId"), at(b.ref(id), "UsagePlanId"))
		b.output(k.IDOutputName(), fmt.Sprintf("ID of API key %s of usage plan %s", k.Name, p.Name), b.ref(keyID))
	}
}
