// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Error is a malformed annotation value.
type Error struct {
	// Key is the annotation key, such as "ipam.spidernet.io/ippools".
	Key string
	// Reason says what is wrong and the expected form.
	Reason string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("annotation %q: %s", e.Key, e.Reason)
}

func errorf(key, format string, args ...any) *Error {
	return &Error{Key: key, Reason: fmt.Sprintf(format, args...)}
}

// decodeJSON unmarshals value into v. A failure names the key, the JSON
// problem and the expected form.
func decodeJSON(key, value, expected string, v any) error {
	if strings.TrimSpace(value) == "" {
		return errorf(key, "value is empty; expected %s", expected)
	}
	if err := json.Unmarshal([]byte(value), v); err != nil {
		return errorf(key, "%s; expected %s", describeJSONError(err), expected)
	}
	return nil
}

// describeJSONError explains a json.Unmarshal error in JSON terms rather
// than Go types.
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		where := "value"
		if typeErr.Field != "" {
			where = fmt.Sprintf("field %q", typeErr.Field)
		}
		return fmt.Sprintf("%s is a JSON %s but must be %s", where, typeErr.Value, jsonKind(typeErr.Type))
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Sprintf("invalid JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	}
	return fmt.Sprintf("invalid JSON: %v", err)
}

// jsonKind names the JSON form a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false, unquoted"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	default:
		return "a " + t.Kind().String()
	}
}
