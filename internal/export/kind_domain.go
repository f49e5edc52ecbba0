package export

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigatewayv2"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// The custom domain kind becomes an API Gateway regional domain name, its
// certificate's ARN a Ref of the stack parameter that holds it, and the API
// mapping that serves the wired API's stage under it. Its output is the
// wss:// URL clients use once DNS points the name at the domain's regional
// name; that name is a GetAtt of the domain, which is left out of the
// outputs as moto cannot deploy a GetAtt of an ApiGatewayV2 resource.
func init() {
	registerKind(model.KindDomain, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) { return 2 * len(s.Domains), len(s.Domains) },
		build: func(b *builder) {
			for _, d := range b.s.Domains {
				b.domain(d)
			}
		},
	})
}

func domainID(d *model.Domain) string { return model.KeptLogicalID(d.Kept, model.PartMain, d.Name) }

func (b *builder) domain(d *model.Domain) {
	id := domainID(d)
	res := &apigatewayv2.DomainName{
		DomainName: d.DomainName,
		DomainNameConfigurations: []apigatewayv2.DomainName_DomainNameConfiguration{{
			EndpointType:   cloudformation.String("REGIONAL"),
			SecurityPolicy: cloudformation.String(d.SecurityPolicy),
		}},
	}
	b.add(id, res, d.ID, d.Kept, model.PartMain, at(b.ref(d.CertificateParameter), "DomainNameConfigurations", "0", "CertificateArn"))
	if a := b.index.DomainAPI(d); a != nil {
		m := &apigatewayv2.ApiMapping{}
		if d.MappingKey != "" {
			m.ApiMappingKey = cloudformation.String(d.MappingKey)
		}
		b.add(model.KeptLogicalID(d.Kept, model.PartAPIMapping, d.APIMappingLogicalID()), m, d.ID, d.Kept, model.PartAPIMapping,
			at(b.ref(apiID(a)), "ApiId"), at(b.ref(id), "DomainName"), at(b.ref(stageID(a)), "Stage"))
	}
	url := "wss://" + d.DomainName
	if d.MappingKey != "" {
		url += "/" + d.MappingKey
	}
	b.output(d.URLOutputName(), fmt.Sprintf("WebSocket URL of custom domain %s, once DNS points at it", d.Name), cfn.Str(url))
}
