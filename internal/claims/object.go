// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims

import (
	"fmt"
	"net/netip"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
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
