// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"errors"
)

const namespacePoolsForm = `["pool-a","pool-b"]`

// ParseNamespaceDefaultIPv4Pools parses a [KeyNamespaceDefaultIPv4Pool]
// value: a JSON array of pool names or wildcards. An empty array is valid.
func ParseNamespaceDefaultIPv4Pools(value string) ([]string, error) {
	return parsePoolList(KeyNamespaceDefaultIPv4Pool, value)
}

// ParseNamespaceDefaultIPv6Pools parses a [KeyNamespaceDefaultIPv6Pool]
// value: a JSON array of pool names or wildcards. An empty array is valid.
func ParseNamespaceDefaultIPv6Pools(value string) ([]string, error) {
	return parsePoolList(KeyNamespaceDefaultIPv6Pool, value)
}

func parsePoolList(key, value string) ([]string, error) {
	var names []string
	if err := decodeJSON(key, value, namespacePoolsForm, &names); err != nil {
		return nil, err
	}
	if err := checkPoolNames(key, "item", names); err != nil {
		return nil, err
	}
	return names, nil
}

// NamespaceDefaultPools returns both default-pool lists of a namespace's
// annotations; an absent key gives nil. Errors of both keys are joined.
// Pool selection uses them when either list is non-empty.
func NamespaceDefaultPools(annotations map[string]string) (v4, v6 []string, err error) {
	v4, _, err4 := Lookup(annotations, KeyNamespaceDefaultIPv4Pool, ParseNamespaceDefaultIPv4Pools)
	v6, _, err6 := Lookup(annotations, KeyNamespaceDefaultIPv6Pool, ParseNamespaceDefaultIPv6Pools)
	if err := errors.Join(err4, err6); err != nil {
		return nil, nil, err
	}
	return v4, v6, nil
}
