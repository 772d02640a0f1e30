// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"errors"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	cnitypes "github.com/containernetworking/cni/pkg/types"
	"github.com/google/go-cmp/cmp"
)

func testPod(t *testing.T) podRef {
	return podRef{Namespace: "default", Name: "web-0", UID: "uid-" + randSuffix(t)}
}

// TestSandboxRuntime drives the sandbox/CNI layer alone with the real macvlan
// and host-local plugins, run from a node host netns.
func TestSandboxRuntime(t *testing.T) {
	node := newTestNode(t)
	ok := t.Run("plugins run in the host netns", func(t *testing.T) {
		// The master exists only in the host netns: ADD fails anywhere else.
		dataDir := t.TempDir()
		rt := node.runtime(t)
		sb, err := rt.create(t.Context(), testPod(t), []network{
			macvlanNet(t, "unique", "eth0", node.uniqueNIC, dataDir, "10.251.0.0/24"),
		})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if err := rt.destroy(t.Context(), sb); err != nil {
			t.Fatalf("destroy: %v", err)
		}
	})
	if !ok {
		t.Fatal("plugins do not run in the host netns; not running the eth0 tests")
	}
	t.Run("default network on eth0", func(t *testing.T) { testDefaultNetwork(t, node) })
	t.Run("multus delegate on net1", func(t *testing.T) { testDelegate(t, node) })
	t.Run("failing attachment rolls back", func(t *testing.T) { testRollback(t, node) })
	t.Run("failing DEL keeps the sandbox", func(t *testing.T) { testFailingDel(t, node) })
	t.Run("missing plugin creates nothing", func(t *testing.T) { testMissingPlugin(t, node) })
	if left := node.podNetNSes(t); len(left) != 0 {
		t.Errorf("pod netns left behind: %v", left)
	}
}

