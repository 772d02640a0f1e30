// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/controller"
)

// startAutoPoolController runs a controller replica with the subnet and
// auto-pool features on, the IP GC off (the records tests write name no
// pod), and defaultRedundant as the ConfigMap's default "+N".
func startAutoPoolController(t *testing.T, defaultRedundant int) string {
	t.Helper()
	ns := newNamespace(t)
	createValidatingConfiguration(t, ns)
	opts := replica(t, ns, "controller-autopool")
	opts.Env.GC.Enabled = false
	opts.Env.WorkqueueRetryDelay = time.Second
	opts.ConfigMap = config.ConfigMap{EnableIPv4: true, EnableIPv6: true, EnableSpiderSubnet: true,
		EnableAutoPoolForApplication: true, ClusterSubnetDefaultFlexibleIPNumber: defaultRedundant}
	startReplica(t, opts)
	return ns
}

// createSubnet creates a subnet with Spiderpool's finalizer, as the
// mutating webhook would.
func createSubnet(t *testing.T, cidr, gateway string, ips ...string) *spiderpoolv2beta1.SpiderSubnet {
	t.Helper()
	s := &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: poolName(t), Finalizers: []string{spiderpoolv2beta1.SpiderFinalizer}},
		Spec:       spiderpoolv2beta1.SubnetSpec{Subnet: cidr, IPs: ips},
	}
	if gateway != "" {
		s.Spec.Gateway = ptr.To(gateway)
	}
	if err := apiServer.client.Create(t.Context(), s); err != nil {
		t.Fatalf("create subnet: %v", err)
	}
	return s
}

// getSubnet reads a subnet and its records.
func getSubnet(t *testing.T, name string) (*spiderpoolv2beta1.SpiderSubnet, spiderpoolv2beta1.PoolIPPreAllocations) {
	t.Helper()
	s := &spiderpoolv2beta1.SpiderSubnet{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: name}, s); err != nil {
		t.Fatalf("get subnet %s: %v", name, err)
	}
	records, err := spiderpoolv2beta1.ParseControlledIPPools(s.Status.ControlledIPPools)
	if err != nil {
		t.Fatal(err)
	}
	return s, records
}

// deployment returns a Deployment whose pod template has annos.
func deployment(ns, name string, replicas int32, annos map[string]string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: podTemplate(labels, annos)},
	}
}

func podTemplate(labels, annos map[string]string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: annos},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := apiServer.client.Create(t.Context(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// subnetAnno is the ipam.spidernet.io/subnet annotation for IPv4 subnet s.
func subnetAnno(s string) map[string]string {
	return map[string]string{spiderpoolv2beta1.AnnoSubnet: fmt.Sprintf(`{"ipv4":[%q]}`, s)}
}

// appPools lists the auto-created pools of the app named name in ns.
func appPools(t *testing.T, ns, name string) []spiderpoolv2beta1.SpiderIPPool {
	t.Helper()
	var list spiderpoolv2beta1.SpiderIPPoolList
	err := apiServer.client.List(t.Context(), &list, client.MatchingLabels{
		spiderpoolv2beta1.LabelOwnerApplicationNamespace: ns, spiderpoolv2beta1.LabelOwnerApplicationName: name})
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(list.Items, func(p spiderpoolv2beta1.SpiderIPPool) bool { return p.DeletionTimestamp != nil })
}

// poolSized reports whether the app has exactly one pool, of size IPs,
// recorded as such in its subnet.
func poolSized(t *testing.T, ns, name, subnet string, size int64) error {
	pools := appPools(t, ns, name)
	if len(pools) != 1 {
		return fmt.Errorf("%w: %s/%s has %d pools", errWaiting, ns, name, len(pools))
	}
	got, err := allocator.TotalIPCount(allocator.IPv4, pools[0].Spec.IPs, nil)
	if err != nil || got != size {
		return fmt.Errorf("%w: pool %s has %d IPs, want %d (%w)", errWaiting, pools[0].Name, got, size, err)
	}
	_, records := getSubnet(t, subnet)
	if !slices.Equal(records[pools[0].Name].IPs, pools[0].Spec.IPs) {
		return fmt.Errorf("%w: record %v, pool %v", errWaiting, records[pools[0].Name].IPs, pools[0].Spec.IPs)
	}
	return nil
}

// scale sets a Deployment's replicas.
func scale(t *testing.T, d *appsv1.Deployment, replicas int32) {
	t.Helper()
	orig := d.DeepCopy()
	d.Spec.Replicas = &replicas
	if err := apiServer.client.Patch(t.Context(), d, client.MergeFrom(orig)); err != nil {
		t.Fatal(err)
	}
}

var _ = controller.ReasonBadAutoPoolAnnotation
