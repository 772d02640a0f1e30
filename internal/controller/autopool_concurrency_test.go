// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestAutoPoolsConcurrent: 20 Deployments created at once in one subnet
// never get overlapping pre-allocations. Sampled while they are made:
// the records never overlap, allocatedIPCount is their sum, and every pool
// holds only what its record holds (the record is written first). At the
// end every pool has its size and the subnet's count is the sum of its
// pools.
func TestAutoPoolsConcurrent(t *testing.T) {
	ns := startAutoPoolController(t, 1)
	subnet := createSubnet(t, "10.36.0.0/24", "", "10.36.0.1-10.36.0.200")
	const apps = 20
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	samples := 0
	wg.Go(func() {
		for ctx.Err() == nil {
			if err := sampleSubnet(ctx, subnet.Name); err != nil && ctx.Err() == nil {
				t.Error(err)
				return
			}
			samples++
		}
	})
	var created sync.WaitGroup
	for i := range apps {
		created.Go(func() {
			if err := apiServer.client.Create(t.Context(), deployment(ns, fmt.Sprintf("app-%d", i), int32(i%5+1), subnetAnno(subnet.Name))); err != nil {
				t.Error(err)
			}
		})
	}
	created.Wait()
	want := int64(0)
	for i := range apps {
		size := int64(i%5 + 2)
		want += size
		utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, fmt.Sprintf("app-%d", i), subnet.Name, size) })
	}
	utils.Eventually(t, time.Minute, func() error { return subnetCountsAre(t, subnet.Name, 200, want) })
	stop()
	wg.Wait()
	if err := sampleSubnet(t.Context(), subnet.Name); err != nil {
		t.Error(err)
	}
	t.Logf("%d samples of the subnet while %d apps were made, %d IPs pre-allocated", samples, apps, want)
}

// sampleSubnet reads the subnet's pools, then the subnet, and checks the
// invariants of TestAutoPoolsConcurrent.
func sampleSubnet(ctx context.Context, name string) error {
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := apiServer.client.List(ctx, &pools, client.MatchingLabels{spiderpoolv2beta1.LabelOwnerSpiderSubnet: name}); err != nil {
		return err
	}
	s := &spiderpoolv2beta1.SpiderSubnet{}
	if err := apiServer.client.Get(ctx, client.ObjectKey{Name: name}, s); err != nil {
		return err
	}
	records, err := spiderpoolv2beta1.ParseControlledIPPools(s.Status.ControlledIPPools)
	if err != nil {
		return err
	}
	union, sum := allocator.NewSet(allocator.IPv4), int64(0)
	for pool, rec := range records {
		set, err := allocator.ParseSet(allocator.IPv4, rec.IPs)
		if err != nil {
			return err
		}
		if union.Overlaps(set) {
			return fmt.Errorf("record of %s %v overlaps another record", pool, rec.IPs)
		}
		union, _ = union.Union(set)
		sum += set.CountInt64()
	}
	if s.Status.AllocatedIPCount != nil && *s.Status.AllocatedIPCount != sum {
		return fmt.Errorf("allocatedIPCount %d, records hold %d", *s.Status.AllocatedIPCount, sum)
	}
	for _, p := range pools.Items {
		have, _ := allocator.ParseSet(allocator.IPv4, p.Spec.IPs)
		rec, _ := allocator.ParseSet(allocator.IPv4, records[p.Name].IPs)
		if !have.Subtract(rec).IsEmpty() {
			return fmt.Errorf("pool %s holds %v, its record only %v", p.Name, p.Spec.IPs, records[p.Name].IPs)
		}
	}
	return nil
}