func testDefaultNetwork(t *testing.T, node *testNode) {
	dataDir := t.TempDir()
	rt := node.runtime(t)
	// IPv6 range first: the pod IPs must still list IPv4 first.
	sb, err := rt.create(t.Context(), testPod(t), []network{
		macvlanNet(t, "labnet", "eth0", "eth0", dataDir, "fd00:250::/64", "10.250.0.0/24"),
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	ips := podIPs(sb)
	if len(ips) != 2 || !netip.MustParseAddr(ips[0]).Is4() || !netip.MustParseAddr(ips[1]).Is6() {
		t.Fatalf("podIPs = %v, want IPv4 then IPv6", ips)
	}
	got := addrsIn(t, sb.NetNS, "eth0")
	for _, ip := range ips {
		if !slices.Contains(got, ip) {
			t.Errorf("eth0 in pod netns has %v, missing %s", got, ip)
		}
	}
	recs, err := rt.store.list()
	if err != nil || len(recs) != 1 || recs[0].Phase != phaseReady {
		t.Fatalf("records = %+v, %v; want one Ready record", recs, err)
	}
	if diff := cmp.Diff(sb, recs[0], cmp.AllowUnexported(attachment{})); diff != "" {
		t.Errorf("persisted record differs (-mem +disk):\n%s", diff)
	}
	if err := rt.destroy(t.Context(), sb); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	assertGone(t, rt, sb, dataDir)
}

func testDelegate(t *testing.T, node *testNode) {
	dataDir := t.TempDir()
	rt := node.runtime(t)
	sb, err := rt.create(t.Context(), testPod(t), []network{
		macvlanNet(t, "labnet", "eth0", "eth0", dataDir, "10.250.0.0/24"),
		macvlanNet(t, "default/extra", "net1", "eth0", dataDir, "10.252.0.0/24"),
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	st := networkStatuses(sb)
	if len(st) != 2 || !st[0].Default || st[1].Default || st[1].Interface != "net1" || st[1].Name != "default/extra" {
		t.Fatalf("network status = %+v", st)
	}
	if got := addrsIn(t, sb.NetNS, "net1"); !slices.Equal(got, st[1].IPs) {
		t.Errorf("net1 addresses = %v, want %v", got, st[1].IPs)
	}
	if !strings.HasPrefix(st[1].IPs[0], "10.252.0.") || st[1].Mac == "" {
		t.Errorf("net1 status = %+v", st[1])
	}
	if err := rt.destroy(t.Context(), sb); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	assertGone(t, rt, sb, dataDir)
}

func testRollback(t *testing.T, node *testNode) {
	dataDir := t.TempDir()
	rt := node.runtime(t)
	pod := testPod(t)
	_, err := rt.create(t.Context(), pod, []network{
		macvlanNet(t, "labnet", "eth0", "eth0", dataDir, "10.250.0.0/24"),
		macvlanNet(t, "default/broken", "net1", "missing0", dataDir, "10.252.0.0/24"),
	})
	var cniErr *cnitypes.Error
	if !errors.As(err, &cniErr) || cniErr.Msg == "" || !strings.Contains(err.Error(), cniErr.Msg) {
		t.Fatalf("create error = %v, want it to carry the plugin's error", err)
	}
	if _, err := os.Stat(rt.netnsDir + "/" + rt.netnsPrefix + pod.UID); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("netns still there after rollback: %v", err)
	}
	if recs, _ := rt.store.list(); len(recs) != 0 {
		t.Errorf("records after rollback: %+v", recs)
	}
	if left := reservations(t, dataDir); len(left) != 0 {
		t.Errorf("host-local still reserves %v after rollback", left)
	}
}

func testFailingDel(t *testing.T, node *testNode) {
	dataDir := t.TempDir()
	rt := node.runtime(t)
	sb, err := rt.create(t.Context(), testPod(t), []network{
		macvlanNet(t, "labnet", "eth0", "eth0", dataDir, "10.250.0.0/24"),
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	broken := *sb
	broken.Attachments = []attachment{{network: network{Name: "x", IfName: "eth0",
		Config: []byte(`{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"no-such-plugin"}]}`)}}}
	if err := rt.destroy(t.Context(), &broken); err == nil {
		t.Fatal("destroy with a missing plugin succeeded")
	}
	if _, err := os.Stat(sb.NetNS); err != nil {
		t.Errorf("netns removed although DEL failed: %v", err)
	}
	recs, err := rt.store.list()
	if err != nil || len(recs) != 1 {
		t.Fatalf("records = %v, %v; want the record kept", recs, err)
	}
	if err := rt.destroy(t.Context(), recs[0]); err != nil {
		t.Fatalf("retry destroy from the record: %v", err)
	}
	assertGone(t, rt, sb, dataDir)
}

// assertGone checks that a destroyed sandbox left no netns, record or IP.
func assertGone(t *testing.T, rt *sandboxRuntime, sb *sandbox, dataDir string) {
	t.Helper()
	if _, err := os.Stat(sb.NetNS); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("netns %s still there: %v", sb.NetNS, err)
	}
	if recs, _ := rt.store.list(); len(recs) != 0 {
		t.Errorf("records left: %+v", recs)
	}
	if left := reservations(t, dataDir); len(left) != 0 {
		t.Errorf("host-local still reserves %v", left)
	}
}

func testMissingPlugin(t *testing.T, node *testNode) {
	rt := node.runtime(t)
	net := macvlanNet(t, "labnet", "eth0", "eth0", t.TempDir(), "10.250.0.0/24")
	net.Config = []byte(strings.Replace(string(net.Config), `"host-local"`, `"no-such-ipam"`, 1))
	pod := testPod(t)
	if _, err := rt.create(t.Context(), pod, []network{net}); err == nil || !strings.Contains(err.Error(), "no-such-ipam") {
		t.Fatalf("create error = %v, want one naming the missing IPAM plugin", err)
	}
	if _, err := os.Stat(rt.netnsDir + "/" + rt.netnsPrefix + pod.UID); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("netns created for a network whose plugin is missing: %v", err)
	}
	if recs, _ := rt.store.list(); len(recs) != 0 {
		t.Errorf("records: %+v", recs)
	}
}
