// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

const (
	knV4Range = "10.250.90.10-10.250.90.60"
	knV6Range = "fd00:250::90:10-fd00:250::90:60"
	knNS      = "kubelet-node"
)

// TestKubeletNode: on a lab node that is a real kubelet on containerd, pod
// sandboxes are made by kubelet → containerd → libcni → macvlan +
// spiderpool. Its pods get addresses from our pools, reach a pod on a
// simulated node, keep a StatefulSet address across deletion and give it
// back on deletion; the test logs which CNI commands containerd sent.
func TestKubeletNode(t *testing.T) {
	skipWithoutKubeletNode(t)
	ctx := testContext(t, 10*time.Minute)
	l, c := upKubeletLab(t, ctx)
	kn := l.KubeletNode
	for _, p := range []*spiderpoolv2beta1.SpiderIPPool{
		ipPool("kn-v4", 4, []string{knV4Range}, asDefaultPool), ipPool("kn-v6", 6, []string{knV6Range}, asDefaultPool),
	} {
		if err := c.Create(ctx, p); err != nil {
			t.Fatalf("create pool %s: %v", p.Name, err)
		}
	}
	createSyncedCoordinator(t, ctx, c)
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: knNS}}); err != nil {
		t.Fatalf("create namespace %s: %v", knNS, err)
	}
	pods := runBarePods(t, ctx, c, knNS, kn.Name, "real-a")
	sim := runBarePods(t, ctx, c, knNS, l.Nodes[0].Name, "sim-b")[0]
	onKubelet := pods[0]
	assertPodIPs(t, onKubelet, knV4Range, knV6Range)
	assertKubeletPodReaches(t, ctx, l, onKubelet, sim)

	checkKubeletStatefulSet(t, ctx, c, kn.Name)

	if err := c.Delete(ctx, onKubelet); err != nil {
		t.Fatalf("delete pod %s: %v", onKubelet.Name, err)
	}
	waitKubeletPodReleased(t, ctx, c, onKubelet, "kn-v4", "kn-v6")
	checkCNICalls(t, kn)
	checkStatusAndGC(t, ctx, c, kn)
}

// skipWithoutKubeletNode skips the test unless the machine can run the
// lab's kubelet node: containerd, runc and ctr on PATH, kubelet built.
func skipWithoutKubeletNode(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"containerd", "runc", "ctr"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("kubelet node: %s not on PATH (run hack/deps.sh): %v", bin, err)
		}
	}
	if _, err := os.Stat(filepath.Join(shared.opts.K8sBinDir, "kubelet")); err != nil {
		t.Skipf("kubelet node: no kubelet in %s (run hack/testbin.sh): %v", shared.opts.K8sBinDir, err)
	}
}

// buildPause builds the static pause binary of the kubelet node's sandbox image.
func buildPause(t *testing.T, ctx context.Context) string {
	t.Helper()
	root, err := utils.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	pause := filepath.Join(t.TempDir(), "pause")
	build := exec.CommandContext(ctx, "go", "build", "-ldflags=-s -w", "-o", pause, "./test/lab/pause")
	build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the pause binary: %v: %s", err, out)
	}
	return pause
}

// upKubeletLab brings up a lab of one simulated node and the kubelet node.
func upKubeletLab(t *testing.T, ctx context.Context) (*lab.Lab, client.Client) {
	t.Helper()
	opts := shared.opts
	opts.Name, opts.Nodes, opts.Dir, opts.Progress = shared.opts.Name+"k", 1, filepath.Join(t.TempDir(), "lab"), nil
	opts.KubeletNode, opts.PauseBinary = true, buildPause(t, ctx)
	// As Spiderpool's own install sets a node up: macvlan + spiderpool,
	// chained to the coordinator.
	opts.NodeNetwork = lab.MacvlanSpiderpoolCoordinator
	start := time.Now()
	l, c := upOwnLab(t, ctx, opts)
	t.Logf("lab with a simulated node and the kubelet node up in %.1fs", time.Since(start).Seconds())
	return l, c
}

// checkKubeletStatefulSet: a StatefulSet pod on the kubelet node gets the
// same addresses when it is deleted and re-created.
func checkKubeletStatefulSet(t *testing.T, ctx context.Context, c client.Client, node string) {
	t.Helper()
	sts := statefulSet(knNS, "web", 1)
	sts.Spec.Template.Spec.NodeSelector = map[string]string{corev1.LabelHostname: node}
	if err := c.Create(ctx, sts); err != nil {
		t.Fatalf("create StatefulSet web: %v", err)
	}
	old := waitRunningIn(t, ctx, c, knNS, "web-0")
	if old.Spec.NodeName != node {
		t.Fatalf("web-0 runs on %s; want the kubelet node %s", old.Spec.NodeName, node)
	}
	if err := c.Delete(ctx, old); err != nil {
		t.Fatalf("delete web-0: %v", err)
	}
	renewed := &corev1.Pod{}
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		if err := c.Get(ctx, client.ObjectKeyFromObject(old), renewed); err != nil {
			return false, nil //nolint:nilerr // gone for now: keep polling
		}
		return renewed.UID != old.UID && renewed.Status.Phase == corev1.PodRunning && len(renewed.Status.PodIPs) > 0, nil
	})
	if err != nil {
		t.Fatalf("web-0 not re-created and Running on the kubelet node: %v", err)
	}
	if got, want := podIPStrings(renewed), podIPStrings(old); !slices.Equal(got, want) {
		t.Errorf("re-created web-0 has %v; want the old pod's %v", got, want)
	}
}

// waitKubeletPodReleased waits until the deleted pod is gone and none of
// pools records it.
func waitKubeletPodReleased(t *testing.T, ctx context.Context, c client.Client, pod *corev1.Pod, pools ...string) {
	t.Helper()
	var held []string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		if err := c.Get(ctx, client.ObjectKeyFromObject(pod), &corev1.Pod{}); err == nil {
			return false, nil
		}
		recs, err := poolsRecords(ctx, c, pools...)
		if err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		held = held[:0]
		for ip, rec := range recs {
			if rec.PodUID == string(pod.UID) {
				held = append(held, ip)
			}
		}
		return len(held) == 0, nil
	})
	if err != nil {
		t.Fatalf("pod %s deleted from the kubelet node: pools still hold %v: %v", pod.Name, held, err)
	}
}

// createSyncedCoordinator creates the SpiderCoordinator "default" the
// coordinator plugin reads, Synced with no overlay CIDRs (mode auto is
// underlay for eth0), as spiderpool-init and the controller would.
func createSyncedCoordinator(t *testing.T, ctx context.Context, c client.Client) {
	t.Helper()
	cr := &spiderpoolv2beta1.SpiderCoordinator{ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: spiderpoolv2beta1.CoordinatorSpec{PodCIDRType: ptr.To("none")}}
	if err := c.Create(ctx, cr); err != nil {
		t.Fatalf("create SpiderCoordinator default: %v", err)
	}
	cr.Status = spiderpoolv2beta1.CoordinatorStatus{Phase: "Synced", OverlayPodCIDR: []string{}, ServiceCIDR: []string{"10.233.0.0/18"}}
	if err := c.Status().Update(ctx, cr); err != nil {
		t.Fatalf("status of SpiderCoordinator default: %v", err)
	}
}

func asDefaultPool(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.Default = ptr.To(true) }
