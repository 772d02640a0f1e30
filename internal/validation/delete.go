// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"errors"
	"fmt"
	"math"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// ErrInUse is returned, wrapped with the details, when a pool or subnet may
// not be deleted because it still has allocated IPs.
var ErrInUse = errors.New("cannot delete")

// deleteKnobFix is how to get rid of the rule altogether.
const deleteKnobFix = "or set enableValidatingResourcesDeletedWebhook: false in ConfigMap spiderpool-conf"

// repairStatus is how to fix a status that does not parse.
const repairStatus = "repair that status (kubectl edit --subresource=status) and retry"

// ValidateIPPoolDelete refuses to delete a pool that still has allocated
// IPs (docs/reference/behaviour.md §6.1; only called when
// enableValidatingResourcesDeletedWebhook is on). The error names the first
// pods that hold addresses.
func ValidateIPPoolDelete(pool *spiderpoolv2beta1.SpiderIPPool) error {
	allocated, err := allocatedIPs(pool)
	if err != nil {
		return fmt.Errorf("%w: cannot tell whether IPs are still allocated: %w; %s, %s", ErrInUse, err, repairStatus, deleteKnobFix)
	}
	count := max(int64(len(allocated)), deref(pool.Status.AllocatedIPCount))
	switch {
	case count == 0:
		return nil
	case len(allocated) == 0: // the count is ahead of the list; it is being updated
		return fmt.Errorf("%w: status.allocatedIPCount is %d; delete the pods using this pool first, %s",
			ErrInUse, count, deleteKnobFix)
	}
	return fmt.Errorf("%w: %d IPs are still allocated: %s; delete those pods first, %s",
		ErrInUse, count, describeAllocated(allocated), deleteKnobFix)
}

// ValidateSubnetDelete refuses to delete a subnet that still has IPs
// pre-allocated to pools (docs/reference/behaviour.md §6.2). The error names
// the first pools.
func ValidateSubnetDelete(subnet *spiderpoolv2beta1.SpiderSubnet) error {
	records, err := spiderpoolv2beta1.ParseControlledIPPools(subnet.Status.ControlledIPPools)
	if err != nil {
		return fmt.Errorf("%w: cannot tell whether IPs are still pre-allocated: %w; %s, %s", ErrInUse, err, repairStatus, deleteKnobFix)
	}
	version := allocator.IPVersion(deref(subnet.Spec.IPVersion))
	var pools []string
	var recorded int64
	for _, name := range sortedKeys(records) {
		if n := lenientSet(version, records[name].IPs).CountInt64(); n > 0 {
			pools = append(pools, describePool(name))
			recorded = addSaturated(recorded, n) // a /48 alone holds more than an int64
		}
	}
	count := max(recorded, deref(subnet.Status.AllocatedIPCount))
	switch {
	case count == 0:
		return nil
	case len(pools) == 0: // the count is ahead of the record; it is being updated
		return fmt.Errorf("%w: status.allocatedIPCount is %d; delete the pools of this subnet first, %s",
			ErrInUse, count, deleteKnobFix)
	}
	return fmt.Errorf("%w: %d IPs are pre-allocated to %s; delete those pools first, %s",
		ErrInUse, count, listSome(pools, len(pools)), deleteKnobFix)
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// addSaturated returns a+b for non-negative a and b, or math.MaxInt64 when
// that overflows.
func addSaturated(a, b int64) int64 {
	if b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}
