// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLookup(t *testing.T) {
	annos := map[string]string{
		KeyIPPool:          `{"ipv4":["a"]}`,
		KeyIPPoolIPNumber:  "-2",
		KeyDefaultRouteNIC: "net1",
	}
	pool, ok, err := Lookup(annos, KeyIPPool, ParseIPPool)
	if err != nil || !ok {
		t.Fatalf("Lookup(ippool) = %v, %v", ok, err)
	}
	if diff := cmp.Diff(IPPool{IPv4: []string{"a"}}, pool); diff != "" {
		t.Errorf("Lookup(ippool) mismatch (-want +got):\n%s", diff)
	}

	if _, ok, err := Lookup(annos, KeyIPPools, ParseIPPools); ok || err != nil {
		t.Errorf("Lookup(absent) = %v, %v; want false, nil", ok, err)
	}
	if _, ok, err := Lookup[IPPools](nil, KeyIPPools, ParseIPPools); ok || err != nil {
		t.Errorf("Lookup(nil map) = %v, %v; want false, nil", ok, err)
	}

	_, ok, err = Lookup(annos, KeyIPPoolIPNumber, ParseIPNumber)
	if !ok {
		t.Errorf("Lookup(ip-number) present = false, want true")
	}
	assertError(t, err, KeyIPPoolIPNumber, "negative")
}
