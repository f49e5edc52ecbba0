package dynamo

import (
	"encoding/json"
	"net/http"
	"time"
)

// Change is one item changed by a write: its keys and the item before and
// after (nil when it did not exist), in DynamoDB's attribute-value JSON, as
// a table stream of view type NEW_AND_OLD_IMAGES carries them.
type Change struct {
	Table    string
	Keys     map[string]json.RawMessage
	Old, New map[string]json.RawMessage
	Time     time.Time
}

// itemWrite is one item a request writes: its table and key, or the item
// a put writes (the key is read from it with the table's key schema).
type itemWrite struct {
	table string
	key   map[string]json.RawMessage
	item  map[string]json.RawMessage
}

// writesOf lists the items a write request touches; nil for another
// operation.
func writesOf(op string, body []byte) []itemWrite {
	type put struct {
		TableName string
		Item      map[string]json.RawMessage
		Key       map[string]json.RawMessage
	}
	var out []itemWrite
	switch op {
	case "PutItem", "UpdateItem", "DeleteItem":
		var p put
		if json.Unmarshal(body, &p) == nil {
			out = append(out, itemWrite{table: p.TableName, key: p.Key, item: p.Item})
		}
	case "BatchWriteItem":
		var req struct {
			RequestItems map[string][]struct {
				PutRequest    *struct{ Item map[string]json.RawMessage }
				DeleteRequest *struct{ Key map[string]json.RawMessage }
			}
		}
		if json.Unmarshal(body, &req) != nil {
			return nil
		}
		for table, reqs := range req.RequestItems {
			for _, r := range reqs {
				switch {
				case r.PutRequest != nil:
					out = append(out, itemWrite{table: table, item: r.PutRequest.Item})
				case r.DeleteRequest != nil:
					out = append(out, itemWrite{table: table, key: r.DeleteRequest.Key})
				}
			}
		}
	case "TransactWriteItems":
		var req struct {
			TransactItems []struct{ Put, Update, Delete *put }
		}
		if json.Unmarshal(body, &req) != nil {
			return nil
		}
		for _, t := range req.TransactItems {
			for _, p := range []*put{t.Put, t.Update, t.Delete} {
				if p != nil {
					out = append(out, itemWrite{table: p.TableName, key: p.Key, item: p.Item})
				}
			}
		}
	}
	return out
}

// keyOf is the item's key under the table's key schema; the caller holds
// s.mu.
func (s *Server) keyOf(w itemWrite) map[string]json.RawMessage {
	if w.key != nil {
		return w.key
	}
	t := s.tables[w.table]
	if t == nil {
		return nil
	}
	var create struct {
		KeySchema []struct{ AttributeName string }
	}
	if json.Unmarshal(t.create, &create) != nil {
		return nil
	}
	key := map[string]json.RawMessage{}
	for _, k := range create.KeySchema {
		if v, ok := w.item[k.AttributeName]; ok {
			key[k.AttributeName] = v
		}
	}
	return key
}

// image reads an item as it is now; the caller holds s.mu.
func (s *Server) image(table string, key map[string]json.RawMessage) map[string]json.RawMessage {
	body, _ := json.Marshal(map[string]any{"TableName": table, "Key": key, "ConsistentRead": true})
	code, out := s.engineCall("GetItem", body)
	if code != http.StatusOK {
		return nil
	}
	var res struct{ Item map[string]json.RawMessage }
	if json.Unmarshal(out, &res) != nil {
		return nil
	}
	return res.Item
}

// before reads the images of what a write will touch, when someone wants
// the changes; the caller holds s.mu.
func (s *Server) before(op string, body []byte) []Change {
	if s.onChange == nil {
		return nil
	}
	writes := writesOf(op, body)
	out := make([]Change, 0, len(writes))
	for _, w := range writes {
		key := s.keyOf(w)
		if len(key) == 0 {
			continue
		}
		out = append(out, Change{Table: w.table, Keys: key, Old: s.image(w.table, key)})
	}
	return out
}

// after completes the changes with the new images and tells of those that
// changed an item; the caller holds s.mu, and onChange must not call back.
func (s *Server) after(changes []Change) {
	now := time.Now()
	for _, c := range changes {
		c.New = s.image(c.Table, c.Keys)
		c.Time = now
		if c.Old == nil && c.New == nil {
			continue // a delete of nothing, a failed condition
		}
		if c.Old != nil && c.New != nil && sameItem(c.Old, c.New) {
			// DynamoDB writes no stream record for a write that changes
			// nothing.
			continue
		}
		s.onChange(c)
	}
}

func sameItem(a, b map[string]json.RawMessage) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
