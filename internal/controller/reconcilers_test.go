// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/controller"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestRunFollowsAgents runs the controller and plays the agents: the
// counts follow their records, and a deleted pool goes once its last IP is
// released.
func TestRunFollowsAgents(t *testing.T) {
	ns := newNamespace(t)
	createValidatingConfiguration(t, ns)
	opts := replica(t, ns, "controller-solo")
	opts.Env.GC.Enabled = false // the records below name no pod: the IP GC would free them at once
	startReplica(t, opts)
	name := poolName(t)
	createPool(t, name, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.11.0.0/16", IPs: []string{"10.11.0.1-10.11.0.16"}, ExcludeIPs: []string{"10.11.0.16"}}, true)
	utils.Eventually(t, time.Minute, func() error { return poolCountsAre(t, name, 15, 0) })

	agentWrites(t, name, records("10.11.0.1", "10.11.0.2", "10.11.0.3"), 1)
	utils.Eventually(t, time.Minute, func() error { return poolCountsAre(t, name, 15, 3) })
	updateSpec(t, name, func(s *spiderpoolv2beta1.IPPoolSpec) { s.ExcludeIPs = append(s.ExcludeIPs, "10.11.0.10-10.11.0.15") })
	utils.Eventually(t, time.Minute, func() error { return poolCountsAre(t, name, 9, 3) })

	if err := apiServer.client.Delete(t.Context(), getPool(t, name)); err != nil {
		t.Fatal(err)
	}
	agentWrites(t, name, records("10.11.0.2"), 1)
	utils.Eventually(t, time.Minute, func() error { return poolCountsAre(t, name, 9, 1) })
	if getPool(t, name).DeletionTimestamp.IsZero() {
		t.Fatal("the pool is not being deleted")
	}
	agentWrites(t, name, nil, 0)
	utils.Eventually(t, time.Minute, func() error { return poolGone(t, name) })
}

// subnetCountsAre reports whether the subnet's counts are total and allocated.
func subnetCountsAre(t *testing.T, name string, total, allocated int64) error {
	s := &spiderpoolv2beta1.SpiderSubnet{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: name}, s); err != nil {
		return err
	}
	if show(s.Status.TotalIPCount) != fmt.Sprint(total) || show(s.Status.AllocatedIPCount) != fmt.Sprint(allocated) {
		return fmt.Errorf("%w: counts of subnet %s are %s/%s, want %d/%d", errWaiting, name,
			show(s.Status.TotalIPCount), show(s.Status.AllocatedIPCount), total, allocated)
	}
	return nil
}

// TestSubnetReconcilerRecords: the subnet's records follow its pools: a
// record whose pool does not exist is dropped, a manual pool of its CIDR is
// adopted and recorded as its IPs inside the subnet, and the counts follow.
func TestSubnetReconcilerRecords(t *testing.T) {
	name := poolName(t)
	subnet := &spiderpoolv2beta1.SpiderSubnet{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.SubnetSpec{Subnet: "10.12.0.0/24", IPs: []string{"10.12.0.1-10.12.0.100"}, ExcludeIPs: []string{"10.12.0.100"}}}
	if err := apiServer.client.Create(t.Context(), subnet); err != nil {
		t.Fatal(err)
	}
	apps := &controller.AppChecker{Client: apiServer.client, APIReader: apiServer.client}
	r := &controller.SubnetReconciler{Client: apiServer.client, APIReader: apiServer.client, Apps: apps}
	req := reconcile.Request{NamespacedName: types.NamespacedName{Name: name}}
	if _, err := r.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if err := subnetCountsAre(t, name, 99, 0); err != nil {
		t.Fatal(err)
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := apiServer.client.Get(t.Context(), req.NamespacedName, subnet); err != nil {
			return err
		}
		subnet.Status.ControlledIPPools = spiderpoolv2beta1.FormatControlledIPPools(spiderpoolv2beta1.PoolIPPreAllocations{
			"gone": {IPs: []string{"10.12.0.1-10.12.0.10"}}})
		return apiServer.client.Status().Update(t.Context(), subnet)
	})
	if err != nil {
		t.Fatal(err)
	}
	pool := poolName(t)
	createPool(t, pool, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.12.0.0/24", IPs: []string{"10.12.0.95-10.12.0.120"}}, false)
	if _, err := r.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if err := subnetCountsAre(t, name, 99, 5); err != nil {
		t.Fatal(err)
	}
	_, recs := getSubnet(t, name)
	if _, ok := recs["gone"]; ok || len(recs) != 1 {
		t.Errorf("records %v", recs)
	}
	if _, err := r.Reconcile(t.Context(), reconcile.Request{NamespacedName: types.NamespacedName{Name: "no-such-subnet"}}); err != nil {
		t.Errorf("Reconcile of a missing subnet: %v", err)
	}
}
