package importer

import (
	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

const (
	typeDomain     = "AWS::ApiGatewayV2::DomainName"
	typeAPIMapping = "AWS::ApiGatewayV2::ApiMapping"
)

// Custom domains come after APIs, whose stages their mappings name.
func init() {
	registerKind(&recogniser{kind: model.KindDomain, mainType: typeDomain, order: 41, recognise: (*importer).importDomains})
}

// importDomains turns each AWS::ApiGatewayV2::DomainName with a literal
// name and one configuration whose certificate is a Ref of a template
// parameter into a custom domain, and its first ApiMapping to a WebSocket
// API's stage of the template into a mapping wire. Another domain (a
// certificate ARN written in, a name from a parameter) or mapping stays as
// written.
func (im *importer) importDomains() error {
	domains := map[string]*model.Domain{}
	for _, r := range im.ofType(typeDomain) {
		if err := im.stopped(); err != nil {
			return err
		}
		name, ok := r.props.Get("DomainName").Str()
		configs := r.props.Get("DomainNameConfigurations")
		if !ok || configs == nil || configs.Kind != cfn.List || len(configs.Items) != 1 {
			continue
		}
		cert := configs.Items[0].Get("CertificateArn").RefTo()
		if cert == "" || !im.stackHasParameter(cert) {
			continue
		}
		d := model.NewDomain(im.id("dom"), im.nodeName[r.id])
		d.DomainName, d.CertificateParameter = name, cert
		if policy, ok := configs.Items[0].Get("SecurityPolicy").Str(); ok {
			d.SecurityPolicy = policy
		}
		if invalid(&model.Stack{Domains: []*model.Domain{d}, Sections: im.stack.Sections, Parameters: im.stack.Parameters}, d.ID) {
			continue
		}
		domains[r.id] = d
		im.srcID[d.ID] = r.id
		im.claimed[r.id] = true
		im.stack.Domains = append(im.stack.Domains, d)
	}
	if len(domains) == 0 {
		return nil
	}
	if im.domainMappings == nil {
		im.domainMappings = map[string]*resource{}
	}
	for _, r := range im.ofType(typeAPIMapping) {
		d := domains[r.props.Get("DomainName").RefTo()]
		a := im.apis[r.props.Get("ApiId").RefTo()]
		if d == nil || a == nil || im.domainMappings[d.ID] != nil {
			continue
		}
		src := im.apiSrc[a.ID]
		if src == nil || src.stage == nil || r.props.Get("Stage").RefTo() != src.stage.id {
			continue
		}
		key, _ := r.props.Get("ApiMappingKey").Str()
		probe := *d
		probe.MappingKey = key
		if invalid(&model.Stack{Domains: []*model.Domain{&probe}, Sections: im.stack.Sections, Parameters: im.stack.Parameters}, d.ID) {
			continue
		}
		d.MappingKey = key
		im.domainMappings[d.ID] = r
		im.claimed[r.id] = true
		im.wire(model.WireAPIMapping, d.ID, a.ID)
	}
	return nil
}

// stackHasParameter says the template being imported declares the
// parameter.
func (im *importer) stackHasParameter(name string) bool {
	return im.stack.Parameter(name) != nil || im.parameters != nil && im.parameters.Kind == cfn.Map && im.parameters.Get(name) != nil
}

// invalid says the node has an error other than one of a draft.
func invalid(s *model.Stack, id string) bool {
	probe := *s
	probe.Name = "probe"
	for _, p := range probe.Check() {
		if p.Severity == model.SeverityError && !p.Incomplete && p.Resource == id {
			return true
		}
	}
	return false
}

// keepDomains compares each domain and its mapping with what the export
// writes for them.
func (im *importer) keepDomains() {
	for _, d := range im.stack.Domains {
		kept := keep(nil, model.PartMain, im.res[im.srcID[d.ID]], im.part(d.ID, model.PartMain, d.Name))
		if m := im.domainMappings[d.ID]; m != nil {
			kept = keep(kept, model.PartAPIMapping, m, im.part(d.ID, model.PartAPIMapping, d.APIMappingLogicalID()))
		}
		sortKept(kept, model.PartMain, model.PartAPIMapping)
		d.Kept = kept
	}
}
