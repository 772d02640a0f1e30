// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

type coordinator = *spiderpoolv2beta1.SpiderCoordinator

func newCoordinator() coordinator {
	return &spiderpoolv2beta1.SpiderCoordinator{
		ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec:       spiderpoolv2beta1.CoordinatorSpec{PodCIDRType: ptrTo(spiderpoolv2beta1.PodCIDRTypeCalico)},
	}
}

func TestCoordinator(t *testing.T) {
	spec := func(edit func(s *spiderpoolv2beta1.CoordinatorSpec)) coordinator {
		c := newCoordinator()
		edit(&c.Spec)
		return c
	}
	tests := []struct {
		name string
		c    coordinator
		want []want
	}{
		{name: "minimal", c: newCoordinator()},
		{name: "full", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) {
			s.Mode, s.HijackCIDR = ptrTo("underlay"), []string{"10.96.0.0/12", "169.254.25.10", "fd00::/108"}
			s.PodMACPrefix, s.TxQueueLen, s.PodRPFilter = ptrTo("0a:1b"), ptrTo(1000), ptrTo(-1)
			s.VethLinkAddress = ptrTo("169.254.100.1")
		})},
		{name: "both disable spellings", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.Mode = ptrTo("disable") })},
		{name: "podCIDRType missing", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.PodCIDRType = nil }),
			want: []want{w("spec.podCIDRType", field.ErrorTypeRequired, "calico, cilium or none")}},
		{name: "podCIDRType unknown", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.PodCIDRType = ptrTo("flannel") }),
			want: []want{w("spec.podCIDRType", field.ErrorTypeNotSupported, `"cilium"`)}},
		{name: "mode unknown", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.Mode = ptrTo("bridge") }),
			want: []want{w("spec.mode", field.ErrorTypeNotSupported, `"disabled"`)}},
		{name: "hijackCIDR entry", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.HijackCIDR = []string{"10.0.0.0/8", "nope"} }),
			want: []want{w("spec.hijackCIDR[1]", field.ErrorTypeInvalid, "neither an IP nor a CIDR")}},
		{name: "mac prefix multicast", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.PodMACPrefix = ptrTo("0b:1b") }),
			want: []want{w("spec.podMACPrefix", field.ErrorTypeInvalid, "multicast byte 0b", "e.g. 0a:1b")}},
		{name: "mac prefix malformed", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.PodMACPrefix = ptrTo("0a-1b") }),
			want: []want{w("spec.podMACPrefix", field.ErrorTypeInvalid, "two hex bytes")}},
		{name: "mac prefix too long", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.PodMACPrefix = ptrTo("0a:1b:2c") }),
			want: []want{w("spec.podMACPrefix", field.ErrorTypeInvalid, "two hex bytes")}},
		{name: "mac prefix empty is off", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.PodMACPrefix = ptrTo("") })},
		{name: "txQueueLen negative", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.TxQueueLen = ptrTo(-1) }),
			want: []want{w("spec.txQueueLen", field.ErrorTypeInvalid, "0 (leave it alone) or more")}},
		{name: "podRPFilter 3", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.PodRPFilter = ptrTo(3) }),
			want: []want{w("spec.podRPFilter", field.ErrorTypeInvalid, "0, 1 or 2")}},
		{name: "vethLinkAddress", c: spec(func(s *spiderpoolv2beta1.CoordinatorSpec) { s.VethLinkAddress = ptrTo("169.254.100") }),
			want: []want{w("spec.vethLinkAddress", field.ErrorTypeInvalid, "not an IP address")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrs(t, ValidateCoordinator(tt.c), tt.want...)
		})
	}
}

func TestCoordinatorUpdate(t *testing.T) {
	old := newCoordinator()
	deleting := func(c coordinator) { c.DeletionTimestamp = &metav1.Time{} }
	checkErrs(t, ValidateCoordinatorUpdate(old, with(old, func(c coordinator) { c.Spec.Mode = ptrTo("overlay") })))
	checkErrs(t, ValidateCoordinatorUpdate(old, with(old, func(c coordinator) { c.Spec.Mode = ptrTo("x") })),
		w("spec.mode", field.ErrorTypeNotSupported))
	checkErrs(t, ValidateCoordinatorUpdate(with(old, deleting), with(old, deleting, func(c coordinator) { c.Spec.Mode = ptrTo("overlay") })),
		w("spec", field.ErrorTypeForbidden, "SpiderCoordinator is being deleted"))
	// Removing the finalizer of a terminating coordinator is always allowed,
	// even when the stored spec would fail today's rules.
	bad := with(old, deleting, func(c coordinator) { c.Spec.PodCIDRType = nil; c.Finalizers = []string{"x"} })
	checkErrs(t, ValidateCoordinatorUpdate(bad, with(bad, func(c coordinator) { c.Finalizers = nil })))
}
