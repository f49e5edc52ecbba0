//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// fieldSet records which fields of which struct types are set somewhere.
type fieldSet map[string]bool

func fieldName(t reflect.Type, i int) string { return t.String() + "." + t.Field(i).Name }

// walk calls visit for every exported field of every struct reachable from
// v, skipping skip; the fields of nested structs other than time.Time are
// walked rather than visited.
func walk(v reflect.Value, skip fieldSet, visit func(name string, f reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), skip, visit)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walk(v.Index(i), skip, visit)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			name := fieldName(v.Type(), i)
			if !v.Type().Field(i).IsExported() || skip[name] {
				continue
			}
			f := v.Field(i)
			if f.Kind() == reflect.Struct && f.Type() != reflect.TypeFor[time.Time]() {
				walk(f, skip, visit)
				continue
			}
			visit(name, f)
			walk(f, skip, visit)
		}
	}
}

// fillUnset gives every field that is zero in every object of its type a
// non-zero value in the first, so that a field added to the model is set
// here without this test naming it. It fails the test if some field stays
// unset.
func fillUnset(t *testing.T, v reflect.Value, skip fieldSet) {
	t.Helper()
	set := fieldSet{}
	walk(v, skip, func(name string, f reflect.Value) { set[name] = set[name] || !f.IsZero() })
	n := 0
	walk(v, skip, func(name string, f reflect.Value) {
		if !set[name] {
			fillValue(f, &n)
			set[name] = true
		}
	})
	walk(v, skip, func(name string, f reflect.Value) {
		if !set[name] {
			t.Fatalf("%s is zero and cannot be filled", name)
		}
	})
}

// fillValue sets f to a non-zero value of its type, each one different.
func fillValue(f reflect.Value, n *int) {
	*n++
	switch {
	case f.Type() == reflect.TypeFor[json.RawMessage]():
		f.Set(reflect.ValueOf(json.RawMessage(fmt.Sprintf(`{"Fill":%d}`, *n))))
		return
	case f.Type() == reflect.TypeFor[time.Time]():
		f.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, *n, time.UTC)))
		return
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(fmt.Sprintf("Fill%d", *n))
	case reflect.Bool:
		f.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.SetUint(uint64(*n))
	case reflect.Float32, reflect.Float64:
		f.SetFloat(float64(*n) + 0.5)
	case reflect.Pointer:
		f.Set(reflect.New(f.Type().Elem()))
		fillStruct(f.Elem(), n)
	case reflect.Slice:
		f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		fillStruct(f.Index(0), n)
	case reflect.Map:
		k, e := reflect.New(f.Type().Key()).Elem(), reflect.New(f.Type().Elem()).Elem()
		fillStruct(k, n)
		fillStruct(e, n)
		f.Set(reflect.MakeMap(f.Type()))
		f.SetMapIndex(k, e)
	case reflect.Struct:
		fillStruct(f, n)
	}
}

// fillStruct fills v, or every field of it if it is a struct.
func fillStruct(v reflect.Value, n *int) {
	if v.Kind() != reflect.Struct || v.Type() == reflect.TypeFor[time.Time]() {
		fillValue(v, n)
		return
	}
	for i := range v.NumField() {
		if v.Type().Field(i).IsExported() {
			fillValue(v.Field(i), n)
		}
	}
}

// differences lists the paths at which got and want differ.
func differences(path string, got, want reflect.Value) []string {
	if got.Kind() != want.Kind() {
		return []string{path}
	}
	switch got.Kind() {
	case reflect.Pointer:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				return []string{path}
			}
			return nil
		}
		return differences(path, got.Elem(), want.Elem())
	case reflect.Struct:
		if got.Type() == reflect.TypeFor[time.Time]() {
			break
		}
		var out []string
		for i := range got.NumField() {
			if got.Type().Field(i).IsExported() {
				out = append(out, differences(path+"."+got.Type().Field(i).Name, got.Field(i), want.Field(i))...)
			}
		}
		return out
	case reflect.Slice:
		if got.Len() != want.Len() || got.Type() == reflect.TypeFor[json.RawMessage]() {
			break
		}
		var out []string
		for i := range got.Len() {
			out = append(out, differences(fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i))...)
		}
		return out
	}
	if !reflect.DeepEqual(got.Interface(), want.Interface()) {
		return []string{fmt.Sprintf("%s: got %#v, want %#v", path, got.Interface(), want.Interface())}
	}
	return nil
}

// TestEveryFieldRoundTrips saves a stack and a Git link in which every field
// of every type is set and reads them back from the tables with a new Store:
// a field the store's codecs do not map comes back zero and fails here.
func TestEveryFieldRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	s := MustOpenPath(t, path)

	want := store.EveryFieldStack()
	// The store's own fields, which it sets.
	fillUnset(t, reflect.ValueOf(want), fieldSet{"model.Stack.ID": true, "model.Stack.Revision": true, "model.Stack.UpdatedAt": true})
	created := MustCreate(t, s, want)
	// Saved again with a change, so the diff's updates are read back too.
	want.Functions[0].Description = "handles every message"
	want.Revision = created.Revision
	want.ID = created.ID
	saved, err := s.SaveStack(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := MustOpenPath(t, path).Stack(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	want.Revision, want.UpdatedAt = saved.Revision, saved.UpdatedAt
	for _, d := range differences("Stack", reflect.ValueOf(got), reflect.ValueOf(want)) {
		t.Errorf("read back from the tables, %s", d)
	}

	link := &store.GitLink{StackID: created.ID, GitLink: model.GitLink{Repo: "/srv/git/chat", Branch: "main", Folder: "stacks/chat"}, TokenRef: "0a1b2c3d"}
	// UpdatedAt is the time of the save, whatever the link says.
	fillUnset(t, reflect.ValueOf(link), fieldSet{"store.GitLink.UpdatedAt": true})
	if err := s.SaveGitLink(ctx, link); err != nil {
		t.Fatal(err)
	}
	gotLink, err := MustOpenPath(t, path).GitLink(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotLink.UpdatedAt.IsZero() {
		t.Errorf("GitLink.UpdatedAt was not stamped")
	}
	gotLink.UpdatedAt = link.UpdatedAt
	for _, d := range differences("GitLink", reflect.ValueOf(gotLink), reflect.ValueOf(link)) {
		t.Errorf("read back from git_links, %s", d)
	}
}
