package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// A codec maps one table to a Go type T: it lists the columns once, each
// with how to get its value from a T and where a scan of it goes, and the
// table's statements, its rows and its scans all follow from that list.
type codec[T any] struct {
	table
	cols []column[T]
}

// column is one column of a codec. get returns the value written, as the
// driver scans it into an any (int64, float64, string or nil), so that a
// row built from a T equals the same row read back; dest returns where a
// scan of the column stores it in a T.
type column[T any] struct {
	name string
	get  func(*T) (any, error)
	dest func(*T) any
	// flags for the diff (see table): part of the row's key, keyed,
	// identity.
	key, keyed, identity bool
}

// asKey marks a column as part of the key that identifies a row in its
// stack; key columns come first.
func (c column[T]) asKey() column[T] { c.key = true; return c }

// asKeyed marks a column that takes part in a UNIQUE constraint or in a key
// other rows reference (see table.keyed).
func (c column[T]) asKeyed() column[T] { c.keyed = true; return c }

// asIdentity marks a keyed column that is in other rows' foreign keys, or
// in this row's, which parking cannot free (see table.identity).
func (c column[T]) asIdentity() column[T] { c.keyed, c.identity = true, true; return c }

// text maps a TEXT column to a string field.
func text[T any, S ~string](name string, field func(*T) *S) column[T] {
	return column[T]{name: name,
		get:  func(x *T) (any, error) { return string(*field(x)), nil },
		dest: func(x *T) any { return field(x) }}
}

// integer maps an INTEGER column to an integer field.
func integer[T any, I ~int | ~int64](name string, field func(*T) *I) column[T] {
	return column[T]{name: name,
		get:  func(x *T) (any, error) { return int64(*field(x)), nil },
		dest: func(x *T) any { return field(x) }}
}

// float maps a REAL column to a float64 field.
func float[T any](name string, field func(*T) *float64) column[T] {
	return column[T]{name: name,
		get:  func(x *T) (any, error) { return *field(x), nil },
		dest: func(x *T) any { return field(x) }}
}

// flag maps a 0-or-1 INTEGER column to a bool field.
func flag[T any](name string, field func(*T) *bool) column[T] {
	return column[T]{name: name,
		get:  func(x *T) (any, error) { return boolInt(*field(x)), nil },
		dest: func(x *T) any { return field(x) }}
}

// rawJSON maps a TEXT column of JSON to a json.RawMessage field, kept as
// written.
func rawJSON[T any](name string, field func(*T) *json.RawMessage) column[T] {
	return column[T]{name: name,
		get: func(x *T) (any, error) { return string(*field(x)), nil },
		dest: func(x *T) any {
			return scanner(func(src any) error {
				s, err := asText(src)
				*field(x) = json.RawMessage(s)
				return err
			})
		}}
}

// timestamp maps a TEXT column of formatTime to a time field.
func timestamp[T any](name string, field func(*T) *time.Time) column[T] {
	return column[T]{name: name,
		get: func(x *T) (any, error) { return formatTime(*field(x)), nil },
		dest: func(x *T) any {
			return scanner(func(src any) error {
				s, err := asText(src)
				if err != nil {
					return err
				}
				*field(x), err = parseTime(s)
				return err
			})
		}}
}

// computed maps a column whose value T does not hold as such: get derives
// it, dest (nil to ignore the column on a scan) takes it back.
func computed[T any](name string, get func(*T) any, dest func(x *T, src any) error) column[T] {
	return column[T]{name: name,
		get: func(x *T) (any, error) { return get(x), nil },
		dest: func(x *T) any {
			if dest == nil {
				return scanner(func(any) error { return nil })
			}
			return scanner(func(src any) error { return dest(x, src) })
		}}
}

// scanner is a sql.Scanner made of a function.
type scanner func(src any) error

func (s scanner) Scan(src any) error { return s(src) }

// asText returns a TEXT column's value as scanned.
func asText(src any) (string, error) {
	switch v := src.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("want text, got %T", src)
}

// newCodec makes the codec of the table name with the columns after
// stack_id, key columns first.
func newCodec[T any](name string, leaf bool, cols ...column[T]) *codec[T] {
	c := &codec[T]{cols: cols}
	var key, rest []string
	var keyed, identity []int
	for _, col := range cols {
		if col.key {
			if len(rest) > 0 {
				panic(fmt.Sprintf("store: %s.%s: key columns come first", name, col.name))
			}
			key = append(key, col.name)
			continue
		}
		if col.keyed {
			keyed = append(keyed, len(rest))
		}
		if col.identity {
			identity = append(identity, len(rest))
		}
		rest = append(rest, col.name)
	}
	c.table = newTable(name, key, rest, keyed, identity, leaf)
	return c
}

// withPark sets the table's parkSQL (see table).
func (c *codec[T]) withPark(parkSQL string) *codec[T] {
	c.parkSQL = parkSQL
	return c
}

// row returns x's row: its key columns, then the others.
func (c *codec[T]) row(x *T) (row, error) {
	r := make(row, len(c.cols))
	for i, col := range c.cols {
		v, err := col.get(x)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", c.name, col.name, err)
		}
		r[i] = v
	}
	return r, nil
}

// add puts x's row in set.
func (c *codec[T]) add(set rowSet, x *T) error {
	r, err := c.row(x)
	if err != nil {
		return err
	}
	set.add(&c.table, r)
	return nil
}

// dests returns where a scan of the columns, in order, stores them in x.
func (c *codec[T]) dests(x *T) []any {
	d := make([]any, len(c.cols))
	for i, col := range c.cols {
		d[i] = col.dest(x)
	}
	return d
}

// columnList returns the column names, each prefixed with alias and a dot
// unless alias is empty.
func (c *codec[T]) columnList(alias string) string {
	names := make([]string, len(c.cols))
	for i, col := range c.cols {
		names[i] = col.name
		if alias != "" {
			names[i] = alias + "." + col.name
		}
	}
	return strings.Join(names, ", ")
}

// excludedList returns "col = excluded.col" for every column, the SET of an
// upsert.
func (c *codec[T]) excludedList() string {
	sets := make([]string, len(c.cols))
	for i, col := range c.cols {
		sets[i] = col.name + " = excluded." + col.name
	}
	return strings.Join(sets, ", ")
}

// scanAll runs query, which selects c's columns, and calls got with each
// row scanned into a new T.
func scanAll[T any](ctx context.Context, tx *sql.Tx, c *codec[T], query string, args []any, got func(*T) error) error {
	return each(ctx, tx, query, args, func(rows *sql.Rows) error {
		x := new(T)
		if err := rows.Scan(c.dests(x)...); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		return got(x)
	})
}
