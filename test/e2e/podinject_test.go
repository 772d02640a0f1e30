// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// TestPodInject: the controller's Pod webhook, served by the lab's
// controller process, attaches the macvlan network a pod asks for with
// cni.spidernet.io/network-resource-inject (no RDMA resource needed, our
// decision #10): the pod runs with net1 from the network's pool. A network
// with a device resource also gets the resource into the first
// container's limits, and a value no SpiderMultusConfig carries is refused
// with the annotation, the value and the fix.
func TestPodInject(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	ns := lab.PodInjectNamespace
	const plainPool, rdmaPool = "e2e-inject-net1", "e2e-inject-rdma"
	const resourceName = "spidernet.io/e2e-rdma"
	createPool(t, ctx, underlayPool(plainPool, "75"))
	createPool(t, ctx, underlayPool(rdmaPool, "76"))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	plain := macvlanSMC(ns, "inject-macvlan", "eth1", plainPool)
	plain.Annotations = map[string]string{spiderpoolv2beta1.AnnoNetworkResourceInject: "e2e-blue"}
	createCleaned(t, ctx, plain)
	rdma := macvlanSMC(ns, "inject-rdma", "eth1", rdmaPool)
	rdma.Annotations = map[string]string{spiderpoolv2beta1.AnnoNetworkResourceInject: "e2e-green"}
	rdma.Spec.Macvlan.RdmaResourceName = ptr.To(resourceName)
	createCleaned(t, ctx, rdma)
	waitGeneratedNAD(t, ctx, client.ObjectKeyFromObject(plain), "")

	pod := barePod(ns, "injected", "", nil, map[string]string{spiderpoolv2beta1.AnnoNetworkResourceInject: "e2e-blue"})
	createPods(t, ctx, pod)
	if got, want := pod.Annotations[spiderpoolv2beta1.AnnoMultusNetworks], ns+"/inject-macvlan"; got != want {
		t.Fatalf("stored networks %q, want %q", got, want)
	}
	waitPodRunning(t, ctx, ns, pod.Name)
	if pool, ip := nicPool(t, ctx, ns, pod.Name, "net1"); pool != plainPool {
		t.Errorf("net1 %s from pool %q, want %s", ip, pool, plainPool)
	}

	// No node offers the resource: a dry run shows what the webhook did.
	limited := barePod(ns, "injected-rdma", "", nil, map[string]string{spiderpoolv2beta1.AnnoNetworkResourceInject: "e2e-green"})
	if err := shared.c.Create(ctx, limited, client.DryRunAll); err != nil {
		t.Fatalf("dry-run create: %v", err)
	}
	if got := limited.Annotations[spiderpoolv2beta1.AnnoMultusNetworks]; got != ns+"/inject-rdma" {
		t.Errorf("networks %q", got)
	}
	if q := limited.Spec.Containers[0].Resources.Limits[resourceName]; q.Cmp(resource.MustParse("1")) != 0 {
		t.Errorf("first container limits %v, want %s: 1", limited.Spec.Containers[0].Resources.Limits, resourceName)
	}

	refused := barePod(ns, "refused", "", nil, map[string]string{spiderpoolv2beta1.AnnoNetworkResourceInject: "e2e-nothing"})
	err := shared.c.Create(ctx, refused)
	if err == nil {
		t.Fatal("a pod whose value matches no SpiderMultusConfig was created")
	}
	for _, want := range []string{spiderpoolv2beta1.AnnoNetworkResourceInject, `"e2e-nothing"`, "matches no SpiderMultusConfig"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q lacks %q", err, want)
		}
	}
}
