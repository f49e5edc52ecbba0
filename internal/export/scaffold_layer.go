package export

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// layerScaffold is a layer's starter content: one module laid out as
// Lambda expects in /opt, so that a function with the layer imports it by
// the layer's kebab name (require('shared-libs'), or import shared_libs).
func layerScaffold(l *model.Layer) (name string, content []byte) {
	module := model.KebabName(l.Name)
	python := len(l.CompatibleRuntimes) > 0
	for _, r := range l.CompatibleRuntimes {
		python = python && strings.HasPrefix(r, "python")
	}
	if python {
		module = strings.ReplaceAll(module, "-", "_")
		return "python/" + module + "/__init__.py", []byte(`"""Layer ` + l.Name + `: Lambda puts this folder at /opt and /opt/python on the
module path, so a function with the layer can import ` + module + `."""


def greeting(name):
    return f"Hello, {name}, from layer ` + l.Name + `"
`)
	}
	return "nodejs/node_modules/" + module + "/index.js", []byte(`// Layer ` + l.Name + `: Lambda puts this folder at /opt and Node.js finds
// /opt/nodejs/node_modules, so a function with the layer can
// require('` + module + `').
exports.greeting = (name) => ` + "`Hello, ${name}, from layer " + l.Name + "`" + `;
`)
}

// layerScaffoldFiles lists the starter content of each layer whose folder
// is a safe relative path not already taken (a function's).
func layerScaffoldFiles(s *model.Stack, folders map[string]bool) []scaffoldFile {
	if s == nil || s.CheckShape() != nil {
		return nil
	}
	var files []scaffoldFile
	for _, l := range s.Layers {
		if !filepath.IsLocal(l.ContentPath) || path.Clean(l.ContentPath) != l.ContentPath || folders[l.ContentPath] {
			continue
		}
		folders[l.ContentPath] = true
		name, content := layerScaffold(l)
		files = append(files, scaffoldFile{folder: l.ContentPath, path: path.Join(l.ContentPath, name), content: content})
	}
	return files
}
