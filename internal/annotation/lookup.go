// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

// Lookup parses annotations[key] with parse, which must be the parser for
// key (for example [KeyIPPools] with [ParseIPPools]). It reports whether the
// key is present; an absent key is not an error and gives the zero value.
// A present but empty value is handed to parse like any other.
func Lookup[T any](annotations map[string]string, key string, parse func(string) (T, error)) (T, bool, error) {
	value, ok := annotations[key]
	if !ok {
		var zero T
		return zero, false, nil
	}
	parsed, err := parse(value)
	return parsed, true, err
}
