// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

// env is a fake environment; a key present with "" is set but empty.
type env map[string]string

// lookup returns a LookupFunc over e.
func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// with returns a copy of e with the pairs k1, v1, k2, v2... set.
func (e env) with(kv ...string) env {
	out := maps.Clone(e)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// without returns a copy of e without names.
func (e env) without(names ...string) env {
	out := maps.Clone(e)
	for _, n := range names {
		delete(out, n)
	}
	return out
}

// leaves flattens a tree of joined and wrapped errors into the errors that
// have no multiple children, stopping at the first *EnvError or *KeyError.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	switch err.(type) { //nolint:errorlint // walks the tree one node at a time on purpose
	case *EnvError, *KeyError:
		return []error{err}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	if next := errors.Unwrap(err); next != nil {
		return leaves(next)
	}
	return []error{err}
}

// envProblem is one expected *EnvError: the variable and its sentinel.
type envProblem struct {
	name string
	err  error
}

// assertEnvProblems checks that err is exactly the given problems, in any
// order, each an *EnvError whose message names the variable and, for an
// invalid value, the value and the expected form.
func assertEnvProblems(t *testing.T, err error, want ...envProblem) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want %d problems", len(want))
	}
	var got []envProblem
	for _, leaf := range leaves(err) {
		var ee *EnvError
		if !errors.As(leaf, &ee) {
			t.Errorf("problem %v (%T) is not an *EnvError", leaf, leaf)
			continue
		}
		got = append(got, envProblem{ee.Name, ee.Err})
		msg := leaf.Error()
		if !strings.Contains(msg, ee.Name) {
			t.Errorf("message %q does not name %s", msg, ee.Name)
		}
		if errors.Is(ee.Err, ErrInvalidEnv) && (!strings.Contains(msg, `"`+ee.Value+`"`) || !strings.Contains(msg, "expected ")) {
			t.Errorf("message %q does not show the value %q and the expected form", msg, ee.Value)
		}
	}
	byName := func(a, b envProblem) int { return strings.Compare(a.name, b.name) }
	slices.SortFunc(got, byName)
	want = slices.Clone(want)
	slices.SortFunc(want, byName)
	if !slices.EqualFunc(got, want, func(a, b envProblem) bool { return a.name == b.name && errors.Is(a.err, b.err) }) {
		t.Errorf("problems = %v, want %v\nerror: %v", got, want, err)
	}
}

func missing(name string) envProblem { return envProblem{name, ErrMissingEnv} }
func invalid(name string) envProblem { return envProblem{name, ErrInvalidEnv} }
