// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package crd_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func ptrTo[T any](v T) *T { return &v }

// namespace creates the namespace name unless it exists.
func namespace(t *testing.T, name string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := env.client.Create(t.Context(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	return name
}

func newIPPool(name string) *spiderpoolv2beta1.SpiderIPPool {
	return &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptrTo(spiderpoolv2beta1.IPv4),
			Subnet:    "10.6.0.0/16",
			IPs:       []string{"10.6.0.10-10.6.0.20"},
			Gateway:   ptrTo("10.6.0.1"),
			Routes:    []spiderpoolv2beta1.Route{{Dst: "10.7.0.0/16", Gw: "10.6.0.1"}},
		},
	}
}

func newSubnet(name string) *spiderpoolv2beta1.SpiderSubnet {
	return &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.SubnetSpec{
			IPVersion: ptrTo(spiderpoolv2beta1.IPv6),
			Subnet:    "fd00::/64",
			IPs:       []string{"fd00::10-fd00::20"},
		},
	}
}

func newReservedIP(name string) *spiderpoolv2beta1.SpiderReservedIP {
	return &spiderpoolv2beta1.SpiderReservedIP{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptrTo(spiderpoolv2beta1.IPv4), IPs: []string{"10.6.0.15"}},
	}
}

func newEndpoint(namespace, name string) *spiderpoolv2beta1.SpiderEndpoint {
	return &spiderpoolv2beta1.SpiderEndpoint{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Finalizers: []string{spiderpoolv2beta1.SpiderFinalizer}},
		Status: spiderpoolv2beta1.WorkloadEndpointStatus{
			Current: spiderpoolv2beta1.PodIPAllocation{
				UID:  "7c1e0000-0000-0000-0000-000000000000",
				Node: "worker1",
				IPs: []spiderpoolv2beta1.IPAllocationDetail{{
					NIC:          "eth0",
					IPv4:         ptrTo("10.6.0.10/16"),
					IPv4Pool:     ptrTo("default-v4-ippool"),
					IPv4Gateway:  ptrTo("10.6.0.1"),
					IPv6:         ptrTo("fd00::10/64"),
					IPv6Pool:     ptrTo("default-v6-ippool"),
					CleanGateway: ptrTo(false),
				}},
			},
			OwnerControllerType: "Deployment",
			OwnerControllerName: "nginx",
		},
	}
}

func newMultusConfig(namespace, name string) *spiderpoolv2beta1.SpiderMultusConfig {
	return &spiderpoolv2beta1.SpiderMultusConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: spiderpoolv2beta1.MultusCNIConfigSpec{
			CNIType: ptrTo(spiderpoolv2beta1.CNITypeMacvlan),
			Macvlan: &spiderpoolv2beta1.MacvlanConfig{
				Master: []string{"ens192"},
				VlanID: ptrTo[int32](100),
				SpiderpoolConfigPools: &spiderpoolv2beta1.SpiderpoolPools{
					IPv4IPPool: []string{"vlan100-v4"}, IPv6IPPool: []string{"vlan100-v6"},
				},
			},
			Coordinator: &spiderpoolv2beta1.CoordinatorSpec{},
		},
	}
}

func newCoordinator(name string) *spiderpoolv2beta1.SpiderCoordinator {
	return &spiderpoolv2beta1.SpiderCoordinator{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.CoordinatorSpec{
			PodCIDRType: ptrTo(spiderpoolv2beta1.PodCIDRTypeCluster),
			HijackCIDR:  []string{"169.254.0.0/16"},
		},
	}
}
