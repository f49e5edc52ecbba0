package lambdaemu

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Lambda unpacks a function's layers in /opt and puts their conventional
// folders on the runtime's module path ahead of its own SDK. A local run
// has no /opt: the same folders of each layer's own folder go on NODE_PATH
// or PYTHONPATH instead, the last layer first since on Lambda it is
// unpacked last and wins.

// nodeLayerPaths are the folders of a layer Node.js finds modules in:
// nodejs/node<major>/node_modules, then nodejs/node_modules.
func nodeLayerPaths(runtime string) []string {
	major := strings.TrimSuffix(strings.TrimPrefix(runtime, "nodejs"), ".x")
	return []string{filepath.Join("nodejs", "node"+major, "node_modules"), filepath.Join("nodejs", "node_modules")}
}

// pythonLayerPaths are the folders of a layer Python imports from:
// python, then python/lib/python3.x/site-packages.
func pythonLayerPaths(runtime string) []string {
	return []string{"python", filepath.Join("python", "lib", runtime, "site-packages")}
}

// modulePath is the module path of a function: the layer folders that
// exist, the last layer's first, then base (the SDK's folder); "" for none.
func modulePath(cfg FunctionConfig, within []string, base string) string {
	var parts []string
	for _, dir := range slices.Backward(cfg.LayerDirs) {
		for _, sub := range within {
			p := filepath.Join(dir, sub)
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				parts = append(parts, p)
			}
		}
	}
	if base != "" {
		parts = append(parts, base)
	}
	return strings.Join(parts, string(os.PathListSeparator))
}
