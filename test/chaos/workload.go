// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"fmt"
	"math/big"
	"net/netip"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// The pools every workload shares: default pools of the chaos ranges,
// sized a half above the pod count so that addresses are reused often.
const (
	// PoolV4 is the IPv4 default pool.
	PoolV4 = "chaos-v4"
	// PoolV6 is the IPv6 default pool.
	PoolV6   = "chaos-v6"
	subnetV4 = "10.253.0.0/16"
	subnetV6 = "fd00:253::/64"
	// Deployments is the number of Deployments sharing the pods.
	Deployments = 4
	// StatefulSetName names the one StatefulSet.
	StatefulSetName = "chaos-sts"
)

// Pools returns the two default pools holding pods*3/2+20 addresses each.
func Pools(pods int) []*spiderpoolv2beta1.SpiderIPPool {
	size := int64(pods*3/2 + 20)
	mk := func(name string, v int64, subnet, first string) *spiderpoolv2beta1.SpiderIPPool {
		start := netip.MustParseAddr(first)
		end := addrAdd(start, size-1)
		gw := netip.MustParsePrefix(subnet).Addr().Next()
		return &spiderpoolv2beta1.SpiderIPPool{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(v), Subnet: subnet, Gateway: ptr.To(gw.String()),
				IPs: []string{start.String() + "-" + end.String()}, Default: ptr.To(true)},
		}
	}
	return []*spiderpoolv2beta1.SpiderIPPool{mk(PoolV4, 4, subnetV4, "10.253.0.10"), mk(PoolV6, 6, subnetV6, "fd00:253::10")}
}

func addrAdd(a netip.Addr, n int64) netip.Addr {
	v := new(big.Int).SetBytes(a.AsSlice())
	v.Add(v, big.NewInt(n))
	b := v.FillBytes(make([]byte, len(a.AsSlice())))
	out, _ := netip.AddrFromSlice(b)
	return out
}

// Shape splits pods over the workloads: 80% across the Deployments, 10%
// in the StatefulSet; the rest is headroom for scaling up.
type Shape struct {
	Deployment  int32
	StatefulSet int32
}

// ShapeOf is the base replica count of each workload for pods.
func ShapeOf(pods int) Shape {
	return Shape{Deployment: int32(max(1, pods*8/10/Deployments)), StatefulSet: int32(max(1, pods/10))} //nolint:gosec // small counts
}

// DeploymentName names Deployment i.
func DeploymentName(i int) string { return fmt.Sprintf("chaos-deploy-%d", i) }

func podTemplate(app string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}},
		Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: ptr.To[int64](1),
			Containers:                    []corev1.Container{{Name: "c", Image: "pause"}},
		},
	}
}

// CreateWorkloads creates the namespace, the Deployments and the
// StatefulSet at their base size.
func CreateWorkloads(ctx context.Context, c client.Client, ns string, s Shape) error {
	objs := []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}}
	for i := range Deployments {
		name := DeploymentName(i)
		sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}
		objs = append(objs, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To(s.Deployment), Selector: sel, Template: podTemplate(name)}})
	}
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": StatefulSetName}}
	objs = append(objs, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: StatefulSetName},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To(s.StatefulSet), Selector: sel, Template: podTemplate(StatefulSetName),
			PodManagementPolicy: appsv1.ParallelPodManagement}})
	for _, o := range objs {
		if err := c.Create(ctx, o); err != nil {
			return fmt.Errorf("create %T %s: %w", o, o.GetName(), err)
		}
	}
	return nil
}
