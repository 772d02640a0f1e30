// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

import "fmt"

// PoolIPPreAllocation is the record of one SpiderIPPool in a SpiderSubnet's
// status.controlledIPPools: the IPs the pool took from the subnet.
type PoolIPPreAllocation struct {
	// IPs lists the IPs of the pool as single IPs or inclusive ranges.
	IPs []string `json:"ips"`

	// Application is set for auto-created pools only:
	// "<group>_<version>_<Kind>_<namespace>_<name>", with the group left out
	// for the core API group.
	Application *string `json:"application,omitempty"`
}

// PoolIPPreAllocations maps each pool name to its record. It is the decoded
// form of status.controlledIPPools.
type PoolIPPreAllocations map[string]PoolIPPreAllocation

// ParseControlledIPPools decodes status.controlledIPPools. A nil or empty
// string gives an empty, non-nil map that the caller may add to.
func ParseControlledIPPools(s *string) (PoolIPPreAllocations, error) {
	pools := PoolIPPreAllocations{}
	if err := decodeJSONString(s, &pools); err != nil {
		return nil, fmt.Errorf("parse status.controlledIPPools: %w", err)
	}
	if pools == nil { // the string was "null"
		pools = PoolIPPreAllocations{}
	}
	return pools, nil
}

// FormatControlledIPPools encodes pools for status.controlledIPPools, with
// the keys sorted. It returns nil for an empty map, so the field is left
// out.
func FormatControlledIPPools(pools PoolIPPreAllocations) *string {
	return encodeJSONString(pools, len(pools))
}
