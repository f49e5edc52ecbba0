package web

import "encoding/json"

// jsonString is v as JSON, for hx-vals.
func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// pageWhere says which page an empty page of items is.
func pageWhere(v RunDataView) string {
	if v.Start != "" {
		return " after these"
	}
	return " in " + v.Table
}
