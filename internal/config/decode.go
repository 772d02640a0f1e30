// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
)

// field binds a conf.yml key to where its value goes. dst is one of *bool,
// *int, **int (nil when absent), *string, *[]string or
// *map[string]json.RawMessage (a nested mapping).
type field struct {
	key string
	dst any
}

// topLevel converts conf.yml to JSON and splits its top-level mapping by key.
// Duplicate keys are an error, as with yaml.v3; an empty document is an empty
// mapping.
func topLevel(data []byte) (map[string]json.RawMessage, error) {
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfigMap, err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(j, &top); err != nil {
		return nil, fmt.Errorf("%w: top level is %s, expected a mapping of keys", ErrInvalidConfigMap, shorten(j))
	}
	return top, nil
}

// decodeFields decodes every field present in obj and returns a *KeyError for
// each one of the wrong type. Absent and null keys are left untouched; keys of
// obj that no field names are ignored. prefix is prepended to keys in errors.
func decodeFields(obj map[string]json.RawMessage, prefix string, fields []field) []error {
	var errs []error
	for _, f := range fields {
		raw, ok := obj[f.key]
		if !ok || isNull(raw) {
			continue
		}
		if expected, ok := decodeValue(raw, f.dst); !ok {
			errs = append(errs, &KeyError{Key: prefix + f.key, Got: shorten(raw), Expected: expected})
		}
	}
	return errs
}

// decodeValue stores raw in dst. On failure it returns the expected form and
// false.
func decodeValue(raw json.RawMessage, dst any) (string, bool) {
	switch d := dst.(type) {
	case *bool:
		return "a bool (true or false)", json.Unmarshal(raw, d) == nil
	case *int:
		return "an integer", json.Unmarshal(raw, d) == nil
	case **int:
		var n int
		if json.Unmarshal(raw, &n) != nil {
			return "an integer", false
		}
		*d = &n
		return "", true
	case *string:
		s, ok := scalarString(raw)
		*d = s
		return "a string", ok
	case *[]string:
		return "a list of strings", decodeStrings(raw, d)
	case *map[string]json.RawMessage:
		return "a mapping of keys", json.Unmarshal(raw, d) == nil
	}
	panic(fmt.Sprintf("config: unsupported field type %T", dst))
}

// decodeStrings stores the JSON list raw in d; each element is read with
// scalarString.
func decodeStrings(raw json.RawMessage, d *[]string) bool {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return false
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		s, ok := scalarString(item)
		if !ok {
			return false
		}
		out = append(out, s)
	}
	*d = out
	return true
}

// scalarString reads a JSON string, or takes a number or bool as its text and
// null as "", the way yaml.v3 fills a string from any plain scalar.
func scalarString(raw json.RawMessage) (string, bool) {
	if isNull(raw) {
		return "", true
	}
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		return s, json.Unmarshal(raw, &s) == nil
	case '{', '[':
		return "", false
	}
	return string(raw), true
}

// isNull reports whether raw is the JSON null (YAML null, ~ or an empty value).
func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// shorten returns raw for an error message, cut to 64 bytes.
func shorten(raw []byte) string {
	const limit = 64
	raw = bytes.TrimSpace(raw)
	if len(raw) <= limit {
		return string(raw)
	}
	return string(raw[:limit]) + "..."
}
