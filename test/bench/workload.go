// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"context"
	"fmt"
	"maps"
	"net/netip"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

// appLabel marks the benchmark's pods; its value is the Deployment name.
const appLabel = "bench-app"

// layout is where a scenario's addresses come from: two named pools, or
// two SpiderSubnets from which every Deployment gets its own auto pools.
type layout struct {
	// objs are created before the Deployments.
	objs []client.Object
	// podAnnotations go on every pod template.
	podAnnotations map[string]string
	// pools are the named pools; subnets the SpiderSubnets whose auto
	// pools hold the records.
	pools, subnets []string
	// note says how the addresses were laid out.
	note string
}

// layoutOf builds scenario number i's layout on 10.(200+i).0.0/16 and
// fd00:b:i::/64, holding either exactly as many addresses as pods or 65,533.
func layoutOf(i int, s Scenario) layout {
	v4Net := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(200 + i), 0, 0}), 16)
	v6Net := netip.PrefixFrom(netip.MustParseAddr(fmt.Sprintf("fd00:b:%x::", i)), 64)
	size := 65533
	if s.Pools == PoolsExact {
		size = s.Pods()
	}
	v4, v6 := fmt.Sprintf("bench-%s-v4", s.Name), fmt.Sprintf("bench-%s-v6", s.Name)
	v4Spec, v6Spec := addressSpec(spiderpoolv2beta1.IPv4, v4Net, size), addressSpec(spiderpoolv2beta1.IPv6, v6Net, size)
	if s.Pools == PoolsSubnet {
		return layout{
			objs:           []client.Object{subnetOf(v4, v4Spec), subnetOf(v6, v6Spec)},
			podAnnotations: map[string]string{annotation.KeySubnet: fmt.Sprintf(`{"ipv4":[%q],"ipv6":[%q]}`, v4, v6)},
			subnets:        []string{v4, v6},
			note: fmt.Sprintf("from auto pools of the SpiderSubnets %s (%s) and %s (%s), one pair per Deployment "+
				"(ipam.spidernet.io/subnet, the default size: replicas + the cluster's redundant number)",
				v4, v4Spec.IPs[0], v6, v6Spec.IPs[0]),
		}
	}
	return layout{
		objs: []client.Object{
			&spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: v4}, Spec: v4Spec},
			&spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: v6}, Spec: v6Spec},
		},
		podAnnotations: map[string]string{annotation.KeyIPPool: fmt.Sprintf(`{"ipv4":[%q],"ipv6":[%q]}`, v4, v6)},
		pools:          []string{v4, v6},
		note:           fmt.Sprintf("%s: IPv4 %s, IPv6 %s, named by every pod (ipam.spidernet.io/ippool)", s.Pools, v4Spec.IPs[0], v6Spec.IPs[0]),
	}
}

// addressSpec holds size addresses from the subnet's third address on; the
// second is the gateway.
func addressSpec(v int64, subnet netip.Prefix, size int) spiderpoolv2beta1.IPPoolSpec {
	gw := subnet.Addr().Next()
	first := gw.Next()
	last := first
	for range size - 1 {
		last = last.Next()
	}
	return spiderpoolv2beta1.IPPoolSpec{
		IPVersion: ptr.To(v), Subnet: subnet.String(),
		IPs: []string{first.String() + "-" + last.String()}, Gateway: ptr.To(gw.String()),
	}
}

// subnetOf is a SpiderSubnet with the address fields of spec.
func subnetOf(name string, spec spiderpoolv2beta1.IPPoolSpec) *spiderpoolv2beta1.SpiderSubnet {
	return &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.SubnetSpec{
			IPVersion: spec.IPVersion, Subnet: spec.Subnet, IPs: spec.IPs, Gateway: spec.Gateway,
		},
	}
}

// deployment is one of the scenario's Deployments; its pods carry the
// layout's annotations.
func deployment(ns, name string, replicas int, l layout) *appsv1.Deployment {
	labels := map[string]string{appLabel: name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(replicas)), //nolint:gosec // validated to at most 60000
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: maps.Clone(l.podAnnotations)},
				// The default grace period (30 s), as Spiderpool's pods had: a
				// pod stays Terminating until its node has torn its network
				// down. With 0 the API server removes the object at once and
				// the IP GC may free an address its old interface still holds.
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "pause", Image: "registry.k8s.io/pause:3.10"}},
				},
			},
		},
	}
}

// createAll creates objs in order.
func createAll(ctx context.Context, c client.Client, objs ...client.Object) error {
	for _, o := range objs {
		if err := c.Create(ctx, o); err != nil {
			return fmt.Errorf("create %T %s: %w", o, o.GetName(), err)
		}
	}
	return nil
}

// deploymentName is the name of Deployment number i of a scenario.
func deploymentName(i int) string { return fmt.Sprintf("d%03d", i) }
