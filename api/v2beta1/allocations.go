// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PoolIPAllocation is the holder of one allocated IP in a SpiderIPPool's
// status.allocatedIPs.
type PoolIPAllocation struct {
	// NamespacedName is the holder as "<namespace>/<name>": the pod, or the
	// KubeVirt VMI for VMI pods with static IPs.
	NamespacedName string `json:"pod"`

	// PodUID is the UID of the pod that holds the IP.
	PodUID string `json:"podUid"`
}

// PoolIPAllocations maps each allocated IP of a SpiderIPPool to its holder.
// It is the decoded form of status.allocatedIPs.
type PoolIPAllocations map[string]PoolIPAllocation

// ParseAllocatedIPs decodes status.allocatedIPs. A nil or empty string gives
// an empty, non-nil map that the caller may add to. Unknown keys in the
// records are ignored.
func ParseAllocatedIPs(s *string) (PoolIPAllocations, error) {
	allocations := PoolIPAllocations{}
	if err := decodeJSONString(s, &allocations); err != nil {
		return nil, fmt.Errorf("parse status.allocatedIPs: %w", err)
	}
	if allocations == nil { // the string was "null"
		allocations = PoolIPAllocations{}
	}
	return allocations, nil
}

// FormatAllocatedIPs encodes allocations for status.allocatedIPs, with the
// keys sorted. It returns nil for an empty map, as Spiderpool does, so the
// field is left out.
func FormatAllocatedIPs(allocations PoolIPAllocations) *string {
	return encodeJSONString(allocations, len(allocations))
}

// NewPoolIPAllocation returns the record of an IP held by the pod
// namespace/name with the given UID.
func NewPoolIPAllocation(namespace, name, uid string) PoolIPAllocation {
	return PoolIPAllocation{NamespacedName: namespace + "/" + name, PodUID: uid}
}

// Namespace returns the namespace part of NamespacedName, or "" when it has
// no slash.
func (a PoolIPAllocation) Namespace() string {
	namespace, _, found := strings.Cut(a.NamespacedName, "/")
	if !found {
		return ""
	}
	return namespace
}

// Name returns the name part of NamespacedName, or all of it when it has no
// slash.
func (a PoolIPAllocation) Name() string {
	_, name, found := strings.Cut(a.NamespacedName, "/")
	if !found {
		return a.NamespacedName
	}
	return name
}

// decodeJSONString unmarshals *s into v; nil and "" leave v as it is.
func decodeJSONString(s *string, v any) error {
	if s == nil || *s == "" {
		return nil
	}
	return json.Unmarshal([]byte(*s), v)
}

// encodeJSONString marshals v into a new string, or returns nil when size is
// 0. v must be a map of plain strings and string slices, which always
// marshals.
func encodeJSONString(v any, size int) *string {
	if size == 0 {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("v2beta1: marshal %T: %v", v, err)) // unreachable for the map types of this package
	}
	s := string(data)
	return &s
}
