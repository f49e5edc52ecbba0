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

// ApplyDefaults fills the fields a stack document may leave out, so a
// hand-written or older file means what a user expects. It never overrides a
// value that is set.
func (s *Stack) ApplyDefaults() {
	for _, k := range kinds {
		k.applyDefaults(s)
	}
}

// AddNode adds a node of kind at pos with the defaults, a new ID and a name
// no node has, and returns its ID. A kind that cannot be drawn is EINVALID.
func (s *Stack) AddNode(kind Kind, pos Position) (string, error) {
	k, ok := SpecOf(kind)
	if !ok {
		return "", Errorf(EINVALID, "Unknown kind of resource %q; choose api, function or table.", kind)
	}
	n := k.add(s, s.NewID(k.IDPrefix), s.NewName(k.BaseName))
	n.Position = pos
	return n.ID, nil
}
