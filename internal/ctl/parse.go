// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// ErrBadArgument is returned for a command-line argument that does not
// parse.
var ErrBadArgument = errors.New("bad argument")

// ParseIP parses an IP address argument: a bare address or an address with
// a prefix length ("10.6.0.10/16", as SpiderEndpoints record them). Zones
// are refused. The address is returned unmapped, in canonical form.
func ParseIP(s string) (netip.Addr, error) {
	addr := s
	if before, _, found := strings.Cut(s, "/"); found {
		if _, err := netip.ParsePrefix(s); err != nil {
			return netip.Addr{}, fmt.Errorf("%w: IP %q: %w", ErrBadArgument, s, err)
		}
		addr = before
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: IP %q: %w", ErrBadArgument, s, err)
	}
	if a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%w: IP %q: zones are not allowed", ErrBadArgument, s)
	}
	return a.Unmap(), nil
}

// canonicalIP returns the address of "ip" or "ip/len" in canonical form,
// or "" when it does not parse.
func canonicalIP(s string) string {
	a, err := ParseIP(s)
	if err != nil {
		return ""
	}
	return a.String()
}

// PodRef names a pod.
type PodRef struct {
	// Namespace is the pod's namespace.
	Namespace string `json:"namespace"`
	// Name is the pod's name.
	Name string `json:"name"`
}

// String returns "namespace/name".
func (p PodRef) String() string { return p.Namespace + "/" + p.Name }

// ParsePodRef parses a pod argument: "namespace/name", or "name" with the
// namespace taken from namespace (the -n flag). A namespace given both ways
// must agree. Both parts must be valid Kubernetes names.
func ParsePodRef(arg, namespace string) (PodRef, error) {
	ref := PodRef{Namespace: namespace, Name: arg}
	if ns, name, found := strings.Cut(arg, "/"); found {
		if namespace != "" && namespace != ns {
			return PodRef{}, fmt.Errorf("%w: pod %q is in namespace %q, but -n says %q", ErrBadArgument, arg, ns, namespace)
		}
		ref = PodRef{Namespace: ns, Name: name}
	}
	if ref.Namespace == "" {
		return PodRef{}, fmt.Errorf("%w: pod %q: give <namespace>/<name> or -n <namespace>", ErrBadArgument, arg)
	}
	if errs := validation.IsDNS1123Label(ref.Namespace); len(errs) > 0 {
		return PodRef{}, fmt.Errorf("%w: namespace %q: %s", ErrBadArgument, ref.Namespace, strings.Join(errs, "; "))
	}
	if errs := validation.IsDNS1123Subdomain(ref.Name); len(errs) > 0 {
		return PodRef{}, fmt.Errorf("%w: pod name %q: %s", ErrBadArgument, ref.Name, strings.Join(errs, "; "))
	}
	return ref, nil
}

// ParseOutput parses the -o flag.
func ParseOutput(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatTable, FormatJSON, FormatYAML:
		return f, nil
	case "":
		return FormatTable, nil
	}
	return "", fmt.Errorf("%w: output %q: want table, json or yaml", ErrBadArgument, s)
}
