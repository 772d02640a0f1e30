// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package store

import (
	"fmt"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

// CheckWritable returns an error wrapping ErrClaimStorage when the claim
// storage keeps pool (claims.Kept), so that a writer of its records without
// the claim storage stops. Its resourceVersion makes the check safe against
// the annotation arriving after the read: the write then conflicts, and the
// writer's next read sees it.
func CheckWritable(pool *spiderpoolv2beta1.SpiderIPPool) error {
	if !claims.Kept(pool) {
		return nil
	}
	return fmt.Errorf("%w: SpiderIPPool %s has the annotation %s=%s, so this component, which runs with "+
		"SPIDERPOOL_CLAIM_STORAGE=false, must not write its records; set SPIDERPOOL_CLAIM_STORAGE=true on every "+
		"spiderpool-agent and the spiderpool-controller (or, to switch back, follow docs/ipam.md, \"Switching the storage\")",
		ErrClaimStorage, pool.Name, ipamclaimsv1alpha1.AnnoStorage, ipamclaimsv1alpha1.StorageClaims)
}
