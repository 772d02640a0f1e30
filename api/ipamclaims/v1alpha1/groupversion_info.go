// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// GroupName is the API group of our own custom resources.
const GroupName = "ipam.spiderpool-go.io"

var (
	// GroupVersion is the group and version of the types in this package.
	GroupVersion = schema.GroupVersion{Group: GroupName, Version: "v1alpha1"}

	// SchemeBuilder registers the types of this package with a runtime.Scheme.
	SchemeBuilder = (&scheme.Builder{GroupVersion: GroupVersion}).Register(
		&SpiderIPClaim{}, &SpiderIPClaimList{},
	)

	// AddToScheme adds the types of this package to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// KindSpiderIPClaim is the kind of a claim, as in TypeMeta.
const KindSpiderIPClaim = "SpiderIPClaim"

// LabelPool is the label every claim carries: the name of its pool, or, for
// a pool name longer than a label value may be (63 characters), the form
// internal/claims.PoolLabelValue gives. A label selector on it lists a
// pool's claims from a metadata-only watch.
const LabelPool = GroupName + "/pool"

// LabelPodUID is the label of a claim's holder UID (spec.podUID), when the
// UID is a valid label value (a Kubernetes UID always is): a label selector
// on it finds a pod's claims without decoding every claim.
const LabelPodUID = GroupName + "/pod-uid"

// AnnoProjectedDigest is the annotation the claim projector puts on a
// SpiderIPPool: the digest of the status.allocatedIPs it last wrote. A pool
// whose records no longer match it was written by someone else since
// (Spiderpool, after a rollback), and its records without a claim are
// adopted instead of dropped.
const AnnoProjectedDigest = GroupName + "/projected-digest"

// AnnoStorage is the annotation that hands a SpiderIPPool to the claim
// storage, with the value StorageClaims. The claim projector and the first
// agent that claims an address of the pool set it; from then on a writer
// of the pool's records that runs without the claim storage refuses to
// write them, and while it is absent an agent with the claim storage sets
// it before it claims. So agents of both storages, as during the rolling
// update that switches the storage, never both hand out one address
// (docs/ipam.md, "Switching the storage").
const AnnoStorage = GroupName + "/storage"

// StorageClaims is the value of AnnoStorage.
const StorageClaims = "claims"

// ProjectorFieldManager is the field manager of the claim projector's
// writes of a SpiderIPPool's status. The API server records the manager
// that last changed status.allocatedIPs in the pool's managedFields, which
// a metadata-only watch delivers: when it is this one, the records are the
// projector's (one per claim, or released since) and an agent need not read
// them; any other manager wrote records no claim may hold yet.
const ProjectorFieldManager = "spiderpool-claim-projector"
