// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// ErrInvalidConfig matches every error [Load] returns. The plugin reports
// it as types.ErrInvalidNetworkConfig (code 7).
var ErrInvalidConfig = errors.New("invalid spiderpool network config")

// ErrInvalidArgs matches every error [ParseArgs] returns. The plugin reports
// it as types.ErrInvalidEnvironmentVariables (code 4).
var ErrInvalidArgs = errors.New("invalid CNI_ARGS")

// ConfigError describes one problem in the network configuration.
type ConfigError struct {
	// Field is the JSON path of the offending field, such as
	// "ipam.log_level"; empty when the document as a whole is bad.
	Field string
	// Reason says what is wrong and how to fix it.
	Reason string
	// Err is the underlying decoding error, if any.
	Err error
}

// Error implements error.
func (e *ConfigError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%v: %s", ErrInvalidConfig, e.Reason)
	}
	return fmt.Sprintf("%v: %q %s", ErrInvalidConfig, e.Field, e.Reason)
}

// Unwrap makes the error match [ErrInvalidConfig] and the decoding error.
func (e *ConfigError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidConfig}
	}
	return []error{ErrInvalidConfig, e.Err}
}

// ArgsError describes one problem in CNI_ARGS.
type ArgsError struct {
	// Key is the CNI_ARGS key at fault, such as "K8S_POD_NAME"; empty when
	// the string as a whole is bad.
	Key string
	// Reason says what is wrong and how to fix it.
	Reason string
	// Err is the error from types.LoadArgs, if any.
	Err error
}

// Error implements error.
func (e *ArgsError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%v: %s", ErrInvalidArgs, e.Reason)
	}
	return fmt.Sprintf("%v: %s %s", ErrInvalidArgs, e.Key, e.Reason)
}

// Unwrap makes the error match [ErrInvalidArgs] and the LoadArgs error.
func (e *ArgsError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidArgs}
	}
	return []error{ErrInvalidArgs, e.Err}
}

// decodeError turns a json.Unmarshal error into a ConfigError that names
// the field and the JSON type it needs.
func decodeError(err error) *ConfigError {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return &ConfigError{
			// Fields of the embedded types.NetConf carry its Go name.
			Field:  strings.TrimPrefix(typeErr.Field, "NetConf."),
			Reason: fmt.Sprintf("is a JSON %s but must be %s", typeErr.Value, jsonKind(typeErr.Type)),
			Err:    err,
		}
	}
	return &ConfigError{Reason: fmt.Sprintf("the config is not a valid JSON object: %v", err), Err: err}
}

// jsonKind names the JSON form a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, unquoted (e.g. 100)"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false, unquoted"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a JSON array (e.g. [\"pool-a\"])"
	default:
		return "a JSON object"
	}
}
