// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestCoordinatorUnderlay: a pod whose default network is macvlan +
// spiderpool + coordinator (through the v1.multus-cni.io/default-network
// annotation, so the lab's other pods keep the lab's network) reaches its
// node's address through veth0, and the node has a table-500 route to
// it; after the pod object is force-deleted, DEL removes the host veth
// and the table-500 route.
func TestCoordinatorUnderlay(t *testing.T) {
	ctx := testContext(t, 3*time.Minute)
	const ns, pool = "coord", "e2e-coord-v4"
	createPool(t, ctx, ipPool(pool, 4, []string{"10.250.80.10-10.250.80.20"}))
	syncedCoordinator(t, ctx)
	createNamespaceMeta(t, ctx, ns, nil, nil)
	createNAD(t, ns, "coord", `{"cniVersion":"1.0.0","name":"coord","plugins":[`+
		`{"type":"macvlan","master":"eth0","mode":"bridge","ipam":{"type":"spiderpool"}},{"type":"coordinator","mode":"underlay"}]}`)
	node := shared.lab.Nodes[0]
	pod := barePod(ns, "u1", node.Name, nil, map[string]string{
		"v1.multus-cni.io/default-network": ns + "/coord",
		"ipam.spidernet.io/ippool":         `{"ipv4":["` + pool + `"]}`,
	})
	if err := shared.c.Create(ctx, pod); err != nil {
		t.Fatal(err)
	}
	running := waitPodRunning(t, ctx, ns, pod.Name)
	podIP := running.Status.PodIP
	if out, err := inPod(running, "ip", "route", "get", node.IP); err != nil || !strings.Contains(out, "dev veth0") {
		t.Errorf("route to the node %s in the pod: %q, %v; want it through veth0", node.IP, out, err)
	}
	if err := ping(shared.lab, *running, node.IP); err != nil {
		t.Errorf("the pod does not reach its node: %v", err)
	}
	if out := inNode(t, node, "ip", "route", "show", "table", "500"); !strings.Contains(out, podIP+" dev veth") {
		t.Errorf("node table 500: %q; want a route to %s through the host veth", out, podIP)
	}
	reachServiceCIDR(t, node, running)

	if err := shared.c.Delete(ctx, running, client.GracePeriodSeconds(0)); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, time.Minute, func() error {
		links := inNode(t, node, "ip", "-d", "link", "show")
		routes := inNode(t, node, "ip", "route", "show", "table", "500")
		if strings.Contains(routes, podIP+" ") || strings.Contains(links, "spiderpool-coordinator:") {
			return fmt.Errorf("%w: the node still has the pod's veth or route: %s", errWaitingE2E, routes)
		}
		return nil
	})
}

var errWaitingE2E = fmt.Errorf("waiting")

// serviceAddr is an address of the SpiderCoordinator's service CIDR that
// only the node has (on its lo), as a ClusterIP only kube-proxy on the
// node answers.
const serviceAddr = "10.233.0.10"

