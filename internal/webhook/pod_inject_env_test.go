// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// injectExcluded is the namespace allOn keeps away from the Pod webhook.
const injectExcluded = "inject-excluded"

const (
	networkKey = spiderpoolv2beta1.AnnoNetworkResourceInject
	rdmaKey    = spiderpoolv2beta1.AnnoRDMAResourceInject
	networksOf = spiderpoolv2beta1.AnnoMultusNetworks
)

// namespace creates a namespace with annotations; envtest has no
// namespace controller to delete it, so it stays.
func namespace(t *testing.T, c client.Client, name string, annotations map[string]string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: annotations}}
	if err := c.Create(t.Context(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", name, err)
	}
}

// testPod is a pod with annotations and two containers, the second
// limited to limits.
func testPod(namespace, name string, annotations map[string]string, limits corev1.ResourceList) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Annotations: annotations},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "app", Image: "app"},
			{Name: "side", Image: "side", Resources: corev1.ResourceRequirements{Limits: limits, Requests: limits}},
		}},
	}
}

// smcOf creates a SpiderMultusConfig through the webhooks.
func smcOf(t *testing.T, c client.Client, smc *spiderpoolv2beta1.SpiderMultusConfig) {
	t.Helper()
	create(t, c, smc)
	t.Cleanup(func() { release(t, c, smc) })
}

// injectNetworks creates the networks the Pod webhook tests select: value
// pi-blue on a macvlan network with an RDMA resource, on an SR-IOV
// network of another namespace whose NAD has its own name, and on a
// macvlan network with no resource and no pool (our decision #10).
func injectNetworks(t *testing.T, c client.Client) {
	t.Helper()
	pools := &spiderpoolv2beta1.SpiderpoolPools{IPv4IPPool: []string{"pi-v4"}}
	for _, ns := range []string{"inject-a", "inject-b", injectExcluded} {
		namespace(t, c, ns, nil)
	}
	smcOf(t, c, &spiderpoolv2beta1.SpiderMultusConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: "inject-a", Name: "macvlan-rdma", Annotations: map[string]string{networkKey: "pi-blue"}},
		Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("macvlan"), Macvlan: &spiderpoolv2beta1.MacvlanConfig{
			Master: []string{"eth1"}, RdmaResourceName: ptr.To("spidernet.io/rdma-a"), SpiderpoolConfigPools: pools}},
	})
	smcOf(t, c, &spiderpoolv2beta1.SpiderMultusConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: "inject-b", Name: "sriov-vf", Annotations: map[string]string{
			networkKey: "pi-blue", spiderpoolv2beta1.AnnoMultusConfigName: "sriov-vf-nad"}},
		Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("sriov"), SRIOV: &spiderpoolv2beta1.SRIOVConfig{
			ResourceName: ptr.To("spidernet.io/vf-b"), SpiderpoolConfigPools: pools}},
	})
	smcOf(t, c, &spiderpoolv2beta1.SpiderMultusConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: "inject-a", Name: "macvlan-plain", Annotations: map[string]string{networkKey: "pi-blue"}},
		Spec:       spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("macvlan"), Macvlan: &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth2"}}},
	})
	// Labelled by hand, without the annotation the SpiderMultusConfig
	// webhook would check: the Pod webhook finds it has no RDMA resource.
	smcOf(t, c, &spiderpoolv2beta1.SpiderMultusConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: "inject-a", Name: "macvlan-labelled", Labels: map[string]string{rdmaKey: "pi-red"}},
		Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("macvlan"), Macvlan: &spiderpoolv2beta1.MacvlanConfig{
			Master: []string{"eth3"}, SpiderpoolConfigPools: pools}},
	})
}

