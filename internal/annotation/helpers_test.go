// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"errors"
	"strings"
	"testing"
)

// invalidCase is an input a parser must refuse, with substrings the message
// must contain besides the key.
type invalidCase struct {
	name string
	in   string
	want []string
}

// assertError checks that err is an *Error for key whose message names the
// key and contains every want.
func assertError(t *testing.T, err error, key string, want ...string) {
	t.Helper()
	var aerr *Error
	if !errors.As(err, &aerr) {
		t.Fatalf("error = %v (%T), want *annotation.Error", err, err)
	}
	if aerr.Key != key {
		t.Errorf("Key = %q, want %q", aerr.Key, key)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, `annotation "`+key+`": `) {
		t.Errorf("message %q does not start by naming %q", msg, key)
	}
	for _, s := range want {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q does not contain %q", msg, s)
		}
	}
}

// runInvalid runs parse over cases and checks each error.
func runInvalid[T any](t *testing.T, key string, parse func(string) (T, error), cases []invalidCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse(tc.in)
			if err == nil {
				t.Fatalf("parse(%q) = %+v, want an error", tc.in, got)
			}
			assertError(t, err, key, tc.want...)
		})
	}
}
