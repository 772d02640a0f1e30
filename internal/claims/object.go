// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims

import (
	"fmt"
	"net/netip"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Of converts a claim object; a spec.ip that is no address is an error
// naming the claim.
func Of(o *ipamclaimsv1alpha1.SpiderIPClaim) (Claim, error) {
	a, err := netip.ParseAddr(o.Spec.IP)
	if err != nil {
		return Claim{}, fmt.Errorf("SpiderIPClaim %s: spec.ip: %w", o.Name, err)
	}
	return Claim{Name: o.Name, IP: a, Namespace: o.Spec.PodNamespace, Pod: o.Spec.PodName, UID: o.Spec.PodUID}, nil
}

// AddRecords adds to records the record each claim stands for, keyed by
// its address as a pool's status keys it. A claim whose spec.ip is no
// address is an error naming it.
func AddRecords(records spiderpoolv2beta1.PoolIPAllocations, items []ipamclaimsv1alpha1.SpiderIPClaim) error {
	for i := range items {
		c, err := Of(&items[i])
		if err != nil {
			return err
		}
		records[c.IP.String()] = c.Record()
	}
	return nil
}
