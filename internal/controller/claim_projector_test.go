// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// claimFor returns the claim of ip in pool, held as records(ip) holds it.
func claimFor(t *testing.T, pool, ip string) *ipamclaimsv1alpha1.SpiderIPClaim {
	t.Helper()
	name, err := claims.Name(pool, netip.MustParseAddr(ip))
	if err != nil {
		t.Fatal(err)
	}
	rec := records(ip)[ip]
	return &ipamclaimsv1alpha1.SpiderIPClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{ipamclaimsv1alpha1.LabelPool: claims.PoolLabelValue(pool)}},
		Spec: ipamclaimsv1alpha1.IPClaimSpec{Pool: pool, IP: ip, PodNamespace: rec.Namespace(), PodName: rec.Name(),
			PodUID: rec.PodUID, Node: "node-1", NIC: "eth0"},
	}
}

// createClaims creates the claims of ips in pool.
func createClaims(t *testing.T, pool string, ips ...string) {
	t.Helper()
	for _, ip := range ips {
		if err := apiServer.client.Create(t.Context(), claimFor(t, pool, ip)); err != nil {
			t.Fatalf("create claim of %s: %v", ip, err)
		}
	}
}

// poolRecordsAre reports whether the pool's records and allocatedIPCount are
// want, and whether the status is the projector's own
// (claims.ForeignStatus: its write, or its digest annotation).
func poolRecordsAre(t *testing.T, name string, want spiderpoolv2beta1.PoolIPAllocations) error {
	pool := getPool(t, name)
	got, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
	if err != nil {
		return err
	}
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("%w: records of %s (-want +got):\n%s", errWaiting, name, diff)
	}
	if show(pool.Status.AllocatedIPCount) != fmt.Sprint(len(want)) {
		return fmt.Errorf("%w: allocatedIPCount of %s is %s, want %d", errWaiting, name, show(pool.Status.AllocatedIPCount), len(want))
	}
	if claims.ForeignStatus(pool) {
		return fmt.Errorf("%w: status of %s is not the projector's own", errWaiting, name)
	}
	return nil
}

// claimStorageReplica starts a controller with the claim storage on and
// its IP GC off (the records of these tests name no pod).
func claimStorageReplica(t *testing.T) {
	t.Helper()
	opts := replica(t, newNamespace(t), "controller-claims")
	opts.Env.GC.Enabled, opts.Env.ClaimStorage = false, true
	startReplica(t, opts)
}

