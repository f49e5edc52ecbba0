package importer

import (
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

const (
	typeUsagePlan    = "AWS::ApiGateway::UsagePlan"
	typeAPIKey       = "AWS::ApiGateway::ApiKey"
	typeUsagePlanKey = "AWS::ApiGateway::UsagePlanKey"
)

// Usage plans come after APIs, whose stages they name.
func init() {
	registerKind(&recogniser{kind: model.KindUsagePlan, mainType: typeUsagePlan, order: 40, recognise: (*importer).importUsagePlans})
}

// importUsagePlans turns each AWS::ApiGateway::UsagePlan whose ApiStages
// all name a WebSocket API of the template and that API's stage into a
// usage plan wired to those APIs, and each UsagePlanKey of an API key to
// it into one of its keys. A plan on a REST API, or with per-method
// throttles, stays as written, with its keys.
func (im *importer) importUsagePlans() error {
	plans := map[string]*model.UsagePlan{}
	for _, r := range im.ofType(typeUsagePlan) {
		if err := im.stopped(); err != nil {
			return err
		}
		apis, ok := im.planStages(r.props.Get("ApiStages"))
		if !ok {
			continue
		}
		p := model.NewUsagePlan(im.id("up"), im.nodeName[r.id])
		props := r.props
		p.Description, _ = props.Get("Description").Str()
		p.ThrottleBurst, _ = props.Path("Throttle", "BurstLimit").Int()
		p.ThrottleRate, _ = number(props.Path("Throttle", "RateLimit"))
		p.QuotaLimit, _ = props.Path("Quota", "Limit").Int()
		p.QuotaPeriod, _ = props.Path("Quota", "Period").Str()
		p.QuotaOffset, _ = props.Path("Quota", "Offset").Int()
		resetInvalid(&model.Stack{UsagePlans: []*model.UsagePlan{p}}, p.ID, func(field string) {
			switch field {
			case "description":
				p.Description = ""
			case "throttleBurst":
				p.ThrottleBurst = 0
			case "throttleRate":
				p.ThrottleRate = 0
			case "quotaLimit", "quotaPeriod", "quotaOffset":
				p.QuotaLimit, p.QuotaPeriod, p.QuotaOffset = 0, "", 0
			}
		})
		plans[r.id] = p
		im.srcID[p.ID] = r.id
		im.claimed[r.id] = true
		im.stack.UsagePlans = append(im.stack.UsagePlans, p)
		for _, a := range apis {
			im.wire(model.WireUsagePlan, p.ID, a.ID)
		}
	}
	if len(plans) == 0 {
		return nil
	}
	if im.planKeys == nil {
		im.planKeys = map[*model.APIKey][2]string{}
	}
	for _, r := range im.ofType(typeUsagePlanKey) {
		keyID, planID := r.props.Get("KeyId").RefTo(), r.props.Get("UsagePlanId").RefTo()
		p := plans[planID]
		keyType, _ := r.props.Get("KeyType").Str()
		if p == nil || keyType != "API_KEY" || !im.isType(keyID, typeAPIKey) || im.claimed[keyID] || len(r.props.Keys) != 3 {
			continue
		}
		key := &model.APIKey{Name: keyID}
		if enabled, ok := im.res[keyID].props.Get("Enabled").Bool(); ok && !enabled {
			key.Disabled = true
		}
		p.Keys = append(p.Keys, key)
		im.planKeys[key] = [2]string{keyID, r.id}
		im.claimed[keyID] = true
		im.claimed[r.id] = true
	}
	return nil
}

// planStages returns the APIs a plan's ApiStages name, each by a Ref of a
// WebSocket API of the template and a Ref of that API's stage, and false
// when any names something else or says more.
func (im *importer) planStages(stages *cfn.Value) ([]*model.API, bool) {
	if stages == nil {
		return nil, true
	}
	if stages.Kind != cfn.List {
		return nil, false
	}
	var out []*model.API
	for _, s := range stages.Items {
		if s.Kind != cfn.Map || len(s.Keys) != 2 {
			return nil, false
		}
		a := im.apis[s.Get("ApiId").RefTo()]
		if a == nil {
			return nil, false
		}
		src := im.apiSrc[a.ID]
		if src == nil || src.stage == nil || s.Get("Stage").RefTo() != src.stage.id {
			return nil, false
		}
		out = append(out, a)
	}
	return out, true
}

// number reads a number written as one or as numeric text.
func number(v *cfn.Value) (float64, bool) {
	s, ok := v.ScalarString()
	if !ok || v.Kind == cfn.Bool {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// keepUsagePlans compares each plan, key and association with what the
// export writes for them.
func (im *importer) keepUsagePlans() {
	for _, p := range im.stack.UsagePlans {
		p.Kept = keep(nil, model.PartMain, im.res[im.srcID[p.ID]], im.part(p.ID, model.PartMain, p.Name))
		for _, k := range p.Keys {
			ids := im.planKeys[k]
			object := p.KeyObject(k)
			kept := keep(nil, model.PartMain, im.res[ids[0]], im.part(object, model.PartMain, k.Name))
			kept = keep(kept, model.PartUsagePlanKey, im.res[ids[1]], im.part(object, model.PartUsagePlanKey, p.UsagePlanKeyLogicalID(k)))
			sortKept(kept, model.PartMain, model.PartUsagePlanKey)
			k.Kept = kept
		}
	}
}
