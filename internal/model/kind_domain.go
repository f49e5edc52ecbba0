package model

import (
	"encoding/json"
	"regexp"
	"slices"
)

// The custom domain kind: an API Gateway domain name (regional, its ACM
// certificate's ARN a stack parameter) and the API mapping that serves the
// stage of the API it is wired to under it.
func init() {
	keptParts["domain"] = []string{PartMain, PartAPIMapping}
	registerKind(&KindSpec{
		Kind: KindDomain, Order: 90,
		Noun: "custom domain", Article: "a custom domain",
		IDPrefix: "dom", BaseName: "Domain",
		add: func(s *Stack, id, name string) *Node {
			d := NewDomain(id, name)
			// The certificate is the deployment's to give, as a
			// parameter (an environment's value, or --parameter-overrides).
			if s.Parameter(d.CertificateParameter) == nil {
				s.Parameters = append(s.Parameters, &Parameter{Name: d.CertificateParameter, Description: "ARN of the ACM certificate for custom domain " + name})
			}
			s.Domains = append(s.Domains, d)
			return &d.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, d := range s.Domains {
				fn(d.ID, &d.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, d := range s.Domains {
				fn(&d.Node)
			}
		},
		count: func(s *Stack) int { return len(s.Domains) },
		applyDefaults: func(s *Stack) {
			for _, d := range s.Domains {
				if d.SecurityPolicy == "" {
					d.SecurityPolicy = DefaultSecurityPolicy
				}
			}
		},
		check: func(v *validator) {
			for _, d := range v.stack.Domains {
				v.checkDomain(d)
			}
		},
		clone: func(dst, src *Stack) {
			dst.Domains = cloneEach(src.Domains, func(d *Domain) *Domain { c := *d; c.Kept = cloneKept(d.Kept); return &c })
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.Domains)
			s.Domains = slices.DeleteFunc(s.Domains, func(d *Domain) bool { return d.ID == id })
			return len(s.Domains) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, d := range src.Domains {
				d.ID = ids.renew(d.ID, "dom")
				d.Kept = forgetLogicalIDs(d.Kept)
				if dst.Parameter(d.CertificateParameter) == nil {
					dst.Parameters = append(dst.Parameters, &Parameter{Name: d.CertificateParameter, Description: "ARN of the ACM certificate for custom domain " + d.Name})
				}
				dst.Domains = append(dst.Domains, d)
			}
		},
	})
}

// PartAPIMapping is a custom domain's API mapping.
const PartAPIMapping = "ApiMapping"

// DefaultSecurityPolicy is the TLS version a new domain accepts at least.
const DefaultSecurityPolicy = "TLS_1_2"

// SecurityPolicies are the policies a regional WebSocket domain may use.
var SecurityPolicies = []string{"TLS_1_2"}

// Domain is an API Gateway custom domain name for WebSocket APIs.
type Domain struct {
	Node
	// DomainName is the name clients connect to, such as ws.example.com;
	// its DNS record points at the domain's regional name.
	DomainName string `json:"domainName"`
	// CertificateParameter names the stack parameter holding the ARN of
	// the domain's ACM certificate, in the stack's region.
	CertificateParameter string `json:"certificateParameter"`
	SecurityPolicy       string `json:"securityPolicy"`
	// MappingKey is the path the API is served under (wss://domain/key);
	// empty serves it at the root.
	MappingKey string `json:"mappingKey,omitempty"`
	// Kept is what an imported template said about the domain and its API
	// mapping that Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// NewDomain returns a domain whose name is still to be given, its
// certificate the parameter <Name>CertificateArn.
func NewDomain(id, name string) *Domain {
	return &Domain{Node: Node{ID: id, Name: name}, CertificateParameter: name + "CertificateArn", SecurityPolicy: DefaultSecurityPolicy}
}

// Domain returns the custom domain with the ID, or nil.
func (s *Stack) Domain(id string) *Domain {
	for _, d := range s.Domains {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// APIMappingLogicalID names the domain's API mapping.
func (d *Domain) APIMappingLogicalID() string { return d.Name + "ApiMapping" }

// URLOutputName names the output of the domain's wss:// URL.
func (d *Domain) URLOutputName() string { return d.Name + "Url" }

var (
	domainNamePattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	mappingKeyPattern = regexp.MustCompile(`^[A-Za-z0-9$_.+!*'(),-]+(/[A-Za-z0-9$_.+!*'(),-]+)*$`)
)

func (v *validator) checkDomain(d *Domain) {
	l := nodeLabel{KindDomain, &d.Node}
	v.checkKept(d.ID, l, "domain", d.Kept)
	switch {
	case d.DomainName == "":
		v.incomplete(d.ID, "domainName", "%s needs a domain name, such as ws.example.com", l)
	case len(d.DomainName) > 253 || !domainNamePattern.MatchString(d.DomainName):
		v.add(d.ID, "domainName", "%s: %q is not a domain name; write it in lower case, like ws.example.com", l, d.DomainName)
	}
	switch {
	case d.CertificateParameter == "":
		v.add(d.ID, "certificateParameter", "%s needs the parameter that holds its certificate's ARN", l)
	case !HasParameter(v.stack, d.CertificateParameter):
		v.incomplete(d.ID, "certificateParameter", "%s: its certificate's ARN is in parameter %q, which the stack does not have; add it", l, d.CertificateParameter)
	}
	if !slices.Contains(SecurityPolicies, d.SecurityPolicy) {
		v.add(d.ID, "securityPolicy", "%s: security policy must be TLS_1_2 for a regional WebSocket domain", l)
	}
	if d.MappingKey != "" && (len(d.MappingKey) > 1024 || !mappingKeyPattern.MatchString(d.MappingKey)) {
		v.add(d.ID, "mappingKey", "%s: mapping key %q must be path segments of letters, digits and $_.+!*'(),- without a leading or trailing /", l, d.MappingKey)
	}
	mappings := v.index.WiresFromOfKind(d.ID, WireAPIMapping)
	if len(mappings) > 1 {
		v.add(d.ID, "", "%s maps more than one API; give each API its own domain", l)
	}
	if len(mappings) == 0 {
		v.warn(d.ID, "", "%s serves no API: wire it to the API it serves", l)
	}
}

// DomainAPI returns the API the domain is mapped to, or nil.
func (x *Index) DomainAPI(d *Domain) *API {
	for _, w := range x.WiresFromOfKind(d.ID, WireAPIMapping) {
		if a := x.API(w.To); a != nil {
			return a
		}
	}
	return nil
}

// claimDomainNames claims the logical IDs and outputs of the domains and
// reports how many resources and outputs they write.
func (v *validator) claimDomainNames(claim func(resource bool, id, name string, owner nodeLabel)) int {
	count := 0
	for _, d := range v.stack.Domains {
		l := nodeLabel{KindDomain, &d.Node}
		claim(true, d.ID, KeptLogicalID(d.Kept, PartMain, d.Name), l)
		claim(true, d.ID, KeptLogicalID(d.Kept, PartAPIMapping, d.APIMappingLogicalID()), l)
		claim(false, d.ID, d.URLOutputName(), l)
		count += 3
	}
	return count
}

// HasParameter says the stack declares the parameter: one of its own, or
// one of an imported template's Parameters section, kept as written.
func HasParameter(s *Stack, name string) bool {
	if s.Parameter(name) != nil {
		return true
	}
	for _, f := range s.Sections {
		if f.Key != "Parameters" {
			continue
		}
		var params map[string]json.RawMessage
		if json.Unmarshal(f.Value, &params) == nil && params[name] != nil {
			return true
		}
	}
	return false
}
