// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq_test

import (
	"errors"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
	"github.com/spiderpool-go/spiderpool/internal/store"
	kubestore "github.com/spiderpool-go/spiderpool/internal/store/kube"
)

// TestFirstClaimHandsThePoolToTheClaimStorage: while agents with and
// without the claim storage run (the rolling update that switches it on),
// the first claim in a pool sets the storage annotation. A writer of the
// records without the claim storage that read the pool before it loses its
// write to the new resourceVersion, and one that reads it afterwards is
// refused, so it never records an address a claim holds.
func TestFirstClaimHandsThePoolToTheClaimStorage(t *testing.T) {
	newPool(t, "handover", "10.84.0.0/24", []string{"10.84.0.10-10.84.0.14"}, nil)
	before := &spiderpoolv2beta1.SpiderIPPool{}
	if err := api.Get(t.Context(), client.ObjectKey{Name: "handover"}, before); err != nil {
		t.Fatal(err)
	}
	q := agent("n1", 0)
	res := submit(t, q, "handover", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/a", UID: "uid-a"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	after := &spiderpoolv2beta1.SpiderIPPool{}
	if err := api.Get(t.Context(), client.ObjectKey{Name: "handover"}, after); err != nil {
		t.Fatal(err)
	}
	if !claims.Kept(after) {
		t.Fatalf("pool annotations after the first claim = %v, want %s=%s", after.Annotations,
			ipamclaimsv1alpha1.AnnoStorage, ipamclaimsv1alpha1.StorageClaims)
	}

	poolMode := kubestore.New(api)
	record := func(p *spiderpoolv2beta1.SpiderIPPool) error {
		p.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(spiderpoolv2beta1.PoolIPAllocations{
			res.IP.String(): spiderpoolv2beta1.NewPoolIPAllocation("ns", "b", "uid-b")})
		return poolMode.UpdatePoolStatus(t.Context(), p)
	}
	if err := record(before); !errors.Is(err, store.ErrConflict) {
		t.Errorf("write of a pool read before the handover: err = %v, want a conflict", err)
	}
	if err := record(after); !errors.Is(err, store.ErrClaimStorage) {
		t.Errorf("write of a pool read after the handover: err = %v, want ErrClaimStorage", err)
	}

	again := submit(t, q, "handover", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/c", UID: "uid-c"})
	if again.Err != nil || again.IP == res.IP {
		t.Errorf("next allocation = %+v, want another address and no error", again)
	}
}
