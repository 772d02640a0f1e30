// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ctl"
)

// TestSpiderpoolctl runs the real spiderpoolctl binary against the lab:
// every verb on pods that got their addresses through the agents, then a
// leak injected into a pool that "check" reports, "ip release" refuses for
// a live pod and fixes for the leak, and "check" clean again. It does not
// run in parallel: "check" looks at the whole cluster.
func TestSpiderpoolctl(t *testing.T) {
	ctx := testContext(t, ipamTimeout)
	const ns, pool, poolRange = "ctl-e2e", "e2e-ctl-v4", "10.250.41.10-10.250.41.29"
	bin := ctlBinary(t, ctx)
	createPool(t, ctx, ipPool(pool, 4, []string{poolRange}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	anno := ippoolAnnotation([]string{pool}, nil)
	createPods(t, ctx, barePod(ns, "ctl-a", "", nil, anno), barePod(ns, "ctl-b", "", nil, anno))
	a := waitPodRunning(t, ctx, ns, "ctl-a")
	ipA, ipB := podIP(a, 4), podIP(waitPodRunning(t, ctx, ns, "ctl-b"), 4)
	// The leak goes to an address neither pod holds: the claim storage
	// draws the pods' addresses at random, so the range's last one may be
	// taken.
	leakIP := "10.250.41.29"
	for slices.Contains([]string{ipA, ipB}, leakIP) {
		leakIP = netip.MustParseAddr(leakIP).Prev().String()
	}

	t.Run("pool list", func(t *testing.T) {
		var list ctl.PoolList
		ctlJSON(t, ctx, bin, ctl.ExitOK, &list, "pool", "list")
		i := slices.IndexFunc(list.Pools, func(r ctl.PoolRow) bool { return r.Name == pool })
		if i < 0 {
			t.Fatalf("pool %s not listed: %+v", pool, list.Pools)
		}
		want := ctl.PoolRow{Name: pool, IPVersion: 4, Subnet: labSubnetV4, Used: 2, Free: 18, Total: 20}
		if diff := cmp.Diff(want, list.Pools[i]); diff != "" {
			t.Errorf("row (-want +got):\n%s", diff)
		}
		ctlLog(t, ctx, bin, "pool", "list")
	})
	t.Run("ip show", func(t *testing.T) {
		var rep ctl.IPReport
		ctlJSON(t, ctx, bin, ctl.ExitOK, &rep, "ip", "show", ipA)
		if len(rep.Holders) != 1 {
			t.Fatalf("holders of %s: %+v", ipA, rep.Holders)
		}
		h := rep.Holders[0]
		if h.Pool != pool || h.Pod != ns+"/ctl-a" || h.UID != string(a.UID) || h.Node != a.Spec.NodeName ||
			h.NIC != "eth0" || !h.Recorded || !h.Endpoint || !h.Alive || h.Since == nil {
			t.Errorf("holder of %s = %+v", ipA, h)
		}
		ctlLog(t, ctx, bin, "ip", "show", ipA)
	})
	t.Run("pod show", func(t *testing.T) {
		var rep ctl.PodReport
		ctlJSON(t, ctx, bin, ctl.ExitOK, &rep, "pod", "show", "-n", ns, "ctl-a")
		if len(rep.NICs) == 0 || rep.NICs[0].NIC != "eth0" || rep.NICs[0].IPv4Pool != pool ||
			!strings.HasPrefix(rep.NICs[0].IPv4, ipA+"/") || rep.NICs[0].IPv4Gateway != labGatewayV4 {
			t.Errorf("interfaces = %+v", rep.NICs)
		}
		if rep.PodUID != string(a.UID) || rep.EndpointUID != string(a.UID) {
			t.Errorf("pod UID %s, endpoint UID %s; want %s", rep.PodUID, rep.EndpointUID, a.UID)
		}
		ctlLog(t, ctx, bin, "pod", "show", ns+"/ctl-a")
	})
	t.Run("check, clean", func(t *testing.T) { ctlCheckClean(t, ctx, bin) })

	// A leak, planted while the controller (and its IP GC, which would free
	// it at once) is stopped.
	resume := pauseController(t, ctx)
	addRecord(t, ctx, pool, leakIP, spiderpoolv2beta1.NewPoolIPAllocation(ns, "ctl-ghost", "00000000-0000-0000-0000-00000000c71e"))
	t.Run("check, leak", func(t *testing.T) {
		var rep ctl.CheckReport
		ctlJSON(t, ctx, bin, ctl.ExitProblems, &rep, "check")
		want := []string{"leaked-record " + leakIP}
		if claimStorageOn() { // a record written without a claim: the projector adopts it once it runs again
			want = append(want, "adoption-pending "+leakIP)
		}
		if diff := cmp.Diff(want, findingsOf(rep, pool)); diff != "" {
			t.Errorf("findings of pool %s (-want +got):\n%s", pool, diff)
		}
		ctlLog(t, ctx, bin, "check")
		ctlLog(t, ctx, bin, "ip", "show", leakIP)
	})
	t.Run("ip release, refused", func(t *testing.T) {
		code, _, errOut := ctlRun(t, ctx, bin, "ip", "release", ipA)
		if code != ctl.ExitProblems || !strings.Contains(errOut, "alive") {
			t.Errorf("release of a live pod's %s: exit %d, stderr %q", ipA, code, errOut)
		}
		ctlLog(t, ctx, bin, "ip", "release", leakIP, "--dry-run")
	})
	t.Run("ip release, leak", func(t *testing.T) {
		var rep ctl.ReleaseReport
		ctlJSON(t, ctx, bin, ctl.ExitOK, &rep, "ip", "release", leakIP, "--dry-run")
		ctlJSON(t, ctx, bin, ctl.ExitOK, &rep, "ip", "release", leakIP, "--pool", pool)
		if len(rep.Actions) != 1 || rep.Actions[0].Op != ctl.OpRemoveRecord || rep.Actions[0].Result != "done" {
			t.Errorf("actions = %+v", rep.Actions)
		}
		_, recs := poolRecords(t, ctx, pool)
		if _, ok := recs[leakIP]; ok || len(recs) != 2 {
			t.Errorf("records after release: %v", recs)
		}
	})
	resume()
	t.Run("check, clean again", func(t *testing.T) {
		ctlCheckClean(t, ctx, bin)
		ctlLog(t, ctx, bin, "check")
	})
}
