// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func TestDefaultIPPool(t *testing.T) {
	tests := []struct {
		name string
		in   pool
		want pool
	}{
		{
			name: "v4 derived and merged",
			in: with(pool4("p", "10.6.0.20-10.6.0.30", "10.6.0.10-10.6.0.21", "10.6.0.5"), func(p pool) {
				p.Spec.IPVersion, p.Spec.ExcludeIPs = nil, []string{"10.6.0.7", "10.6.0.6"}
			}),
			want: with(pool4("p", "10.6.0.5", "10.6.0.10-10.6.0.30"), func(p pool) {
				p.Finalizers = []string{spiderpoolv2beta1.SpiderFinalizer}
				p.Labels = map[string]string{spiderpoolv2beta1.LabelIPPoolCIDR: "10-6-0-0-16"}
				p.Spec.ExcludeIPs = []string{"10.6.0.6-10.6.0.7"}
			}),
		},
		{
			name: "v6 and a single entry kept as written",
			in:   with(pool6("p", "fd00::10-fd00::10"), func(p pool) { p.Spec.IPVersion = nil }),
			want: with(pool6("p", "fd00::10-fd00::10"), func(p pool) {
				p.Finalizers = []string{spiderpoolv2beta1.SpiderFinalizer}
				p.Labels = map[string]string{spiderpoolv2beta1.LabelIPPoolCIDR: "fd00---64"}
			}),
		},
		{
			name: "bad entries left for validation",
			in:   pool4("p", "10.6.0.1", "bad"),
			want: with(pool4("p", "10.6.0.1", "bad"), func(p pool) {
				p.Finalizers = []string{spiderpoolv2beta1.SpiderFinalizer}
				p.Labels = map[string]string{spiderpoolv2beta1.LabelIPPoolCIDR: "10-6-0-0-16"}
			}),
		},
		{
			name: "bad subnet: no version, no label",
			in:   with(pool4("p"), func(p pool) { p.Spec.IPVersion, p.Spec.Subnet = nil, "10.6.0.0" }),
			want: with(pool4("p"), func(p pool) {
				p.Spec.IPVersion, p.Spec.Subnet = nil, "10.6.0.0"
				p.Finalizers = []string{spiderpoolv2beta1.SpiderFinalizer}
			}),
		},
		{
			name: "label that would be invalid is not set",
			in:   with(pool6("p"), withSubnet("::/64")),
			want: with(pool6("p"), withSubnet("::/64"), func(p pool) { p.Finalizers = []string{spiderpoolv2beta1.SpiderFinalizer} }),
		},
		{
			name: "terminating: left alone, so removing the finalizer never changes the spec",
			in:   with(pool4("p", "10.6.0.2", "10.6.0.1"), func(p pool) { p.DeletionTimestamp, p.Spec.IPVersion = &metav1.Time{}, nil }),
			want: with(pool4("p", "10.6.0.2", "10.6.0.1"), func(p pool) { p.DeletionTimestamp, p.Spec.IPVersion = &metav1.Time{}, nil }),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.DeepCopy()
			DefaultIPPool(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DefaultIPPool (-want +got):\n%s", diff)
			}
			again := got.DeepCopy()
			DefaultIPPool(again)
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("DefaultIPPool is not idempotent (-first +second):\n%s", diff)
			}
		})
	}
}

