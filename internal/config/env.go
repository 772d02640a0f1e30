// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
)

// LookupFunc looks up an environment variable and reports whether it is set;
// os.LookupEnv in production.
type LookupFunc func(name string) (string, bool)

// envVar is one variable: its name, its default as Spiderpool writes it, and
// whether an empty result is an error. why, if set, says when it is required.
type envVar struct {
	name     string
	def      string
	required bool
	why      string
}

// envReader reads variables through lookup and collects every problem.
type envReader struct {
	lookup LookupFunc
	errs   []error
}

// newEnvReader returns a reader that trims values, as agent and controller do.
// A nil lookup means os.LookupEnv.
func newEnvReader(lookup LookupFunc) *envReader {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	return &envReader{lookup: func(name string) (string, bool) {
		v, ok := lookup(name)
		return strings.TrimSpace(v), ok
	}}
}

// err joins every problem found so far.
func (r *envReader) err() error { return errors.Join(r.errs...) }

// value returns the value of v: the variable if set, else its default. An
// empty result is reported as missing if v is required; ok is false then.
func (r *envReader) value(v envVar) (string, bool) {
	s, set := r.lookup(v.name)
	if !set {
		s = v.def
	}
	if s != "" {
		return s, true
	}
	if v.required {
		r.errs = append(r.errs, &EnvError{Name: v.name, Err: ErrMissingEnv, Expected: v.why})
	}
	return "", false
}

// invalid records that v has value s, not of the expected form.
func (r *envReader) invalid(v envVar, s, expected string, cause error) {
	r.errs = append(r.errs, &EnvError{Name: v.name, Value: s, Err: ErrInvalidEnv, Expected: expected, Cause: cause})
}

// str returns the value of v.
func (r *envReader) str(v envVar) string {
	s, _ := r.value(v)
	return s
}

// boolean parses v with strconv.ParseBool.
func (r *envReader) boolean(v envVar) bool {
	s, ok := r.value(v)
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		r.invalid(v, s, "a bool (true, false, 1, 0, t, f)", nil)
	}
	return b
}

// count parses v as a non-negative decimal integer.
func (r *envReader) count(v envVar) int {
	return r.bounded(v, math.MaxInt, "a non-negative integer")
}

// port parses v as a TCP port number.
func (r *envReader) port(v envVar) int {
	return r.bounded(v, math.MaxUint16, "a port number from 0 to 65535")
}

// seconds parses v as a non-negative number of seconds.
func (r *envReader) seconds(v envVar) time.Duration {
	n := r.bounded(v, int(math.MaxInt64/int64(time.Second)), "a non-negative number of seconds")
	return time.Duration(n) * time.Second
}

// bounded parses v with strconv.Atoi and requires 0 <= n <= limit.
func (r *envReader) bounded(v envVar, limit int, expected string) int {
	s, ok := r.value(v)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > limit {
		r.invalid(v, s, expected, nil)
		return 0
	}
	return n
}

// logLevel parses v with ParseLogLevel.
func (r *envReader) logLevel(v envVar) zapcore.Level {
	s, ok := r.value(v)
	if !ok {
		return zapcore.InfoLevel
	}
	l, err := ParseLogLevel(s)
	if err != nil {
		r.invalid(v, s, logLevelForms, nil)
	}
	return l
}
