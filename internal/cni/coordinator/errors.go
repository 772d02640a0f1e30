// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"errors"
	"fmt"
)

// ErrInvalidConfig matches every configuration error of [LoadNetConf] and
// [Merge]; the plugin reports it as code 7.
var ErrInvalidConfig = errors.New("invalid coordinator config")

// ConfigError is one bad configuration value.
type ConfigError struct {
	// Field is the JSON name of the field, such as "podMACPrefix" or
	// "hijackCIDR[1]"; empty when the document as a whole is bad.
	Field string
	// Source says where the value came from: "the network config" or
	// "the SpiderCoordinator"; empty for the document.
	Source string
	// Reason says what is wrong, with the value, and how to fix it.
	Reason string
	// Err is an underlying decoding error, if any.
	Err error
}

// Error implements error.
func (e *ConfigError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%v: %s", ErrInvalidConfig, e.Reason)
	}
	return fmt.Sprintf("%v: %q (from %s) %s", ErrInvalidConfig, e.Field, e.Source, e.Reason)
}

// Unwrap makes the error match ErrInvalidConfig and the decoding error.
func (e *ConfigError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidConfig}
	}
	return []error{ErrInvalidConfig, e.Err}
}
