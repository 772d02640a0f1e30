// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func TestReservedIPThroughAPI(t *testing.T) {
	c := sharedEnv(t).client
	rip := &spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "reserved-v6"},
		Spec: spiderpoolv2beta1.ReservedIPSpec{IPs: []string{"fd30::5-fd30::9", "fd30::1-fd30::5"}}}
	create(t, c, rip)
	t.Cleanup(func() { release(t, c, rip) })
	want := spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv6), IPs: []string{"fd30::1-fd30::9"}}
	if diff := cmp.Diff(want, rip.Spec); diff != "" {
		t.Errorf("stored spec (-want +got):\n%s", diff)
	}
	bad := &spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "reserved-bad"},
		Spec: spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), IPs: []string{"10.30.0.1", "fd30::1"}}}
	rejected(t, c.Create(t.Context(), bad), apierrors.IsInvalid, `spec.ips[1]: Invalid value: "fd30::1"`, "is not an IPv4 address")
	empty := &spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "reserved-empty"}}
	rejected(t, c.Create(t.Context(), empty), apierrors.IsInvalid, "spec.ipVersion: Required value")
}

func TestCoordinatorThroughAPI(t *testing.T) {
	c := sharedEnv(t).client
	coord := &spiderpoolv2beta1.SpiderCoordinator{ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: spiderpoolv2beta1.CoordinatorSpec{PodCIDRType: ptr.To("calico"), HijackCIDR: []string{"169.254.25.10", "10.96.0.0/12"}}}
	create(t, c, coord)
	t.Cleanup(func() { release(t, c, coord) })
	want := spiderpoolv2beta1.CoordinatorSpec{Mode: ptr.To("auto"), PodCIDRType: ptr.To("calico"),
		HijackCIDR: []string{"169.254.25.10/32", "10.96.0.0/12"}, TunePodRoutes: ptr.To(true), HostRuleTable: ptr.To(500),
		PodRPFilter: ptr.To(0), TxQueueLen: ptr.To(0), VethLinkAddress: ptr.To("")}
	if diff := cmp.Diff(want, coord.Spec); diff != "" || len(coord.Finalizers) != 1 {
		t.Errorf("stored spec (-want +got):\n%s\nfinalizers %v", diff, coord.Finalizers)
	}
	for _, tc := range []struct {
		name  string
		spec  spiderpoolv2beta1.CoordinatorSpec
		wants []string
	}{
		{"no podCIDRType", spiderpoolv2beta1.CoordinatorSpec{}, []string{"spec.podCIDRType: Required value"}},
		{"multicast MAC prefix", spiderpoolv2beta1.CoordinatorSpec{PodCIDRType: ptr.To("none"), PodMACPrefix: ptr.To("01:02")},
			[]string{`spec.podMACPrefix: Invalid value: "01:02": starts with the multicast byte 01`}},
		{"bad hijackCIDR", spiderpoolv2beta1.CoordinatorSpec{PodCIDRType: ptr.To("none"), HijackCIDR: []string{"10.0.0.0/33"}},
			[]string{`spec.hijackCIDR[0]: Invalid value: "10.0.0.0/33": is neither an IP nor a CIDR`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := &spiderpoolv2beta1.SpiderCoordinator{ObjectMeta: metav1.ObjectMeta{Name: "bad"}, Spec: tc.spec}
			rejected(t, c.Create(t.Context(), bad), apierrors.IsInvalid, tc.wants...)
		})
	}
}

func TestMultusConfigThroughAPI(t *testing.T) {
	c := sharedEnv(t).client
	smc := &spiderpoolv2beta1.SpiderMultusConfig{
		ObjectMeta: metav1.ObjectMeta{Name: "macvlan-vlan100", Namespace: "default",
			Annotations: map[string]string{spiderpoolv2beta1.AnnoNetworkResourceInject: "fabric-a"}},
		Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("macvlan"),
			Macvlan: &spiderpoolv2beta1.MacvlanConfig{Master: []string{"ens192"}, VlanID: ptr.To[int32](100),
				SpiderpoolConfigPools: &spiderpoolv2beta1.SpiderpoolPools{IPv4IPPool: []string{"vlan100-v4"}}}},
	}
	create(t, c, smc)
	t.Cleanup(func() { release(t, c, smc) })
	if smc.Labels[spiderpoolv2beta1.AnnoNetworkResourceInject] != "fabric-a" || smc.Spec.Coordinator == nil ||
		ptr.Deref(smc.Spec.Coordinator.Mode, "") != "auto" || ptr.Deref(smc.Spec.Macvlan.RdmaResourceName, "x") != "" ||
		smc.Spec.ChainCNIJSONData == nil || !ptr.Deref(smc.Spec.EnableCoordinator, false) {
		t.Errorf("stored %+v", smc)
	}
	renamed := smc.DeepCopy()
	renamed.Annotations[spiderpoolv2beta1.AnnoMultusConfigName] = "other-name"
	rejected(t, c.Update(t.Context(), renamed), apierrors.IsInvalid,
		"metadata.annotations[multus.spidernet.io/cr-name]: Forbidden: names the generated NetworkAttachmentDefinition and cannot change")

	for _, tc := range []struct {
		name  string
		smc   *spiderpoolv2beta1.SpiderMultusConfig
		wants []string
	}{
		{"two blocks", &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "two", Namespace: "default"},
			Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("ipvlan"),
				IPvlan: &spiderpoolv2beta1.IPvlanConfig{Master: []string{"eth1"}}, SRIOV: &spiderpoolv2beta1.SRIOVConfig{}}},
			[]string{"spec.sriov: Forbidden: cniType is ipvlan, which does not use spec.sriov; remove it, or set cniType: sriov"}},
		{"name of another SMC's NAD", &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "dup", Namespace: "default",
			Annotations: map[string]string{spiderpoolv2beta1.AnnoMultusConfigName: "macvlan-vlan100"}}},
			[]string{`SpiderMultusConfig "macvlan-vlan100" already generates NetworkAttachmentDefinition default/macvlan-vlan100`}},
		{"chain entry without type", &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "chain", Namespace: "default"},
			Spec: spiderpoolv2beta1.MultusCNIConfigSpec{ChainCNIJSONData: []string{`{"name":"x"}`}}},
			[]string{`spec.chainCNIJsonData[0]: Invalid value: "{\"name\":\"x\"}": has no "type"`}},
		{"rdma without resource", &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "rdma", Namespace: "default",
			Annotations: map[string]string{spiderpoolv2beta1.AnnoRDMAResourceInject: "x"}},
			Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("macvlan"), Macvlan: &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth1"}}}},
			[]string{"spec.macvlan.rdmaResourceName: Required value", "spec.macvlan.ippools: Required value"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rejected(t, c.Create(t.Context(), tc.smc), apierrors.IsInvalid, tc.wants...)
		})
	}
}
