package importer

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Topics come after functions, which their subscriptions name, and before
// APIs, whose routes may publish to them.
func init() {
	registerKind(&recogniser{kind: model.KindTopic, mainType: typeTopic, order: 25, recognise: (*importer).importTopics})
}

// importTopics turns each AWS::SNS::Topic into a topic, and each lambda
// subscription of one to a function, with its invoke permission, written
// as the export writes them, into a subscribe wire.
func (im *importer) importTopics() error {
	topics := map[string]*model.Topic{}
	for _, r := range im.ofType(typeTopic) {
		if err := im.stopped(); err != nil {
			return err
		}
		t := model.NewTopic(im.id("tpc"), im.nodeName[r.id])
		t.DisplayName, _ = r.props.Get("DisplayName").Str()
		t.FIFO, _ = r.props.Get("FifoTopic").Bool()
		resetInvalid(&model.Stack{Topics: []*model.Topic{t}}, t.ID, func(field string) {
			if field == "displayName" {
				t.DisplayName = ""
			}
		})
		topics[r.id] = t
		im.srcID[t.ID] = r.id
		im.claimed[r.id] = true
		im.stack.Topics = append(im.stack.Topics, t)
	}
	perms := map[string]*resource{} // by the logical ID the export gives it
	for _, r := range im.ofType(typePermission) {
		if principal, _ := r.props.Get("Principal").Str(); principal == "sns.amazonaws.com" {
			perms[r.id] = r
		}
	}
	for _, r := range im.ofType(typeSubscription) {
		src := r.props.Get("TopicArn").RefTo()
		t := topics[src]
		fn := functionRef(r.props.Get("Endpoint"))
		f := im.funcs[fn]
		protocol, _ := r.props.Get("Protocol").Str()
		if t == nil || f == nil || protocol != "lambda" || len(r.props.Keys) != 3 || len(r.attrs()) > 0 ||
			r.id != model.EventSourceLogicalID(src, fn) {
			continue
		}
		// The permission must be the export's too, or both stay as they
		// are: a subscription without it cannot invoke.
		p := perms[model.EventSourcePermissionLogicalID(src, fn)]
		if p == nil || functionRef(p.props.Get("FunctionName")) != fn || p.props.Get("SourceArn").RefTo() != src || len(p.props.Keys) != 4 || len(p.attrs()) > 0 {
			continue
		}
		im.wire(model.WireSubscribe, t.ID, f.ID)
		im.claimed[r.id] = true
		im.claimed[p.id] = true
	}
	return nil
}
