// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// checkChartCoordinator: in chart mode the nodes' network chains the
// coordinator, spiderpool-init created the default SpiderCoordinator and
// spiderpool-controller (SPIDERPOOL_COORDINATOR_ENABLED, as the chart
// renders it) brought it to Synced on its own; a pod of pods reaches its
// node's address through veth0.
func checkChartCoordinator(t *testing.T, ctx context.Context, l *lab.Lab, c client.Client, pods []corev1.Pod) {
	t.Helper()
	cr := &spiderpoolv2beta1.SpiderCoordinator{}
	err := wait.PollUntilContextTimeout(ctx, time.Second, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		if err := c.Get(ctx, client.ObjectKey{Name: "default"}, cr); err != nil {
			return false, nil //nolint:nilerr // not created yet: keep polling
		}
		return cr.Status.Phase == "Synced", nil
	})
	if err != nil {
		t.Fatalf("SpiderCoordinator default: status %+v; want phase Synced: %v", cr.Status, err)
	}
	t.Logf("SpiderCoordinator default: %+v", cr.Status)
	if len(cr.Status.ServiceCIDR) == 0 {
		t.Errorf("SpiderCoordinator default: no serviceCIDR in %+v", cr.Status)
	}
	p := pods[0]
	var nodeIP string
	for _, n := range l.Nodes {
		if n.Name == p.Spec.NodeName {
			nodeIP = n.IP
		}
	}
	out, err := exec.Command("ip", "netns", "exec", l.PodNetNSPrefix()+string(p.UID), "ip", "route", "get", nodeIP).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "dev veth0") {
		t.Errorf("pod %s: route to its node %s: %q (%v); want it through veth0", p.Name, nodeIP, out, err)
	}
	if err := ping(l, p, nodeIP); err != nil {
		t.Errorf("pod %s does not reach its node: %v", p.Name, err)
	}
}
