// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/claimq"
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

// staleReader answers every read with one copy of a pool, as a watch that
// lags would.
type staleReader struct {
	pool *spiderpoolv2beta1.SpiderIPPool
}

func (s staleReader) Current(context.Context, string, func(*metav1.PartialObjectMetadata) bool) (*spiderpoolv2beta1.SpiderIPPool, error) {
	return s.pool.DeepCopy(), nil
}

// TestHandOverReadsTheRecordsAfterIt: records a writer without the claim
// storage made after the agent's (lagging) read of the pool are in the
// status the agent decodes once it has handed the pool over, so it claims
// the one address nobody recorded.
func TestHandOverReadsTheRecordsAfterIt(t *testing.T) {
	newPool(t, "late", "10.85.0.0/24", []string{"10.85.0.1-10.85.0.10"}, nil)
	stale := &spiderpoolv2beta1.SpiderIPPool{}
	if err := api.Get(t.Context(), client.ObjectKey{Name: "late"}, stale); err != nil {
		t.Fatal(err)
	}
	recs := spiderpoolv2beta1.PoolIPAllocations{}
	for i := 1; i <= 9; i++ {
		recs[fmt.Sprintf("10.85.0.%d", i)] = spiderpoolv2beta1.NewPoolIPAllocation("ns", fmt.Sprint("p", i), fmt.Sprint("uid-p", i))
	}
	late := stale.DeepCopy()
	late.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(recs)
	if err := kubestore.New(api).UpdatePoolStatus(t.Context(), late); err != nil {
		t.Fatal(err)
	}
	q := claimq.New(claimq.Deps{Pools: staleReader{stale}, Claims: api, API: api, Writer: api, Node: "n1"})
	res := submit(t, q, "late", poolq.Op{Kind: poolq.Allocate, PodKey: "ns/a", UID: "uid-a"})
	if res.Err != nil || res.IP != netip.MustParseAddr("10.85.0.10") {
		t.Errorf("allocate = %+v, want 10.85.0.10, the one address no record holds", res)
	}
}
