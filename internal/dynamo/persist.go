package dynamo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// tableFile is one table as kept in the data folder: the CreateTable
// request that made it, its time to live and its items, all in DynamoDB's
// own JSON, so loading replays them through the same protocol.
type tableFile struct {
	Version int               `json:"version"`
	Create  json.RawMessage   `json:"create"`
	TTL     string            `json:"ttl,omitempty"`
	Items   []json.RawMessage `json:"items"`
}

const fileVersion = 1

// fileSuffix names the data folder's table files; a table name
// ([A-Za-z0-9_.-]{3,255}) is a safe file name as it is.
const fileSuffix = ".table.json"

// load replays every table file of the data folder; a missing folder is an
// empty one.
func (s *Server) load() error {
	entries, err := os.ReadDir(s.dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dynamo: data folder: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), fileSuffix) {
			continue
		}
		path := filepath.Join(s.dataDir, e.Name())
		if err := s.loadTable(path); err != nil {
			return fmt.Errorf("dynamo: load %s: %w", path, err)
		}
	}
	return nil
}

func (s *Server) loadTable(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f tableFile
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	if f.Version != fileVersion {
		return fmt.Errorf("written by another version (%d)", f.Version)
	}
	var create struct{ TableName string }
	if err := json.Unmarshal(f.Create, &create); err != nil {
		return err
	}
	if status, out, _ := s.call("CreateTable", f.Create); status != http.StatusOK {
		return fmt.Errorf("create table: %s", out)
	}
	s.tables[create.TableName].ttl = f.TTL
	for _, item := range f.Items {
		body, _ := json.Marshal(map[string]any{"TableName": create.TableName, "Item": item})
		if status, out, _ := s.call("PutItem", body); status != http.StatusOK {
			return fmt.Errorf("put item: %s", out)
		}
	}
	return nil
}

// save writes every table to the data folder (0700; files 0600, as items
// may hold anything a handler stored), each through a temporary file so a
// crash leaves the previous copy whole.
func (s *Server) save() error {
	s.saving.Lock()
	defer s.saving.Unlock()
	if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
		return fmt.Errorf("dynamo: data folder: %w", err)
	}
	s.mu.Lock()
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	s.mu.Unlock()
	var errs []error
	for _, name := range names {
		if err := s.saveTable(name); err != nil {
			errs = append(errs, fmt.Errorf("dynamo: save table %s: %w", name, err))
		}
	}
	// A table deleted during the run goes from the folder too: every file
	// there was loaded at the start, so one not kept now was deleted.
	entries, err := os.ReadDir(s.dataDir)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("dynamo: data folder: %w", err))...)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), fileSuffix)
		if ok && !e.IsDir() && !slices.Contains(names, name) {
			if err := os.Remove(filepath.Join(s.dataDir, e.Name())); err != nil {
				errs = append(errs, fmt.Errorf("dynamo: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

func (s *Server) saveTable(name string) error {
	s.mu.Lock()
	t := s.tables[name]
	s.mu.Unlock()
	if t == nil {
		return nil
	}
	f := tableFile{Version: fileVersion, Create: t.create, TTL: t.ttl, Items: []json.RawMessage{}}
	var start json.RawMessage
	for {
		req := map[string]any{"TableName": name}
		if start != nil {
			req["ExclusiveStartKey"] = start
		}
		body, _ := json.Marshal(req)
		status, out, _ := s.call("Scan", body)
		if status != http.StatusOK {
			return fmt.Errorf("scan: %s", out)
		}
		var page struct {
			Items            []json.RawMessage
			LastEvaluatedKey json.RawMessage
		}
		if err := json.Unmarshal(out, &page); err != nil {
			return err
		}
		f.Items = append(f.Items, page.Items...)
		if len(page.LastEvaluatedKey) == 0 || string(page.LastEvaluatedKey) == "null" || string(page.LastEvaluatedKey) == "{}" {
			break
		}
		start = page.LastEvaluatedKey
	}
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dataDir, name+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(s.dataDir, name+fileSuffix))
}
