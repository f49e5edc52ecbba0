package localrun

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Layers are folders under the run's code folder, found before the
// functions' code: each function's layers go on its module path (NODE_PATH,
// PYTHONPATH) as Lambda puts /opt's folders there (lambdaemu.FunctionConfig
// .LayerDirs). A layer's folder is the stack's, which may come from an
// untrusted file, so once symbolic links are followed it must lie inside
// the code folder, as a function's must.
func init() {
	registerKind(&kindServer{kind: model.KindLayer, order: 25, prepare: prepareLayers, serve: func(st *starting) error {
		for _, l := range st.s.Layers {
			if users := layerUsers(st, l); len(users) > 0 && st.r.layerFolder[l.ID] != "" {
				st.progress(fmt.Sprintf("layer %s (%s) is on the module path of %s", l.Name, st.r.layerFolder[l.ID], strings.Join(users, ", ")))
			}
		}
		return nil
	}})
}

// prepareLayers finds each layer's folder, refusing one that leaves the code
// folder and warning of one that does not exist, and gives each function
// the folders of its layers.
func prepareLayers(st *starting) error {
	r, s, root := st.r, st.s, st.cfg.CodeDir
	r.layerFolder, r.layerDirs = map[string]string{}, map[string][]string{}
	if len(s.Layers) == 0 {
		return nil
	}
	var problems []string
	realRoot := ""
	if root != "" {
		var err error
		if realRoot, err = filepath.EvalSymlinks(root); err != nil {
			// The functions' code says so, with the same words.
			return nil
		}
	}
	for _, l := range s.Layers {
		users := layerUsers(st, l)
		if len(users) == 0 {
			continue
		}
		if root == "" {
			st.progress(fmt.Sprintf("warning: layer %s is not in this run, which has no code folder; %s run without it", l.Name, strings.Join(users, ", ")))
			continue
		}
		dir := filepath.Join(root, filepath.FromSlash(l.ContentPath))
		real, err := filepath.EvalSymlinks(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			st.progress(fmt.Sprintf("warning: layer %s: its folder %s does not exist; %s run without it", l.Name, dir, strings.Join(users, ", ")))
			continue
		case err != nil:
			return fmt.Errorf("localrun: folder of layer %s: %w", l.Name, err)
		case !inside(realRoot, real):
			problems = append(problems, fmt.Sprintf("layer %s: its folder %s resolves to %s, outside the code folder %s", l.Name, dir, real, root))
			continue
		}
		if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
			problems = append(problems, fmt.Sprintf("layer %s: its content %s is not a folder", l.Name, dir))
			continue
		}
		r.layerFolder[l.ID] = real
	}
	if err := refuse(s, problems); err != nil {
		return err
	}
	x := model.NewIndex(s)
	for _, f := range s.Functions {
		for _, l := range x.FunctionLayers(f.ID) {
			if dir := r.layerFolder[l.ID]; dir != "" {
				r.layerDirs[f.Name] = append(r.layerDirs[f.Name], dir)
			}
		}
	}
	return nil
}

// layerUsers names the functions wired to the layer.
func layerUsers(st *starting, l *model.Layer) []string {
	var out []string
	for _, w := range st.s.Wires {
		if w.Kind == model.WireLayer && w.To == l.ID {
			if f := st.s.Function(w.From); f != nil {
				out = append(out, f.Name)
			}
		}
	}
	return out
}