// TestClaimProjectorFollowsClaims: with SPIDERPOOL_CLAIM_STORAGE on, the
// projector hands the pool to the claim storage, the pool's records follow
// its claims, created and deleted, and a record of another pod for a
// claimed address gives way to the claim.
func TestClaimProjectorFollowsClaims(t *testing.T) {
	claimStorageReplica(t)
	name := poolName(t)
	createPool(t, name, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.14.0.0/24", IPs: []string{"10.14.0.1-10.14.0.20"}}, true)
	createClaims(t, name, "10.14.0.1", "10.14.0.2", "10.14.0.3")
	utils.Eventually(t, time.Minute, func() error { return poolRecordsAre(t, name, records("10.14.0.1", "10.14.0.2", "10.14.0.3")) })
	// It hands the pool to the claim storage: writers without it refuse
	// the pool from now on (store.CheckWritable).
	if p := getPool(t, name); !claims.Kept(p) {
		t.Errorf("pool %s annotations = %v, want %s=%s", name, p.Annotations, ipamclaimsv1alpha1.AnnoStorage, ipamclaimsv1alpha1.StorageClaims)
	}
	// Its own status writes say the status is the projector's: no second
	// write of the whole pool for the digest.
	if d, ok := getPool(t, name).Annotations[ipamclaimsv1alpha1.AnnoProjectedDigest]; ok {
		t.Errorf("pool %s annotated with digest %s after the projector's own status writes", name, d)
	}

	if err := apiServer.client.Delete(t.Context(), claimFor(t, name, "10.14.0.2")); err != nil {
		t.Fatal(err)
	}
	createClaims(t, name, "10.14.0.4")
	utils.Eventually(t, time.Minute, func() error { return poolRecordsAre(t, name, records("10.14.0.1", "10.14.0.3", "10.14.0.4")) })

	// Someone else gives a claimed address to another pod: the claim wins.
	other := records("10.14.0.1", "10.14.0.3", "10.14.0.4")
	other["10.14.0.1"] = spiderpoolv2beta1.NewPoolIPAllocation("default", "intruder", "uid-intruder")
	agentWrites(t, name, other, 3)
	utils.Eventually(t, time.Minute, func() error { return poolRecordsAre(t, name, records("10.14.0.1", "10.14.0.3", "10.14.0.4")) })
	recordsOwnedByProjector(t, name)
}

// recordsOwnedByProjector checks that the pool's managedFields name the
// projector as the last writer of its records, as an agent's metadata
// watch sees them.
func recordsOwnedByProjector(t *testing.T, name string) {
	t.Helper()
	pool := getPool(t, name)
	if owner, _ := claims.RecordsOwner(pool.ManagedFields); owner != ipamclaimsv1alpha1.ProjectorFieldManager || claims.ForeignStatus(pool) {
		t.Errorf("records of %s last written by %q; want %q", name, owner, ipamclaimsv1alpha1.ProjectorFieldManager)
	}
}

// TestClaimProjectorAdoptsRecords: records Spiderpool wrote (no claim) get
// claims and stay; a record Spiderpool adds after a projection is adopted
// too; once adopted, deleting the claim releases the record.
func TestClaimProjectorAdoptsRecords(t *testing.T) {
	name := poolName(t)
	createPool(t, name, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.15.0.0/24", IPs: []string{"10.15.0.1-10.15.0.20"}}, true)
	agentWrites(t, name, records("10.15.0.1", "10.15.0.2"), 2)
	// The endpoint of the record added later exists before the controller
	// starts, so that its cache holds it when that record is adopted (a
	// create just before the pool write could still be on its way).
	createEndpoint(t, "10.15.0.3", "node-7", "net1")
	versions := watchRecords(t, name)
	claimStorageReplica(t)
	utils.Eventually(t, time.Minute, func() error { return adoptedClaims(t, name, nil, "10.15.0.1", "10.15.0.2") })
	utils.Eventually(t, time.Minute, func() error { return poolRecordsAre(t, name, records("10.15.0.1", "10.15.0.2")) })

	// The written version is checked, not a later read: the projector may
	// adopt the new record and mark it as its own before the test reads.
	if pool := agentWritesPool(t, name, records("10.15.0.1", "10.15.0.2", "10.15.0.3"), 3); !claims.ForeignStatus(pool) {
		t.Errorf("a status another writer changed is not foreign: managedFields %v", pool.ManagedFields)
	}
	located := map[string][2]string{"10.15.0.3": {"node-7", "net1"}}
	utils.Eventually(t, time.Minute, func() error { return adoptedClaims(t, name, located, "10.15.0.1", "10.15.0.2", "10.15.0.3") })
	utils.Eventually(t, time.Minute, func() error { return poolRecordsAre(t, name, records("10.15.0.1", "10.15.0.2", "10.15.0.3")) })

	seen := versions()
	if len(seen) == 0 {
		t.Error("no version of the pool seen")
	}
	for i, recs := range seen {
		for _, ip := range []string{"10.15.0.1", "10.15.0.2"} {
			if _, ok := recs[ip]; !ok {
				t.Errorf("version %d of the pool's records lacks the Spiderpool record of %s: %v", i, ip, recs)
			}
		}
	}

	if err := apiServer.client.Delete(t.Context(), claimFor(t, name, "10.15.0.1")); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, time.Minute, func() error { return poolRecordsAre(t, name, records("10.15.0.2", "10.15.0.3")) })
	recordsOwnedByProjector(t, name)
}

// watchRecords watches the pool from now on; the function it returns stops
// the watch and returns the records of every version seen.
func watchRecords(t *testing.T, name string) func() []spiderpoolv2beta1.PoolIPAllocations {
	t.Helper()
	w, err := apiServer.client.Watch(t.Context(), &spiderpoolv2beta1.SpiderIPPoolList{}, client.MatchingFields{"metadata.name": name})
	if err != nil {
		t.Fatal(err)
	}
	var seen []spiderpoolv2beta1.PoolIPAllocations
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			pool, ok := ev.Object.(*spiderpoolv2beta1.SpiderIPPool)
			if !ok {
				continue
			}
			recs, err := spiderpoolv2beta1.ParseAllocatedIPs(pool.Status.AllocatedIPs)
			if err != nil {
				t.Errorf("records of %s: %v", name, err)
			}
			seen = append(seen, recs)
		}
	}()
	return func() []spiderpoolv2beta1.PoolIPAllocations {
		w.Stop()
		<-done
		return seen
	}
}

// createEndpoint creates the SpiderEndpoint of the holder of ip in
// records(ip), on node with the address on nic.
func createEndpoint(t *testing.T, ip, node, nic string) {
	t.Helper()
	rec := records(ip)[ip]
	ep := &spiderpoolv2beta1.SpiderEndpoint{ObjectMeta: metav1.ObjectMeta{Namespace: rec.Namespace(), Name: rec.Name()},
		Status: spiderpoolv2beta1.WorkloadEndpointStatus{Current: spiderpoolv2beta1.PodIPAllocation{UID: rec.PodUID, Node: node,
			IPs: []spiderpoolv2beta1.IPAllocationDetail{{NIC: nic, IPv4: ptr.To(ip + "/24")}}}}}
	if err := apiServer.client.Create(t.Context(), ep); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = apiServer.client.Delete(context.WithoutCancel(t.Context()), ep) })
}

// adoptedClaims reports whether the pool's claims, listed by the pool label,
// are the adopted claims of ips, held as their records say, with the node
// and interface of located (ip → node, nic) or none.
func adoptedClaims(t *testing.T, pool string, located map[string][2]string, ips ...string) error {
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	if err := apiServer.client.List(t.Context(), &list, client.MatchingLabels{ipamclaimsv1alpha1.LabelPool: claims.PoolLabelValue(pool)}); err != nil {
		return err
	}
	got := map[string]ipamclaimsv1alpha1.IPClaimSpec{}
	for _, c := range list.Items {
		got[c.Name] = c.Spec
	}
	want := map[string]ipamclaimsv1alpha1.IPClaimSpec{}
	for _, ip := range ips {
		c := claimFor(t, pool, ip)
		c.Spec.Node, c.Spec.NIC, c.Spec.Adopted = located[ip][0], located[ip][1], true
		want[c.Name] = c.Spec
	}
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("%w: claims of %s (-want +got):\n%s", errWaiting, pool, diff)
	}
	return nil
}
