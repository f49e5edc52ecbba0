package localrun

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/sqslocal"
)

// A function's environment often names the stack's queues, topics, state
// machines and event buses through intrinsic functions (QUEUE_URL: !Ref Jobs,
// TOPIC_ARN: !Ref News, MACHINE: !GetAtt Flow.Arn), which an imported
// template keeps beside the function. A local run gives those variables
// the local values, so handler code calling SendMessage, Publish or
// StartExecution with them reaches the run's services.

// resourceEnv sets the kept environment variables that reference a queue,
// topic, state machine or bus of the stack, unless the function sets them.
func (s *services) resourceEnv(fns []lambdaemu.FunctionConfig) {
	if s == nil {
		return
	}
	values := s.resourceValues()
	byName := map[string]*model.Function{}
	for _, f := range s.stack.Functions {
		byName[f.Name] = f
	}
	for i := range fns {
		f := byName[fns[i].Name]
		if f == nil {
			continue
		}
		for _, k := range f.Kept {
			if k.Part != model.PartMain {
				continue
			}
			for _, p := range k.Properties {
				keys := model.SplitPropertyPath(p.Key)
				if len(keys) != 3 || keys[0] != "Environment" || keys[1] != "Variables" {
					continue
				}
				if v, ok := values[refOf(p.Value)]; ok {
					setDefault(fns[i].Env, keys[2], v)
				}
			}
		}
	}
}

// resourceValues maps "Logical" (a Ref) and "Logical.Attribute" (a GetAtt)
// of each queue, topic, state machine and bus to its local value.
func (s *services) resourceValues() map[string]string {
	out := map[string]string{}
	for _, q := range s.stack.Queues {
		id, name := model.KeptLogicalID(q.Kept, model.PartMain, q.Name), s.queues[q.ID]
		url := ""
		if s.sqsEP != nil {
			url = s.sqsEP.QueueURL(name)
		}
		out[id], out[id+".QueueUrl"], out[id+".QueueName"], out[id+".Arn"] = url, url, name, sqslocal.QueueARN(s.region, name)
	}
	for _, t := range s.stack.Topics {
		id := model.KeptLogicalID(t.Kept, model.PartMain, t.Name)
		arn := s.topicARN(t)
		out[id], out[id+".TopicArn"], out[id+".TopicName"] = arn, arn, stackResourceName(s.stack, t.Name)
	}
	for _, m := range s.stack.StateMachines {
		id := model.KeptLogicalID(m.Kept, model.PartMain, m.Name)
		if lm := s.machines[m.ID]; lm != nil {
			out[id], out[id+".Arn"], out[id+".Name"] = lm.arn, lm.arn, stackResourceName(s.stack, m.Name)
		}
	}
	for _, b := range s.stack.Buckets {
		id, name := model.KeptLogicalID(b.Kept, model.PartMain, b.Name), bucketName(s.stack, b)
		out[id], out[id+".Arn"] = name, "arn:aws:s3:::"+name
	}
	for _, k := range s.stack.Streams {
		id, name := model.KeptLogicalID(k.Kept, model.PartMain, k.Name), stackResourceName(s.stack, k.Name)
		out[id], out[id+".Arn"] = name, "arn:aws:kinesis:"+s.region+":"+sqslocal.AccountID+":stream/"+name
	}
	if s.bridge != nil {
		for _, b := range s.stack.Buses {
			id := model.KeptLogicalID(b.Kept, model.PartMain, b.Name)
			if lb := s.bridge.byNode[b.ID]; lb != nil {
				out[id], out[id+".Name"], out[id+".Arn"] = lb.name, lb.name, lb.arn
			}
		}
	}
	return out
}

// refOf reads a kept value that is a Ref or a GetAtt: "Logical" or
// "Logical.Attribute"; "" for anything else.
func refOf(v json.RawMessage) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) != nil || len(obj) != 1 {
		return ""
	}
	var str string
	if r, ok := obj["Ref"]; ok {
		_ = json.Unmarshal(r, &str)
		return str
	}
	if g, ok := obj["Fn::GetAtt"]; ok {
		var parts []string
		if json.Unmarshal(g, &parts) == nil && len(parts) == 2 {
			return parts[0] + "." + parts[1]
		}
		_ = json.Unmarshal(g, &str)
		return str
	}
	return ""
}

// topicARN is a topic's ARN in the run.
func (s *services) topicARN(t *model.Topic) string {
	name := stackResourceName(s.stack, t.Name)
	if t.FIFO {
		name += ".fifo"
	}
	return "arn:aws:sns:" + s.region + ":" + sqslocal.AccountID + ":" + name
}

// bucketName is a bucket's name in the run: as the export names it (its
// stem and the account), else after the stack.
func bucketName(s *model.Stack, b *model.Bucket) string {
	if b.BucketName != "" {
		return b.BucketName + "-" + sqslocal.AccountID
	}
	return strings.ToLower(stackResourceName(s, b.Name))
}

// grantEnv gives each function the variables its wires to queues, topics,
// buses, state machines, buckets and streams name (model.Grant): the local
// queue's URL, topic's and state machine's ARN, bus's, bucket's and
// stream's name, as a deployed stack's Refs give them. The SDK reaches the
// run's SQS and EventBridge through AWS_ENDPOINT_URL_*; a call the run does
// not serve is named when it starts rather than failing in silence.
func grantEnv(st *starting, fns []lambdaemu.FunctionConfig) {
	s := st.s
	x := model.NewIndex(s)
	var values map[string]string
	if st.r.svc != nil {
		values = st.r.svc.resourceValues()
	} else {
		values = (&services{stack: s}).resourceValues()
	}
	byName := map[string]int{}
	for i := range fns {
		byName[fns[i].Name] = i
	}
	for _, f := range s.Functions {
		i, ok := byName[f.Name]
		if !ok {
			continue
		}
		for _, w := range x.WiresFrom(f.ID) {
			g, ok := x.Grant(w)
			if !ok || g.EnvName == "" || g.Table != nil || g.API != nil {
				continue
			}
			kind, node := g.Target()
			if v, ok := values[model.KeptLogicalID(keptOf(g), model.PartMain, node.Name)]; ok {
				setDefault(fns[i].Env, g.EnvName, v)
			}
			switch kind {
			case model.KindQueue, model.KindBus:
			default:
				spec, _ := model.SpecOf(kind)
				st.progress(fmt.Sprintf("warning: %s's calls to %s %s (%s) are not emulated in a local run; they go to AWS with the run's dummy credentials and fail", f.Name, spec.Noun, node.Name, strings.Join(g.Actions, ", ")))
			}
		}
	}
}

// keptOf is what an import kept of the node a grant is on, which may keep
// its logical ID.
func keptOf(g model.Grant) []model.Kept {
	switch {
	case g.Queue != nil:
		return g.Queue.Kept
	case g.Topic != nil:
		return g.Topic.Kept
	case g.Bus != nil:
		return g.Bus.Kept
	case g.StateMachine != nil:
		return g.StateMachine.Kept
	case g.Bucket != nil:
		return g.Bucket.Kept
	case g.KinesisStream != nil:
		return g.KinesisStream.Kept
	}
	return nil
}
