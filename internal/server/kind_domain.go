package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A custom domain's form: its name, the parameter holding its
// certificate's ARN and the path the API is served under.
func init() {
	registerKindForm(model.KindDomain, &kindForm{
		fields: set("name", "domainName", "certificateParameter", "mappingKey", "securityPolicy"),
		read:   readDomainFields,
	})
}

// domainFields is a custom domain's part of the properties form.
type domainFields struct {
	DomainName, CertificateParameter, MappingKey *string
}

func readDomainFields(v formValues, _ map[string]string) kindFields {
	return &domainFields{DomainName: v.str("domainName"), CertificateParameter: v.str("certificateParameter"), MappingKey: v.str("mappingKey")}
}

func (p *domainFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	d := st.Domain(id)
	sent(&d.Name, common.Name)
	sent(&d.DomainName, p.DomainName)
	sent(&d.MappingKey, p.MappingKey)
	if p.CertificateParameter != nil && *p.CertificateParameter != d.CertificateParameter {
		d.CertificateParameter = *p.CertificateParameter
		// A parameter named here that the stack lacks is added, to be
		// given at deployment.
		if name := d.CertificateParameter; model.ValidLogicalID(name) && !model.HasParameter(st, name) {
			st.Parameters = append(st.Parameters, &model.Parameter{Name: name, Description: "ARN of the ACM certificate for custom domain " + d.Name})
		}
	}
}