// TestPodInjectNetworksAndLimits creates pods through the real API server
// and Pod webhook: the networks of every namespace carrying the value are
// attached, their NADs listed by name, and each resource no container
// limits yet is added to the first container.
func TestPodInjectNetworksAndLimits(t *testing.T) {
	c := sharedEnv(t).client
	injectNetworks(t, c)
	one := resource.MustParse("1")
	pod := testPod("inject-a", "pi-injected", map[string]string{networkKey: "pi-blue", networksOf: "overwritten"},
		corev1.ResourceList{"spidernet.io/vf-b": one})
	create(t, c, pod)
	t.Cleanup(func() { _ = c.Delete(context.Background(), pod) })
	if got, want := pod.Annotations[networksOf], "inject-a/macvlan-plain,inject-a/macvlan-rdma,inject-b/sriov-vf-nad"; got != want {
		t.Errorf("networks = %q, want %q", got, want)
	}
	app := pod.Spec.Containers[0].Resources
	if q := app.Limits["spidernet.io/rdma-a"]; q.Cmp(one) != 0 {
		t.Errorf("first container limits %v, want spidernet.io/rdma-a: 1", app.Limits)
	}
	if q := app.Requests["spidernet.io/rdma-a"]; q.Cmp(one) != 0 {
		t.Errorf("first container requests %v, want spidernet.io/rdma-a: 1", app.Requests)
	}
	if _, ok := app.Limits["spidernet.io/vf-b"]; ok {
		t.Errorf("spidernet.io/vf-b added again, although the second container has it: %v", app.Limits)
	}

	namespace(t, c, "inject-ns", map[string]string{networkKey: "pi-blue"})
	fromNS := testPod("inject-ns", "pi-from-namespace", nil, nil)
	create(t, c, fromNS)
	t.Cleanup(func() { _ = c.Delete(context.Background(), fromNS) })
	if got := fromNS.Annotations[networksOf]; got != "inject-a/macvlan-plain,inject-a/macvlan-rdma,inject-b/sriov-vf-nad" {
		t.Errorf("namespace-level annotation: networks = %q", got)
	}
}

// TestPodInjectRejects checks the pods the webhook refuses, each with the
// annotation, its value and the fix in the message.
func TestPodInjectRejects(t *testing.T) {
	c := sharedEnv(t).client
	injectNetworks(t, c)
	for _, tc := range []struct {
		name        string
		annotations map[string]string
		wants       []string
	}{
		{"unknown value", map[string]string{networkKey: "pi-nothing"},
			[]string{networkKey, `"pi-nothing"`, "matches no SpiderMultusConfig", "annotate the SpiderMultusConfigs"}},
		{"not a label value", map[string]string{networkKey: "no spaces"}, []string{networkKey, "is not a label value"}},
		{"rdma without resource", map[string]string{rdmaKey: "pi-red"},
			[]string{rdmaKey, "inject-a/macvlan-labelled", "spec.macvlan.rdmaResourceName", networkKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Create(t.Context(), testPod("inject-a", "pi-rejected", tc.annotations, nil), client.DryRunAll)
			rejected(t, err, apierrors.IsInvalid, tc.wants...)
		})
	}
}

// TestPodInjectLeavesOthersAlone checks that a pod without an annotation,
// and an annotated pod of an excluded namespace, are stored as sent.
func TestPodInjectLeavesOthersAlone(t *testing.T) {
	c := sharedEnv(t).client
	injectNetworks(t, c)
	for _, pod := range []*corev1.Pod{
		testPod("inject-a", "pi-plain", nil, nil),
		testPod(injectExcluded, "pi-excluded", map[string]string{networkKey: "pi-nothing"}, nil),
	} {
		create(t, c, pod)
		t.Cleanup(func() { _ = c.Delete(context.Background(), pod) })
		if _, ok := pod.Annotations[networksOf]; ok || pod.Spec.Containers[0].Resources.Limits != nil {
			t.Errorf("pod %s/%s was changed: annotations %v, limits %v", pod.Namespace, pod.Name,
				pod.Annotations, pod.Spec.Containers[0].Resources.Limits)
		}
	}
}
