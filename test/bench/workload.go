// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"context"
	"fmt"
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

// poolPair names a scenario's IPv4 and IPv6 pools.
type poolPair struct{ v4, v6 string }

func (p poolPair) names() []string { return []string{p.v4, p.v6} }

// pools builds scenario number i's pools: 10.(200+i).0.0/16 and
// fd00:bench:i::/64, holding either exactly n addresses or 65,533.
func pools(i int, s Scenario) (poolPair, []*spiderpoolv2beta1.SpiderIPPool) {
	names := poolPair{v4: fmt.Sprintf("bench-%s-v4", s.Name), v6: fmt.Sprintf("bench-%s-v6", s.Name)}
	v4Base := netip.AddrFrom4([4]byte{10, byte(200 + i), 0, 0})
	v6Base := netip.MustParseAddr(fmt.Sprintf("fd00:b:%x::", i))
	size := 65533
	if s.Pools == PoolsExact {
		size = s.Pods()
	}
	return names, []*spiderpoolv2beta1.SpiderIPPool{
		pool(names.v4, spiderpoolv2beta1.IPv4, netip.PrefixFrom(v4Base, 16), size),
		pool(names.v6, spiderpoolv2beta1.IPv6, netip.PrefixFrom(v6Base, 64), size),
	}
}

// pool holds size addresses from the subnet's third address on; the second
// is the gateway.
func pool(name string, v int64, subnet netip.Prefix, size int) *spiderpoolv2beta1.SpiderIPPool {
	gw := subnet.Addr().Next()
	first := gw.Next()
	last := first
	for range size - 1 {
		last = last.Next()
	}
	return &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptr.To(v), Subnet: subnet.String(),
			IPs: []string{first.String() + "-" + last.String()}, Gateway: ptr.To(gw.String()),
		},
	}
}

// deployment is one of the scenario's Deployments; its pods name both
// pools in the ipam.spidernet.io/ippool annotation.
func deployment(ns, name string, replicas int, p poolPair) *appsv1.Deployment {
	labels := map[string]string{appLabel: name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(replicas)), //nolint:gosec // validated to at most 60000
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: map[string]string{
					annotation.KeyIPPool: fmt.Sprintf(`{"ipv4":[%q],"ipv6":[%q]}`, p.v4, p.v6),
				}},
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