func TestDefaultSubnetAndReservedIP(t *testing.T) {
	s := with(subnet4("s", "10.6.0.3", "10.6.0.1-10.6.0.2"), func(s subnet) { s.Spec.IPVersion = nil })
	DefaultSubnet(s)
	want := with(subnet4("s", "10.6.0.1-10.6.0.3"), func(s subnet) {
		s.Finalizers = []string{spiderpoolv2beta1.SpiderFinalizer}
		s.Labels = map[string]string{spiderpoolv2beta1.LabelSubnetCIDR: "10-6-0-0-16"}
	})
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("DefaultSubnet (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		name string
		in   reserved
		want reserved
	}{
		{"v6 derived", reservedIP(nil, "fd00::2-fd00::5", "fd00::1"), reservedIP(ptrTo(spiderpoolv2beta1.IPv6), "fd00::1-fd00::5")},
		{"v4 derived from a range", reservedIP(nil, "10.6.0.1-10.6.0.2"), reservedIP(ptrTo(spiderpoolv2beta1.IPv4), "10.6.0.1-10.6.0.2")},
		{"empty: nothing to derive", reservedIP(nil), reservedIP(nil)},
		{"bad first entry", reservedIP(nil, "x", "10.6.0.1"), reservedIP(nil, "x", "10.6.0.1")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			DefaultReservedIP(tt.in)
			if diff := cmp.Diff(tt.want, tt.in); diff != "" {
				t.Errorf("DefaultReservedIP (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInheritFromSubnet(t *testing.T) {
	s := subnet4("s1")
	s.Spec.Gateway = ptrTo("10.6.0.1")
	s.Spec.Routes = []spiderpoolv2beta1.Route{{Dst: "10.7.0.0/16", Gw: "10.6.0.1"}}
	ref := metav1.OwnerReference{APIVersion: "spiderpool.spidernet.io/v2beta1", Kind: "SpiderSubnet", Name: "s1",
		UID: s.UID, Controller: ptrTo(true), BlockOwnerDeletion: ptrTo(true)}
	tests := []struct {
		name string
		in   pool
		want pool
	}{
		{name: "inherits", in: pool4("p"), want: with(pool4("p"), func(p pool) {
			p.OwnerReferences = []metav1.OwnerReference{ref}
			p.Labels = map[string]string{spiderpoolv2beta1.LabelOwnerSpiderSubnet: "s1"}
			p.Spec.Gateway, p.Spec.Routes = s.Spec.Gateway, s.Spec.Routes
		})},
		{name: "keeps own gateway and empty routes", in: with(pool4("p"), func(p pool) {
			p.Spec.Gateway, p.Spec.Routes = ptrTo("10.6.0.254"), []spiderpoolv2beta1.Route{}
		}), want: with(pool4("p"), func(p pool) {
			p.OwnerReferences = []metav1.OwnerReference{ref}
			p.Labels = map[string]string{spiderpoolv2beta1.LabelOwnerSpiderSubnet: "s1"}
			p.Spec.Gateway, p.Spec.Routes = ptrTo("10.6.0.254"), []spiderpoolv2beta1.Route{}
		})},
		{name: "already owned by it", in: with(pool4("p"), func(p pool) { p.OwnerReferences = []metav1.OwnerReference{ref} }),
			want: with(pool4("p"), func(p pool) {
				p.OwnerReferences = []metav1.OwnerReference{ref}
				p.Labels = map[string]string{spiderpoolv2beta1.LabelOwnerSpiderSubnet: "s1"}
				p.Spec.Gateway, p.Spec.Routes = s.Spec.Gateway, s.Spec.Routes
			})},
		{name: "controlled by something else", in: with(pool4("p"), func(p pool) {
			p.OwnerReferences = []metav1.OwnerReference{{Kind: "Other", Name: "o", UID: "x", Controller: ptrTo(true)}}
		}), want: with(pool4("p"), func(p pool) {
			p.OwnerReferences = []metav1.OwnerReference{{Kind: "Other", Name: "o", UID: "x", Controller: ptrTo(true)}}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.DeepCopy()
			InheritFromSubnet(got, s)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("InheritFromSubnet (-want +got):\n%s", diff)
			}
			if name := ControllerSubnet(got); (name == "s1") != (tt.name != "controlled by something else") {
				t.Errorf("ControllerSubnet = %q", name)
			}
		})
	}
}

func TestSubnetFor(t *testing.T) {
	deleting := with(subnet4("old"), func(s subnet) { s.DeletionTimestamp = &metav1.Time{} })
	list := subnets(with(subnet4("s24"), subnetCIDR("10.6.0.0/24")), deleting, subnet4("s16"))
	if got := SubnetFor(pool4("p"), list); got == nil || got.Name != "s16" {
		t.Errorf("SubnetFor = %v, want s16", got)
	}
	if got := SubnetFor(pool4("p"), list[:2]); got != nil {
		t.Errorf("SubnetFor = %s, want none", got.Name)
	}
}

func TestDefaultCoordinator(t *testing.T) {
	c := newCoordinator()
	c.Spec.HijackCIDR = []string{"10.96.0.0/12", "169.254.25.10", "fd00::a", "bad"}
	DefaultCoordinator(c)
	want := newCoordinator()
	want.Finalizers = []string{spiderpoolv2beta1.SpiderFinalizer}
	want.Spec = spiderpoolv2beta1.CoordinatorSpec{
		Mode: ptrTo("auto"), PodCIDRType: ptrTo("calico"), TunePodRoutes: ptrTo(true), HostRuleTable: ptrTo(500),
		PodRPFilter: ptrTo(0), TxQueueLen: ptrTo(0), VethLinkAddress: ptrTo(""),
		HijackCIDR: []string{"10.96.0.0/12", "169.254.25.10/32", "fd00::a/128", "bad"},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("DefaultCoordinator (-want +got):\n%s", diff)
	}
	kept := with(want, func(c coordinator) { c.Spec.Mode, c.Spec.TunePodRoutes = ptrTo("overlay"), ptrTo(false) })
	got := kept.DeepCopy()
	DefaultCoordinator(got)
	if diff := cmp.Diff(kept, got); diff != "" {
		t.Errorf("DefaultCoordinator changed set fields (-want +got):\n%s", diff)
	}
}

func TestDefaultMultusConfig(t *testing.T) {
	type spec = *spiderpoolv2beta1.MultusCNIConfigSpec
	emptyPools := &spiderpoolv2beta1.SpiderpoolPools{IPv4IPPool: []string{}, IPv6IPPool: []string{}}
	defaultCoordinator := &spiderpoolv2beta1.CoordinatorSpec{Mode: ptrTo("auto"), PodMACPrefix: ptrTo(""), PodDefaultRouteNIC: ptrTo(""),
		TunePodRoutes: ptrTo(true), PodRPFilter: ptrTo(0), TxQueueLen: ptrTo(0), VethLinkAddress: ptrTo("")}
	tests := []struct {
		name string
		in   smc
		want smc
	}{
		{name: "custom", in: with(newSMC("a", "custom", func(s spec) {
			s.Coordinator, s.EnableCoordinator = &spiderpoolv2beta1.CoordinatorSpec{}, ptrTo(true)
		}), func(m smc) { m.Spec.CNIType = nil }), want: newSMC("a", "custom", func(s spec) {
			s.EnableCoordinator, s.DisableIPAM, s.CustomCNI, s.ChainCNIJSONData = ptrTo(false), ptrTo(false), ptrTo(""), []string{}
		})},
		{name: "macvlan", in: with(newSMC("a", "macvlan", func(s spec) {
			s.Macvlan = &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth1", "eth2"}, Bond: &spiderpoolv2beta1.BondConfig{Name: "b"}}
		}), annotated(spiderpoolv2beta1.AnnoRDMAResourceInject, "net")), want: with(newSMC("a", "macvlan", func(s spec) {
			s.Macvlan = &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth1", "eth2"}, VlanID: ptrTo[int32](0), RdmaResourceName: ptrTo(""),
				Bond: &spiderpoolv2beta1.BondConfig{Name: "b", Options: ptrTo("")}, SpiderpoolConfigPools: emptyPools}
			s.EnableCoordinator, s.DisableIPAM, s.ChainCNIJSONData, s.Coordinator = ptrTo(true), ptrTo(false), []string{}, defaultCoordinator
		}), annotated(spiderpoolv2beta1.AnnoRDMAResourceInject, "net"), func(m smc) {
			m.Labels = map[string]string{spiderpoolv2beta1.AnnoRDMAResourceInject: "net"}
		})},
		{name: "ib-sriov with a partial coordinator", in: newSMC("a", "ib-sriov", func(s spec) {
			s.IBSRIOV = &spiderpoolv2beta1.IBSRIOVConfig{ResourceName: ptrTo("r")}
			s.EnableCoordinator = ptrTo(false)
			s.Coordinator = &spiderpoolv2beta1.CoordinatorSpec{Mode: ptrTo("overlay"), HijackCIDR: []string{"10.0.0.1"}}
		}), want: newSMC("a", "ib-sriov", func(s spec) {
			s.IBSRIOV = &spiderpoolv2beta1.IBSRIOVConfig{ResourceName: ptrTo("r"), Pkey: ptrTo(""), LinkState: ptrTo("enable"),
				RdmaIsolation: ptrTo(true), IbKubernetesEnabled: ptrTo(false), SpiderpoolConfigPools: emptyPools}
			s.EnableCoordinator, s.DisableIPAM, s.ChainCNIJSONData = ptrTo(false), ptrTo(false), []string{}
			s.Coordinator = &spiderpoolv2beta1.CoordinatorSpec{Mode: ptrTo("overlay"), HijackCIDR: []string{"10.0.0.1/32"}, PodMACPrefix: ptrTo(""),
				PodDefaultRouteNIC: ptrTo(""), TunePodRoutes: ptrTo(true), PodRPFilter: ptrTo(0), TxQueueLen: ptrTo(0)}
		})},
		{name: "sriov and ovs blocks", in: newSMC("a", "sriov", func(s spec) { s.SRIOV = &spiderpoolv2beta1.SRIOVConfig{} }),
			want: newSMC("a", "sriov", func(s spec) {
				s.SRIOV = &spiderpoolv2beta1.SRIOVConfig{VlanID: ptrTo[int32](0), MinTxRateMbps: ptrTo(0), MaxTxRateMbps: ptrTo(0),
					EnableRdma: ptrTo(false), SpiderpoolConfigPools: emptyPools}
				s.EnableCoordinator, s.DisableIPAM, s.ChainCNIJSONData, s.Coordinator = ptrTo(true), ptrTo(false), []string{}, defaultCoordinator
			})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.DeepCopy()
			DefaultMultusConfig(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DefaultMultusConfig (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultsLeaveTerminatingAlone(t *testing.T) {
	gone := &metav1.Time{}
	p := with(pool4("p", "10.6.0.2", "10.6.0.1"), func(p pool) { p.DeletionTimestamp = gone })
	s := with(subnet4("s", "10.6.0.2", "10.6.0.1"), func(s subnet) { s.DeletionTimestamp = gone })
	r := with(reservedIP(nil, "10.6.0.2", "10.6.0.1"), func(r reserved) { r.DeletionTimestamp = gone })
	c := with(newCoordinator(), func(c coordinator) { c.DeletionTimestamp = gone })
	m := with(newSMC("a", "macvlan", macvlan), func(m smc) { m.DeletionTimestamp = gone })
	for _, tc := range []struct {
		name  string
		obj   interface{ DeepCopyObject() runtime.Object }
		apply func()
	}{
		{"pool", p, func() { DefaultIPPool(p); InheritFromSubnet(p, subnet4("s")) }},
		{"subnet", s, func() { DefaultSubnet(s) }},
		{"reserved IP", r, func() { DefaultReservedIP(r) }},
		{"coordinator", c, func() { DefaultCoordinator(c) }},
		{"multus config", m, func() { DefaultMultusConfig(m) }},
	} {
		before := tc.obj.DeepCopyObject()
		tc.apply()
		if diff := cmp.Diff(before, tc.obj.DeepCopyObject()); diff != "" {
			t.Errorf("%s: a terminating object was changed (-before +after):\n%s", tc.name, diff)
		}
	}
}
