// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// TestSubnetChartSwitches installs the chart into a fresh 1-node lab: a
// Deployment asking for a subnet gets its address from its auto pool (the
// chart's ConfigMap and RBAC); after a helm upgrade turning
// ipam.spiderSubnet.autoPool.enable off, and then ipam.spiderSubnet.enable,
// a new Deployment's pod fails its ADD with a message naming the switch
// instead of taking a default pool's address.
func TestSubnetChartSwitches(t *testing.T) {
	ctx := testContext(t, 15*time.Minute)
	l, c := upChartLab(t, ctx, "s", 1)
	const ns, sub = "subnet-chart", "e2e-sub-67"
	createNamespace(t, ctx, c, ns)
	sn := &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: sub},
		Spec: spiderpoolv2beta1.SubnetSpec{
			IPVersion: ptr.To[int64](4), Subnet: "10.252.67.0/24", IPs: []string{"10.252.67.10-10.252.67.29"},
		},
	}
	if err := c.Create(ctx, sn); err != nil {
		t.Fatalf("create SpiderSubnet: %v", err)
	}
	on := subnetDeployment(ns, "on", sub)
	if err := c.Create(ctx, on); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	pods := waitRunningPods(t, ctx, c, ns, "on", 1)
	if !strings.HasPrefix(pods[0].Status.PodIP, "10.252.67.") || len(pods[0].Status.PodIPs) != 1 {
		t.Errorf("pod %s has %v; want one address of SpiderSubnet %s", pods[0].Name, pods[0].Status.PodIPs, sub)
	}

	var values []string
	for _, step := range []struct{ value, app, switchName string }{
		{"ipam.spiderSubnet.autoPool.enable=false", "noauto", "enableAutoPoolForApplication"},
		{"ipam.spiderSubnet.enable=false", "nosubnet", "enableSpiderSubnet"},
	} {
		values = append(values, step.value)
		upgradeAgents(t, ctx, l, c, values...)
		d := subnetDeployment(ns, step.app, sub)
		if err := c.Create(ctx, d); err != nil {
			t.Fatalf("create deployment %s: %v", step.app, err)
		}
		msg := waitAppSandboxFailure(t, ctx, c, ns, step.app, step.switchName, spiderpoolv2beta1.AnnoSubnet)
		t.Logf("%s: %s", step.value, msg)
	}
}

// subnetDeployment is a one-pod Deployment asking for subnet.
func subnetDeployment(ns, name, subnet string) *appsv1.Deployment {
	d := deployment(ns, name, 1)
	withPodAnnotations(d, annotations(spiderpoolv2beta1.AnnoSubnet, subnetAnno(subnet)))
	return d
}

// upgradeAgents runs helm upgrade with values and waits for new agents.
func upgradeAgents(t *testing.T, ctx context.Context, l *lab.Lab, c client.Client, values ...string) {
	t.Helper()
	old, err := chartPods(ctx, c, agentComponent)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.HelmUpgrade(ctx, values...); err != nil {
		t.Fatal(err)
	}
	waitReadyPods(t, ctx, c, agentComponent, len(l.Nodes), uids(old))
}

// waitAppSandboxFailure waits until a pod of app has a sandbox failure
// event holding every one of want, and returns its message.
func waitAppSandboxFailure(t *testing.T, ctx context.Context, c client.Client, ns, app string, want ...string) string {
	t.Helper()
	var msg string
	var seen []string
	err := wait.PollUntilContextTimeout(ctx, time.Second, podWait, true, func(ctx context.Context) (bool, error) {
		pods := &corev1.PodList{}
		if err := c.List(ctx, pods, client.InNamespace(ns), client.MatchingLabels{"app": app}); err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		for _, p := range pods.Items {
			events := &corev1.EventList{}
			err := c.List(ctx, events, client.InNamespace(ns),
				client.MatchingFields{"involvedObject.name": p.Name, "reason": reasonFailedSandbox})
			if err != nil {
				continue
			}
			for _, e := range events.Items {
				seen = append(seen[:0], e.Message)
				if containsAll(e.Message, want) {
					msg = e.Message
					return true, nil
				}
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no sandbox failure of a pod of %s/%s naming %q: %v; last seen %q", ns, app, want, err, seen)
	}
	return msg
}