// reachServiceCIDR: the pod's hijack route for the service CIDR takes a
// TCP connection to a listener in the node's netns.
func reachServiceCIDR(t *testing.T, node lab.Node, p *corev1.Pod) {
	t.Helper()
	inNode(t, node, "ip", "addr", "add", serviceAddr+"/32", "dev", "lo")
	defer inNode(t, node, "ip", "addr", "del", serviceAddr+"/32", "dev", "lo")
	nodeNS, err := ns.GetNS(node.NetNSPath())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = nodeNS.Close() }()
	var l net.Listener
	if err := nodeNS.Do(func(ns.NetNS) (err error) { l, err = net.Listen("tcp", serviceAddr+":0"); return err }); err != nil {
		t.Fatalf("listen in the node: %v", err)
	}
	defer func() { _ = l.Close() }()
	go func() {
		if c, err := l.Accept(); err == nil {
			_, _ = c.Write([]byte("ok\n"))
			_ = c.Close()
		}
	}()
	if out, err := inPod(p, "ip", "route", "get", serviceAddr); err != nil || !strings.Contains(out, "dev veth0") {
		t.Errorf("route to the service CIDR in the pod: %q, %v; want it through veth0", out, err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	script := fmt.Sprintf("exec 3<>/dev/tcp/%s/%s && head -1 <&3", serviceAddr, port)
	if out, err := inPod(p, "timeout", "5", "bash", "-c", script); err != nil || strings.TrimSpace(out) != "ok" {
		t.Errorf("the pod does not reach the node's listener on %s: %q, %v", l.Addr(), out, err)
	}
}

// syncedCoordinator makes sure a SpiderCoordinator "default" exists with a
// Synced status. The process-mode lab runs no status controller for it
// (SPIDERPOOL_COORDINATOR_ENABLED is off), so the test writes the status
// as that controller would for podCIDRType none.
func syncedCoordinator(t *testing.T, ctx context.Context) {
	t.Helper()
	cr := &spiderpoolv2beta1.SpiderCoordinator{ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: spiderpoolv2beta1.CoordinatorSpec{PodCIDRType: ptr.To("none")}}
	if err := shared.c.Create(ctx, cr); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create SpiderCoordinator default: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.WithoutCancel(ctx)
		_ = shared.c.Patch(ctx, cr, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`)))
		_ = shared.c.Delete(ctx, cr)
	})
	if err := shared.c.Get(ctx, types.NamespacedName{Name: "default"}, cr); err != nil {
		t.Fatal(err)
	}
	cr.Status = spiderpoolv2beta1.CoordinatorStatus{Phase: "Synced", OverlayPodCIDR: []string{}, ServiceCIDR: []string{"10.233.0.0/18"}}
	if err := shared.c.Status().Update(ctx, cr); err != nil {
		t.Fatalf("status of SpiderCoordinator default: %v", err)
	}
}

// inPod runs a command in a pod's network namespace.
func inPod(p *corev1.Pod, args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", shared.lab.PodNetNSPrefix() + string(p.UID)}, args...)...).CombinedOutput()
	return string(out), err
}

// inNode runs a command in a node's network namespace.
func inNode(t *testing.T, n lab.Node, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", n.NetNS}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v in node %s: %v: %s", args, n.Name, err, out)
	}
	return string(out)
}

// TestCoordinatorTwoNICs: with net1 (macvlan on eth1) also chained to the
// coordinator, net1 gets its own table with a rule from its address and
// its default route leaves main; pods on two nodes reach each other on
// both NICs; the ipam.spidernet.io/default-route-nic annotation gives net1
// the main default route instead.
func TestCoordinatorTwoNICs(t *testing.T) {
	ctx := testContext(t, 3*time.Minute)
	const ns, pool0, pool1 = "coord2", "e2e-coord2-v4", "e2e-coord2-net1"
	createPool(t, ctx, ipPool(pool0, 4, []string{"10.250.81.10-10.250.81.20"}))
	createPool(t, ctx, &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: pool1},
		Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To[int64](4), Subnet: "10.251.0.0/16",
			IPs: []string{"10.251.81.10-10.251.81.20"}, Gateway: ptr.To("10.251.0.1")}})
	syncedCoordinator(t, ctx)
	createNamespaceMeta(t, ctx, ns, nil, nil)
	createNAD(t, ns, "coord", `{"cniVersion":"1.0.0","name":"coord","plugins":[`+
		`{"type":"macvlan","master":"eth0","mode":"bridge","ipam":{"type":"spiderpool"}},{"type":"coordinator"}]}`)
	createNAD(t, ns, "coord-net1", `{"cniVersion":"1.0.0","name":"coord-net1","plugins":[`+
		`{"type":"macvlan","master":"eth1","mode":"bridge","ipam":{"type":"spiderpool"}},{"type":"coordinator"}]}`)
	annotations := func(extra map[string]string) map[string]string {
		a := map[string]string{
			"v1.multus-cni.io/default-network": ns + "/coord",
			"k8s.v1.cni.cncf.io/networks":      "coord-net1",
			"ipam.spidernet.io/ippools":        `[{"interface":"eth0","ipv4":["` + pool0 + `"]},{"interface":"net1","ipv4":["` + pool1 + `"]}]`,
		}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	pods := []*corev1.Pod{
		barePod(ns, "a", shared.lab.Nodes[0].Name, nil, annotations(nil)),
		barePod(ns, "b", shared.lab.Nodes[1].Name, nil, annotations(nil)),
		barePod(ns, "c", shared.lab.Nodes[0].Name, nil, annotations(map[string]string{"ipam.spidernet.io/default-route-nic": "net1"})),
	}
	createPods(t, ctx, pods...)
	var running []*corev1.Pod
	for _, p := range pods {
		running = append(running, waitPodRunning(t, ctx, ns, p.Name))
	}
	net1 := map[string]string{}
	for _, p := range running {
		out, err := inPod(p, "ip", "-4", "-o", "addr", "show", "dev", "net1")
		if f := strings.Fields(out); err != nil || len(f) < 4 {
			t.Fatalf("net1 of %s: %q, %v", p.Name, out, err)
		} else {
			net1[p.Name] = strings.Split(f[3], "/")[0]
		}
	}
	a, b, c := running[0], running[1], running[2]
	wantIn(t, a, "main default via eth0", []string{"ip", "route", "show", "default"}, "dev eth0", "dev net1")
	wantIn(t, a, "net1's table", []string{"ip", "route", "show", "table", "101"}, "default via 10.251.0.1 dev net1", "")
	wantIn(t, a, "net1's rule", []string{"ip", "rule"}, "from "+net1[a.Name]+" lookup 101", "")
	for _, to := range []string{b.Status.PodIP, net1[b.Name]} {
		if err := ping(shared.lab, *a, to); err != nil {
			t.Errorf("across nodes: %v", err)
		}
	}
	wantIn(t, c, "main default via net1", []string{"ip", "route", "show", "default"}, "dev net1", "dev eth0")
	wantIn(t, c, "eth0's default in net1's table", []string{"ip", "route", "show", "table", "101"}, "dev eth0", "")
}

// wantIn fails unless the command's output in the pod has want and, when
// not empty, lacks not.
func wantIn(t *testing.T, p *corev1.Pod, what string, cmd []string, want, not string) {
	t.Helper()
	out, err := inPod(p, cmd...)
	if err != nil || !strings.Contains(out, want) || (not != "" && strings.Contains(out, not)) {
		t.Errorf("%s: %s of pod %s: %q (%v); want %q without %q", what, strings.Join(cmd, " "), p.Name, out, err, want, not)
	}
}
