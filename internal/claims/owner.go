// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Kept reports whether the claim storage keeps pool's addresses: its
// ipamclaimsv1alpha1.AnnoStorage annotation says so.
func Kept(pool metav1.Object) bool {
	return pool.GetAnnotations()[ipamclaimsv1alpha1.AnnoStorage] == ipamclaimsv1alpha1.StorageClaims
}

// RecordsOwner returns the field manager that last changed a pool's
// status.allocatedIPs, from its managedFields (as a metadata-only watch
// delivers them); false when no entry holds the field (never written, or
// managedFields stripped). An entry whose fields do not parse holds
// nothing.
func RecordsOwner(fields []metav1.ManagedFieldsEntry) (string, bool) {
	for _, f := range fields {
		if f.FieldsV1 != nil && holdsRecords(f.FieldsV1.Raw) {
			return f.Manager, true
		}
	}
	return "", false
}

// holdsRecords reports whether a FieldsV1 set holds status.allocatedIPs.
func holdsRecords(raw []byte) bool {
	var set struct {
		Status map[string]json.RawMessage `json:"f:status"`
	}
	if json.Unmarshal(raw, &set) != nil {
		return false
	}
	_, ok := set.Status["f:allocatedIPs"]
	return ok
}

// OwnRecords reports, from a pool's managedFields alone, whether its
// status.allocatedIPs holds the projector's records only: the projector
// (ipamclaimsv1alpha1.ProjectorFieldManager) changed it last, or nobody
// ever wrote it. Without managedFields nothing is known: false.
func OwnRecords(fields []metav1.ManagedFieldsEntry) bool {
	if len(fields) == 0 {
		return false
	}
	owner, ok := RecordsOwner(fields)
	return !ok || owner == ipamclaimsv1alpha1.ProjectorFieldManager
}

// ForeignStatus reports whether pool's status.allocatedIPs may hold
// records no claim holds yet: neither does the digest annotation match it
// (Foreign: the projector annotates after each write, and after adopting
// a status it did not need to rewrite) nor, by its managedFields, did the
// projector write it last (OwnRecords: the state between the projector's
// status write and its annotation, which a cache may show). A pool without
// managedFields is judged by the digest alone.
func ForeignStatus(pool *spiderpoolv2beta1.SpiderIPPool) bool {
	if !Foreign(pool.Status.AllocatedIPs, pool.Annotations[ipamclaimsv1alpha1.AnnoProjectedDigest]) {
		return false
	}
	return len(pool.ManagedFields) == 0 || !OwnRecords(pool.ManagedFields)
}
