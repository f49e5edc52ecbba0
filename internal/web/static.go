// Package web holds the templ components and the static assets the server
// renders. It reads model values and never touches the store or the server.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
)

//go:embed static
var static embed.FS

// Static is the asset tree served under /static/{hash}/.
var Static = mustSub(static, "static")

// assetHash is a content hash of every asset, so asset URLs change whenever
// any asset does and browsers can cache them for good (miniflux
// ui/static/static.go).
var assetHash = hashTree(Static)

// AssetHash returns the current asset hash, the {hash} of /static/{hash}/.
func AssetHash() string { return assetHash }

// Asset returns the URL of a static file.
func Asset(name string) string { return path.Join("/static", assetHash, name) }

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

func hashTree(fsys fs.FS) string {
	h := sha256.New()
	// WalkDir visits in lexical order, so the hash is stable.
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(data)
		return nil
	})
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
