package importer

import (
	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// keepEvents works out what each bus, rule, bucket and stream keeps.
func (im *importer) keepEvents() {
	for _, b := range im.stack.Buses {
		b.Kept = keep(nil, model.PartMain, im.res[im.srcID[b.ID]], im.part(b.ID, model.PartMain, b.Name))
	}
	for _, r := range im.stack.Rules {
		g := im.part(r.ID, model.PartMain, r.Name)
		if r.EventPattern != "" {
			// A pattern written as a JSON string means what the
			// export's object does.
			g.compareWith("EventPattern", func(src, gen *cfn.Value) bool {
				if s, ok := src.Str(); ok {
					parsed, err := cfn.ParseJSON([]byte(s))
					return err == nil && cfn.Equal(parsed, gen)
				}
				return cfn.Equal(src, gen)
			})
		}
		r.Kept = keep(nil, model.PartMain, im.res[im.srcID[r.ID]], g)
	}
	for _, b := range im.stack.Buckets {
		b.Kept = keep(nil, model.PartMain, im.res[im.srcID[b.ID]], im.part(b.ID, model.PartMain, b.Name))
	}
	for _, t := range im.stack.Streams {
		t.Kept = keep(nil, model.PartMain, im.res[im.srcID[t.ID]], im.part(t.ID, model.PartMain, t.Name))
	}
}

// omitEventOutputs records the outputs the export generates for the event
// kinds that the source did not have.
func (im *importer) omitEventOutputs(omit func(kept *[]model.Kept, names ...string)) {
	for _, b := range im.stack.Buses {
		omit(&b.Kept, b.NameOutputName())
	}
	for _, b := range im.stack.Buckets {
		omit(&b.Kept, b.NameOutputName())
	}
	for _, t := range im.stack.Streams {
		omit(&t.Kept, t.ArnOutputName())
	}
}

// eventSummary adds the event kinds' nodes to an import's summary.
func eventSummary(s *model.Stack, sum Summary) Summary {
	for _, b := range s.Buses {
		sum.Services = append(sum.Services, "bus "+b.Name)
		sum.Kept = appendKept(sum.Kept, "bus "+b.Name, b.Kept)
	}
	for _, r := range s.Rules {
		sum.Services = append(sum.Services, "rule "+r.Name)
		sum.Kept = appendKept(sum.Kept, "rule "+r.Name, r.Kept)
	}
	for _, b := range s.Buckets {
		sum.Services = append(sum.Services, "bucket "+b.Name)
		sum.Kept = appendKept(sum.Kept, "bucket "+b.Name, b.Kept)
	}
	for _, t := range s.Streams {
		sum.Services = append(sum.Services, "stream "+t.Name)
		sum.Kept = appendKept(sum.Kept, "stream "+t.Name, t.Kept)
	}
	return sum
}
