// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// MaxNameLength is the longest object name the API server accepts for a
// cluster-scoped custom resource (a DNS subdomain).
const MaxNameLength = validation.DNS1123SubdomainMaxLength

// maxLabelValueLength is the longest label value.
const maxLabelValueLength = validation.LabelValueMaxLength

// ErrInvalidName is returned for a string that is not a claim name.
var ErrInvalidName = errors.New("invalid claim name")

// ErrInvalidAddr is returned for an address that no claim name can spell.
var ErrInvalidAddr = errors.New("invalid claim address")

// HashPool returns the stand-in of a pool name that is too long for a claim
// name or a label value: 32 hexadecimal digits of its SHA-256.
func HashPool(pool string) string {
	sum := sha256.Sum256([]byte(pool))
	return hex.EncodeToString(sum[:16])
}

// Name returns the name of the claim of address a in pool. The pool must be
// a valid SpiderIPPool name (a DNS subdomain).
func Name(pool string, a netip.Addr) (string, error) {
	if errs := validation.IsDNS1123Subdomain(pool); len(errs) > 0 {
		return "", fmt.Errorf("%w: pool %q: %s; use the name of an existing SpiderIPPool", ErrInvalidName, pool, strings.Join(errs, "; "))
	}
	enc, err := EncodeAddr(a)
	if err != nil {
		return "", err
	}
	if name := pool + "." + enc; len(name) <= MaxNameLength {
		return name, nil
	}
	return HashPool(pool) + "." + enc, nil
}

// ParseName splits a claim name at its last dot into the pool part (the
// pool's name, or HashPool of it for a long one) and the address.
func ParseName(name string) (prefix string, a netip.Addr, err error) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name) > MaxNameLength {
		return "", netip.Addr{}, fmt.Errorf("%w: %q: want <pool>.<address> of at most %d characters, e.g. p1.10-0-0-5", ErrInvalidName, name, MaxNameLength)
	}
	a, err = DecodeAddr(name[i+1:])
	if err != nil {
		return "", netip.Addr{}, fmt.Errorf("%w: %q: %w", ErrInvalidName, name, err)
	}
	return name[:i], a, nil
}

// Matches reports whether name is the claim name of address a in pool.
func Matches(name, pool string, a netip.Addr) bool {
	want, err := Name(pool, a)
	return err == nil && want == name
}

// PoolLabelValue returns the value of the pool label of pool's claims: the
// pool's name, or HashPool of it when the name is longer than a label value
// may be.
func PoolLabelValue(pool string) string {
	if len(pool) <= maxLabelValueLength {
		return pool
	}
	return HashPool(pool)
}
