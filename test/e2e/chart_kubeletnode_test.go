// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// Ranges of the chart's default pools in the lab (lab.chartValues).
const (
	chartV4Range = "10.250.1.10-10.250.1.250"
	chartV6Range = "fd00:250::10-fd00:250::fff"
)

// TestChartKubeletNode: in chart mode the kubelet node gets no pod of the
// chart (its agent and controller have an affinity keeping them off); the
// lab runs that node's agent from the DaemonSet's pod template, whose
// postStart hook installed the plugins into the node's CNI bin dir. A pod
// there gets addresses from the default pools spiderpool-init created
// through kubelet → containerd → macvlan + spiderpool + coordinator (the
// installed plugins), reaches a pod on a simulated node and, through
// veth0, its node, and gives its addresses back when deleted.
func TestChartKubeletNode(t *testing.T) {
	skipWithoutKubeletNode(t)
	ctx := testContext(t, 10*time.Minute)
	pause := buildPause(t, ctx)
	l, c := upChartLab(t, ctx, "ck", 1, func(o *lab.Options) { o.KubeletNode, o.PauseBinary = true, pause })
	kn := l.KubeletNode
	assertNodePlugins(t, l, kn.Node)
	assertWrapperRuns(t, kn, filepath.Join(kn.CNIBinDir(), "spiderpool"))
	const ns = "chart-kubelet"
	createNamespace(t, ctx, c, ns)
	onKubelet := runBarePods(t, ctx, c, ns, kn.Name, "real-a")[0]
	sim := runBarePods(t, ctx, c, ns, l.Nodes[0].Name, "sim-b")[0]
	assertPodIPs(t, onKubelet, chartV4Range, chartV6Range)
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(onKubelet), ep); err != nil {
		t.Errorf("SpiderEndpoint of %s: %v", onKubelet.Name, err)
	} else if ep.Status.Current.Node != kn.Name || ep.Status.Current.UID != string(onKubelet.UID) {
		t.Errorf("SpiderEndpoint %s records node %q, uid %q; want %s, %s", ep.Name, ep.Status.Current.Node, ep.Status.Current.UID, kn.Name, onKubelet.UID)
	}
	assertKubeletPodReaches(t, ctx, l, onKubelet, sim)
	assertNoChartPodOn(t, ctx, c, kn.Name)

	if err := c.Delete(ctx, onKubelet); err != nil {
		t.Fatalf("delete pod %s: %v", onKubelet.Name, err)
	}
	waitKubeletPodReleased(t, ctx, c, onKubelet, lab.DefaultIPv4PoolName, lab.DefaultIPv6PoolName)
	waitEndpointGone(t, ctx, c, onKubelet)
	count := cniCalls(t, kn)
	t.Logf("CNI calls containerd made on %s: %v", kn.Name, count)
	for _, want := range []string{"ADD macvlan", "ADD spiderpool", "ADD coordinator", "DEL spiderpool"} {
		if count[want] == 0 {
			t.Errorf("no %s call in %s", want, kn.CNICallLog())
		}
	}
}

// assertWrapperRuns: containerd's wrapper of the plugin runs plugin (the
// copy the agent installed), not the build's.
func assertWrapperRuns(t *testing.T, kn *lab.KubeletNode, plugin string) {
	t.Helper()
	wrapper := filepath.Join(kn.CNIWrapperDir(), filepath.Base(plugin))
	data, err := os.ReadFile(wrapper)
	if err != nil || !strings.Contains(string(data), "exec \""+plugin+"\"") {
		t.Errorf("CNI wrapper %s (%v) does not run %s:\n%s", wrapper, err, plugin, data)
	}
}

// assertNoChartPodOn: the chart's DaemonSet counts only the simulated
// nodes and no pod of the release is bound to node.
func assertNoChartPodOn(t *testing.T, ctx context.Context, c client.Client, node string) {
	t.Helper()
	pods := &corev1.PodList{}
	if err := c.List(ctx, pods, client.InNamespace(lab.ReleaseNamespace)); err != nil {
		t.Fatalf("list %s pods: %v", lab.ReleaseNamespace, err)
	}
	for _, p := range pods.Items {
		if p.Spec.NodeName == node {
			t.Errorf("chart pod %s is bound to the kubelet node %s", p.Name, node)
		}
	}
	ds := &appsv1.DaemonSet{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: lab.ReleaseNamespace, Name: agentComponent}, ds); err != nil {
		t.Fatalf("get DaemonSet %s: %v", agentComponent, err)
	}
	if ds.Status.DesiredNumberScheduled != 1 {
		t.Errorf("DaemonSet %s wants %d pods; want 1 (the simulated node only)", ds.Name, ds.Status.DesiredNumberScheduled)
	}
}

// waitEndpointGone waits until the deleted pod's SpiderEndpoint is gone
// (the release or, by its owner reference, the garbage collector).
func waitEndpointGone(t *testing.T, ctx context.Context, c client.Client, pod *corev1.Pod) {
	t.Helper()
	var err error
	poll := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		err = c.Get(ctx, client.ObjectKeyFromObject(pod), &spiderpoolv2beta1.SpiderEndpoint{})
		return apierrors.IsNotFound(err), nil
	})
	if poll != nil {
		t.Errorf("SpiderEndpoint of the deleted pod %s: %v; want it gone", pod.Name, err)
	}
}
