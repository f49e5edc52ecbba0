package dynamo

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// minidyn v0.8.2 evaluates `REMOVE attr` but never takes a top-level
// attribute out of the stored item (its Environment.Apply only adds), so an
// UpdateItem with REMOVE is finished here: the attributes are removed from
// the stored item and from the returned one. Nested paths (a.b, list[0])
// change the object in place and work in minidyn already.

// updateClause finds a clause keyword: not part of a longer name, nor a
// :value or #name placeholder (a name "remove" is always a placeholder, as
// the keywords are reserved words).
var updateClause = regexp.MustCompile(`(?i)(?:^|[^:#\w])(SET|REMOVE|ADD|DELETE)\b`)

// removedAttributes returns the top-level attribute names an update
// expression's REMOVE clause takes out, aliases resolved.
func removedAttributes(expr string, names map[string]string) []string {
	var out []string
	idx := updateClause.FindAllStringSubmatchIndex(expr, -1)
	for i, m := range idx {
		if !strings.EqualFold(expr[m[2]:m[3]], "REMOVE") {
			continue
		}
		end := len(expr)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		for _, p := range strings.Split(expr[m[1]:end], ",") {
			p = strings.TrimSpace(p)
			if p == "" || strings.ContainsAny(p, ".[") {
				continue
			}
			if real, ok := names[p]; ok {
				p = real
			}
			out = append(out, p)
		}
	}
	return out
}

// update is the part of an UpdateItem request, or of a transaction's
// Update, that REMOVE's fix reads.
type update struct {
	TableName                string
	Key                      map[string]json.RawMessage
	UpdateExpression         string
	ExpressionAttributeNames map[string]string
	ReturnValues             string
}

// removeStored takes the attributes u's REMOVE clause names out of the
// stored item, after minidyn applied the rest of u, and returns them. The
// caller holds s.mu.
func (s *Server) removeStored(u update) []string {
	if u.UpdateExpression == "" {
		return nil
	}
	gone := removedAttributes(u.UpdateExpression, u.ExpressionAttributeNames)
	if len(gone) == 0 {
		return nil
	}
	get, _ := json.Marshal(map[string]any{"TableName": u.TableName, "Key": u.Key, "ConsistentRead": true})
	status, got := s.engineCall("GetItem", get)
	var item struct{ Item map[string]json.RawMessage }
	if status != http.StatusOK || json.Unmarshal(got, &item) != nil || item.Item == nil {
		return gone
	}
	for _, name := range gone {
		delete(item.Item, name)
	}
	put, _ := json.Marshal(map[string]any{"TableName": u.TableName, "Item": item.Item})
	s.engineCall("PutItem", put)
	return gone
}

// finishRemove applies the REMOVE clause of a successful UpdateItem (body)
// whose answer is out, and returns the answer without the removed
// attributes when it holds the new values. The caller holds s.mu.
func (s *Server) finishRemove(body, out []byte) []byte {
	var u update
	if json.Unmarshal(body, &u) != nil {
		return out
	}
	gone := s.removeStored(u)
	// The old values (ALL_OLD, UPDATED_OLD) rightly hold what was removed.
	if len(gone) == 0 || (u.ReturnValues != "ALL_NEW" && u.ReturnValues != "UPDATED_NEW") {
		return out
	}
	var res map[string]json.RawMessage
	if json.Unmarshal(out, &res) != nil || res["Attributes"] == nil {
		return out
	}
	var attrs map[string]json.RawMessage
	if json.Unmarshal(res["Attributes"], &attrs) != nil {
		return out
	}
	for _, name := range gone {
		delete(attrs, name)
	}
	res["Attributes"], _ = json.Marshal(attrs)
	patched, err := json.Marshal(res)
	if err != nil {
		return out
	}
	return patched
}

// finishTransactRemove applies the REMOVE clauses of a successful
// transaction's updates. The caller holds s.mu.
func (s *Server) finishTransactRemove(body []byte) {
	var req struct {
		TransactItems []struct{ Update *update }
	}
	if json.Unmarshal(body, &req) != nil {
		return
	}
	for _, it := range req.TransactItems {
		if it.Update != nil {
			s.removeStored(*it.Update)
		}
	}
}
