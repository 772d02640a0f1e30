// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package crd_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// create creates obj and reads it back into got.
func create(t *testing.T, obj, got client.Object) {
	t.Helper()
	if err := env.client.Create(t.Context(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
	get(t, obj, got)
}

func get(t *testing.T, obj, got client.Object) {
	t.Helper()
	if err := env.client.Get(t.Context(), client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatalf("get %T %s: %v", obj, obj.GetName(), err)
	}
}

func TestIPPoolDefaultsAndStatus(t *testing.T) {
	pool := newIPPool("valid-pool")
	pool.Status.TotalIPCount = ptrTo[int64](99) // dropped: status is a subresource
	var got spiderpoolv2beta1.SpiderIPPool
	create(t, pool, &got)

	wantSpec := newIPPool("").Spec
	wantSpec.Default, wantSpec.Disable = ptrTo(false), ptrTo(false)
	if diff := cmp.Diff(wantSpec, got.Spec); diff != "" {
		t.Errorf("spec after create (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(spiderpoolv2beta1.IPPoolStatus{}, got.Status); diff != "" {
		t.Errorf("status set on create, want it ignored (-want +got):\n%s", diff)
	}

	allocations := spiderpoolv2beta1.PoolIPAllocations{
		"10.6.0.10": spiderpoolv2beta1.NewPoolIPAllocation("default", "nginx-5d9f-x", "7c1e0000-0000-0000-0000-000000000000"),
		"10.6.0.11": spiderpoolv2beta1.NewPoolIPAllocation("kube-system", "vmi-1", "8d2f0000-0000-0000-0000-000000000000"),
	}
	got.Status = spiderpoolv2beta1.IPPoolStatus{
		AllocatedIPs:     spiderpoolv2beta1.FormatAllocatedIPs(allocations),
		TotalIPCount:     ptrTo[int64](11),
		AllocatedIPCount: ptrTo[int64](2),
	}
	if err := env.client.Status().Update(t.Context(), &got); err != nil {
		t.Fatalf("status update: %v", err)
	}
	var after spiderpoolv2beta1.SpiderIPPool
	get(t, pool, &after)
	if diff := cmp.Diff(got.Status, after.Status); diff != "" {
		t.Errorf("status after update (-want +got):\n%s", diff)
	}
	parsed, err := spiderpoolv2beta1.ParseAllocatedIPs(after.Status.AllocatedIPs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(allocations, parsed); diff != "" {
		t.Errorf("allocatedIPs round trip (-want +got):\n%s", diff)
	}
}

// TestIPPoolSpiderpoolStatusString stores an allocatedIPs value exactly as
// Spiderpool v1.0 writes it and reads it back byte for byte.
func TestIPPoolSpiderpoolStatusString(t *testing.T) {
	const raw = `{"10.6.0.10":{"pod":"default/nginx-5d9f-x","podUid":"7c1e0000-0000-0000-0000-000000000000"}}`
	var got spiderpoolv2beta1.SpiderIPPool
	create(t, newIPPool("spiderpool-status-pool"), &got)
	got.Status.AllocatedIPs, got.Status.AllocatedIPCount = ptrTo(raw), ptrTo[int64](1)
	if err := env.client.Status().Update(t.Context(), &got); err != nil {
		t.Fatalf("status update: %v", err)
	}
	var after spiderpoolv2beta1.SpiderIPPool
	get(t, &got, &after)
	if after.Status.AllocatedIPs == nil || *after.Status.AllocatedIPs != raw {
		t.Fatalf("allocatedIPs = %v, want %s", after.Status.AllocatedIPs, raw)
	}
	parsed, err := spiderpoolv2beta1.ParseAllocatedIPs(after.Status.AllocatedIPs)
	if err != nil {
		t.Fatal(err)
	}
	if got := spiderpoolv2beta1.FormatAllocatedIPs(parsed); *got != raw {
		t.Errorf("re-formatted = %s, want %s", *got, raw)
	}
}

func TestIPPoolMainResourceIgnoresStatus(t *testing.T) {
	var got spiderpoolv2beta1.SpiderIPPool
	create(t, newIPPool("main-ignores-status"), &got)
	got.Status.TotalIPCount = ptrTo[int64](5)
	got.Spec.Disable = ptrTo(true)
	if err := env.client.Update(t.Context(), &got); err != nil {
		t.Fatalf("update: %v", err)
	}
	var after spiderpoolv2beta1.SpiderIPPool
	get(t, &got, &after)
	if after.Status.TotalIPCount != nil || !*after.Spec.Disable {
		t.Errorf("after update: totalIPCount %v (want nil), disable %v (want true)", after.Status.TotalIPCount, *after.Spec.Disable)
	}
}

func TestSubnetStatus(t *testing.T) {
	var got spiderpoolv2beta1.SpiderSubnet
	create(t, newSubnet("valid-subnet"), &got)
	if diff := cmp.Diff(newSubnet("").Spec, got.Spec); diff != "" {
		t.Errorf("spec after create (-want +got):\n%s", diff)
	}
	pools := spiderpoolv2beta1.PoolIPPreAllocations{
		"auto6-nginx-eth0-7f3a1": {IPs: []string{"fd00::10-fd00::12"}, Application: ptrTo("apps_v1_Deployment_default_nginx")},
		"manual-pool":            {IPs: []string{"fd00::20"}},
	}
	got.Status = spiderpoolv2beta1.SubnetStatus{
		ControlledIPPools: spiderpoolv2beta1.FormatControlledIPPools(pools),
		TotalIPCount:      ptrTo[int64](17),
		AllocatedIPCount:  ptrTo[int64](4),
	}
	if err := env.client.Status().Update(t.Context(), &got); err != nil {
		t.Fatalf("status update: %v", err)
	}
	var after spiderpoolv2beta1.SpiderSubnet
	get(t, &got, &after)
	parsed, err := spiderpoolv2beta1.ParseControlledIPPools(after.Status.ControlledIPPools)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pools, parsed); diff != "" {
		t.Errorf("controlledIPPools round trip (-want +got):\n%s", diff)
	}
}

func TestReservedIPCreate(t *testing.T) {
	var got spiderpoolv2beta1.SpiderReservedIP
	create(t, newReservedIP("valid-reserved"), &got)
	if diff := cmp.Diff(newReservedIP("").Spec, got.Spec); diff != "" {
		t.Errorf("spec after create (-want +got):\n%s", diff)
	}
}

// TestEndpointStatusIsPlainField checks that SpiderEndpoint status is
// written by create and update, and that there is no status subresource.
// The v1.2 field mac is kept.
func TestEndpointStatusIsPlainField(t *testing.T) {
	ep := newEndpoint(namespace(t, "crd-valid"), "nginx-5d9f-x")
	ep.Status.Current.IPs[0].MAC = ptrTo("5a:1e:0c:aa:bb:cc")
	var got spiderpoolv2beta1.SpiderEndpoint
	create(t, ep, &got)
	want := newEndpoint("", "").Status
	want.Current.IPs[0].Vlan = ptrTo[int64](0) // CRD default
	want.Current.IPs[0].MAC = ptrTo("5a:1e:0c:aa:bb:cc")
	if diff := cmp.Diff(want, got.Status); diff != "" {
		t.Errorf("status after create (-want +got):\n%s", diff)
	}

	got.Status.Current.Node = "worker2"
	if err := env.client.Status().Update(t.Context(), &got); !apierrors.IsNotFound(err) {
		t.Errorf("status subresource update: got %v, want NotFound (no subresource)", err)
	}
	if err := env.client.Update(t.Context(), &got); err != nil {
		t.Fatalf("update: %v", err)
	}
	var after spiderpoolv2beta1.SpiderEndpoint
	get(t, ep, &after)
	if after.Status.Current.Node != "worker2" {
		t.Errorf("node after plain update = %q, want worker2", after.Status.Current.Node)
	}
}

func TestMultusConfigDefaults(t *testing.T) {
	ns := namespace(t, "crd-valid")
	tests := []struct {
		name string
		spec spiderpoolv2beta1.MultusCNIConfigSpec
		want spiderpoolv2beta1.MultusCNIConfigSpec
	}{
		{
			name: "empty",
			want: spiderpoolv2beta1.MultusCNIConfigSpec{
				CNIType: ptrTo(spiderpoolv2beta1.CNITypeCustom), EnableCoordinator: ptrTo(true), DisableIPAM: ptrTo(false),
			},
		},
		{
			name: "macvlan-vlan100",
			spec: newMultusConfig("", "").Spec,
			want: func() spiderpoolv2beta1.MultusCNIConfigSpec {
				s := newMultusConfig("", "").Spec
				s.EnableCoordinator, s.DisableIPAM = ptrTo(true), ptrTo(false)
				s.Coordinator = defaultCoordinator()
				return s
			}(),
		},
		{
			name: "ib-sriov",
			spec: spiderpoolv2beta1.MultusCNIConfigSpec{
				CNIType: ptrTo(spiderpoolv2beta1.CNITypeIBSRIOV),
				IBSRIOV: &spiderpoolv2beta1.IBSRIOVConfig{ResourceName: ptrTo("spidernet.io/mlx_ib")},
			},
			want: spiderpoolv2beta1.MultusCNIConfigSpec{
				CNIType: ptrTo(spiderpoolv2beta1.CNITypeIBSRIOV), EnableCoordinator: ptrTo(true), DisableIPAM: ptrTo(false),
				IBSRIOV: &spiderpoolv2beta1.IBSRIOVConfig{
					ResourceName: ptrTo("spidernet.io/mlx_ib"), LinkState: ptrTo("enable"),
					RdmaIsolation: ptrTo(true), IbKubernetesEnabled: ptrTo(false),
				},
			},
		},
		{
			name: "sriov",
			spec: spiderpoolv2beta1.MultusCNIConfigSpec{
				CNIType: ptrTo(spiderpoolv2beta1.CNITypeSRIOV),
				SRIOV:   &spiderpoolv2beta1.SRIOVConfig{ResourceName: ptrTo("spidernet.io/mlx_sriov"), MaxTxRateMbps: ptrTo(100)},
			},
			want: spiderpoolv2beta1.MultusCNIConfigSpec{
				CNIType: ptrTo(spiderpoolv2beta1.CNITypeSRIOV), EnableCoordinator: ptrTo(true), DisableIPAM: ptrTo(false),
				SRIOV: &spiderpoolv2beta1.SRIOVConfig{
					ResourceName: ptrTo("spidernet.io/mlx_sriov"), MaxTxRateMbps: ptrTo(100), EnableRdma: ptrTo(false),
				},
			},
		},
		{
			name: "ovs",
			spec: spiderpoolv2beta1.MultusCNIConfigSpec{
				CNIType: ptrTo(spiderpoolv2beta1.CNITypeOVS),
				OVS: &spiderpoolv2beta1.OVSConfig{BrName: "br1", VlanTag: ptrTo[int32](10), Trunk: []spiderpoolv2beta1.Trunk{
					{MinID: ptrTo[uint](10), MaxID: ptrTo[uint](20)}, {ID: ptrTo[uint](4094)},
				}},
				ChainCNIJSONData: []string{`{"type":"tuning"}`},
			},
			want: spiderpoolv2beta1.MultusCNIConfigSpec{
				CNIType: ptrTo(spiderpoolv2beta1.CNITypeOVS), EnableCoordinator: ptrTo(true), DisableIPAM: ptrTo(false),
				OVS: &spiderpoolv2beta1.OVSConfig{BrName: "br1", VlanTag: ptrTo[int32](10), Trunk: []spiderpoolv2beta1.Trunk{
					{MinID: ptrTo[uint](10), MaxID: ptrTo[uint](20)}, {ID: ptrTo[uint](4094)},
				}},
				ChainCNIJSONData: []string{`{"type":"tuning"}`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			smc := &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: tt.name}, Spec: tt.spec}
			var got spiderpoolv2beta1.SpiderMultusConfig
			create(t, smc, &got)
			if diff := cmp.Diff(tt.want, got.Spec); diff != "" {
				t.Errorf("spec after create (-want +got):\n%s", diff)
			}
		})
	}
}

// defaultCoordinator is an empty CoordinatorSpec after CRD defaulting.
func defaultCoordinator() *spiderpoolv2beta1.CoordinatorSpec {
	return &spiderpoolv2beta1.CoordinatorSpec{
		Mode: ptrTo(spiderpoolv2beta1.CoordinatorModeAuto), TunePodRoutes: ptrTo(true),
		HostRuleTable: ptrTo(500), PodRPFilter: ptrTo(0), TxQueueLen: ptrTo(0),
	}
}

func TestCoordinatorDefaultsAndStatus(t *testing.T) {
	var got spiderpoolv2beta1.SpiderCoordinator
	create(t, newCoordinator("default"), &got)
	want := *defaultCoordinator()
	want.PodCIDRType, want.HijackCIDR = ptrTo(spiderpoolv2beta1.PodCIDRTypeCluster), []string{"169.254.0.0/16"}
	if diff := cmp.Diff(want, got.Spec); diff != "" {
		t.Errorf("spec after create (-want +got):\n%s", diff)
	}
	got.Status = spiderpoolv2beta1.CoordinatorStatus{
		Phase:          spiderpoolv2beta1.CoordinatorPhaseSynced,
		OverlayPodCIDR: []string{"10.244.0.0/16", "fd00:10:244::/56"},
		ServiceCIDR:    []string{"10.96.0.0/12"},
	}
	if err := env.client.Status().Update(t.Context(), &got); err != nil {
		t.Fatalf("status update: %v", err)
	}
	var after spiderpoolv2beta1.SpiderCoordinator
	get(t, &got, &after)
	if diff := cmp.Diff(got.Status, after.Status); diff != "" {
		t.Errorf("status after update (-want +got):\n%s", diff)
	}
}

// TestCoordinatorModeBothSpellings: Spiderpool's CRD says "disabled", its
// plugin "disable"; both are accepted (docs/compatibility.md #4).
func TestCoordinatorModeBothSpellings(t *testing.T) {
	for _, mode := range []string{spiderpoolv2beta1.CoordinatorModeDisabled, spiderpoolv2beta1.CoordinatorModeDisable,
		spiderpoolv2beta1.CoordinatorModeUnderlay, spiderpoolv2beta1.CoordinatorModeOverlay} {
		t.Run(mode, func(t *testing.T) {
			scc := newCoordinator("mode-" + mode)
			scc.Spec.Mode = ptrTo(mode)
			if err := env.client.Create(t.Context(), scc); err != nil {
				t.Errorf("mode %q rejected: %v", mode, err)
			}
		})
	}
}

func TestNetworkAttachmentDefinitionCreate(t *testing.T) {
	nad := &nadv1.NetworkAttachmentDefinition{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace(t, "crd-valid"), Name: "macvlan-vlan100"},
		Spec:       nadv1.NetworkAttachmentDefinitionSpec{Config: `{"cniVersion":"0.3.1","name":"macvlan-vlan100","plugins":[]}`},
	}
	var got nadv1.NetworkAttachmentDefinition
	create(t, nad, &got)
	if got.Spec.Config != nad.Spec.Config {
		t.Errorf("config = %q, want %q", got.Spec.Config, nad.Spec.Config)
	}
}
