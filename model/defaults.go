package model

// Defaults for new resources and for fields a stack document leaves out.
const (
	DefaultRouteSelectionExpression = "$request.body.action"
	DefaultStageName                = "dev"
	DefaultRuntime                  = "nodejs24.x"
	DefaultHandler                  = "index.handler"
	DefaultMemorySize               = 128
	DefaultTimeout                  = 10
	DefaultLogRetentionDays         = 30
)

// Limits AWS puts on a function.
const (
	MinMemorySize = 128
	MaxMemorySize = 10240
	MinTimeout    = 1
	MaxTimeout    = 900
)

// Runtimes lists the Lambda runtimes AWS still lets a new function use and has
// not deprecated (as of November 2026): deprecated ones such as nodejs20.x or
// python3.11 are refused, as cfn-lint warns about them.
var Runtimes = []string{
	"nodejs24.x", "nodejs22.x",
	"python3.14", "python3.13", "python3.12",
	"java25", "java21",
	"ruby3.4", "ruby3.3",
	"provided.al2023",
}

// LogRetentionDays lists the retention periods CloudWatch Logs accepts.
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// NewAPI returns an API with the defaults and no routes.
func NewAPI(id, name string) *API {
	return &API{
		Node:                     Node{ID: id, Name: name},
		RouteSelectionExpression: DefaultRouteSelectionExpression,
		StageName:                DefaultStageName,
	}
}

// NewFunction returns a function with the defaults.
func NewFunction(id, name string) *Function {
	return &Function{
		Node:              Node{ID: id, Name: name},
		Runtime:           DefaultRuntime,
		Handler:           DefaultHandler,
		CodePath:          DefaultCodePath(name),
		MemorySize:        DefaultMemorySize,
		Timeout:           DefaultTimeout,
		LogRetentionDays:  DefaultLogRetentionDays,
		LogDeletionPolicy: DeletionRetain,
	}
}

// NewTable returns an on-demand table keyed by a string "id".
func NewTable(id, name string) *Table {
	return &Table{
		Node:           Node{ID: id, Name: name},
		PartitionKey:   Key{Name: "id", Type: AttributeString},
		BillingMode:    BillingOnDemand,
		DeletionPolicy: DeletionRetain,
	}
}

// ApplyDefaults fills the fields a stack document may leave out, so a
// hand-written or older file means what a user expects. It never overrides a
// value that is set.
func (s *Stack) ApplyDefaults() {
	for _, a := range s.APIs {
		if a.RouteSelectionExpression == "" {
			a.RouteSelectionExpression = DefaultRouteSelectionExpression
		}
		if a.StageName == "" {
			a.StageName = DefaultStageName
		}
	}
	for _, f := range s.Functions {
		if f.Runtime == "" {
			f.Runtime = DefaultRuntime
		}
		if f.Handler == "" {
			f.Handler = DefaultHandler
		}
		if f.CodePath == "" && f.Name != "" {
			f.CodePath = DefaultCodePath(f.Name)
		}
		if f.MemorySize == 0 {
			f.MemorySize = DefaultMemorySize
		}
		if f.Timeout == 0 {
			f.Timeout = DefaultTimeout
		}
		if f.LogRetentionDays == 0 {
			f.LogRetentionDays = DefaultLogRetentionDays
		}
		if f.LogDeletionPolicy == "" {
			f.LogDeletionPolicy = DeletionRetain
		}
	}
	for _, t := range s.Tables {
		if t.BillingMode == "" {
			t.BillingMode = BillingOnDemand
		}
		if t.DeletionPolicy == "" {
			t.DeletionPolicy = DeletionRetain
		}
	}
}

// newNodes are the ID prefix and the starting name of a new node of each
// kind; NewName numbers the name when it is taken.
var newNodes = map[Kind]struct{ prefix, name string }{
	KindAPI:      {"api", "WebSocketApi"},
	KindFunction: {"fn", "Function"},
	KindTable:    {"tbl", "Table"},
}

// AddNode adds a node of kind at pos with the defaults, a new ID and a name
// no node has, and returns its ID. A kind that cannot be drawn is EINVALID.
func (s *Stack) AddNode(kind Kind, pos Position) (string, error) {
	n, ok := newNodes[kind]
	if !ok {
		return "", Errorf(EINVALID, "Unknown kind of resource %q; choose api, function or table.", kind)
	}
	id, name := s.NewID(n.prefix), s.NewName(n.name)
	switch kind {
	case KindAPI:
		a := NewAPI(id, name)
		a.Position = pos
		s.APIs = append(s.APIs, a)
	case KindFunction:
		f := NewFunction(id, name)
		f.Position = pos
		s.Functions = append(s.Functions, f)
	case KindTable:
		t := NewTable(id, name)
		t.Position = pos
		s.Tables = append(s.Tables, t)
	}
	return id, nil
}
