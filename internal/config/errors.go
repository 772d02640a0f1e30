// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"errors"
	"fmt"
)

// ErrInvalidConfigMap is wrapped by every error about the content of conf.yml:
// bad YAML, a top level that is not a mapping, or a key of the wrong type.
var ErrInvalidConfigMap = errors.New("invalid config map")

// ErrMissingEnv is wrapped by an [*EnvError] for a required variable that is
// not set or is empty.
var ErrMissingEnv = errors.New("required but not set or empty")

// ErrInvalidEnv is wrapped by an [*EnvError] for a variable whose value does not
// parse.
var ErrInvalidEnv = errors.New("invalid value")

// KeyError is a conf.yml key whose value has the wrong type.
type KeyError struct {
	// Key is the key, dotted for a nested one: "podResourceInject.enabled".
	Key string
	// Got is the offending value, as JSON, shortened if long.
	Got string
	// Expected is the expected form, such as "a bool (true or false)".
	Expected string
}

// Error implements error.
func (e *KeyError) Error() string {
	return fmt.Sprintf("key %q: got %s, expected %s", e.Key, e.Got, e.Expected)
}

// Unwrap returns ErrInvalidConfigMap.
func (e *KeyError) Unwrap() error { return ErrInvalidConfigMap }

// EnvError is a required environment variable that is missing or a variable
// whose value does not parse.
type EnvError struct {
	// Name is the variable, such as "SPIDERPOOL_HEALTH_PORT".
	Name string
	// Value is the value as read (trimmed); empty when missing.
	Value string
	// Err is ErrMissingEnv or ErrInvalidEnv.
	Err error
	// Expected is the expected form, or, for a missing variable, when it is
	// required (empty if always).
	Expected string
	// Cause is the underlying parse error, if any.
	Cause error
}

// Error implements error.
func (e *EnvError) Error() string {
	if errors.Is(e.Err, ErrMissingEnv) {
		msg := fmt.Sprintf("env %s: %v", e.Name, e.Err)
		if e.Expected != "" {
			msg += " (" + e.Expected + ")"
		}
		return msg
	}
	msg := fmt.Sprintf("env %s=%q: %v, expected %s", e.Name, e.Value, e.Err, e.Expected)
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns Err and Cause, so errors.Is matches the sentinel and the
// underlying parse error.
func (e *EnvError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}
