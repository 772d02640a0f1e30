// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package crd_test

import (
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Fragments of the API server's schema messages.
const (
	unsupported = "Unsupported value"
	atMost      = "should be less than or equal to"
	atLeast     = "should be greater than or equal to"
	required    = "Required value"
)

// wantInvalid fails t unless err is an Invalid error whose message names
// field and contains fragment.
func wantInvalid(t *testing.T, err error, field, fragment string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("got %v, want an Invalid error for %s", err, field)
	}
	if msg := err.Error(); !strings.Contains(msg, field+":") || !strings.Contains(msg, fragment) {
		t.Errorf("message %q does not name %q with %q", msg, field, fragment)
	}
}

func TestCreateRejectsInvalid(t *testing.T) {
	ns := namespace(t, "crd-invalid")
	tests := []struct {
		name     string
		obj      client.Object
		field    string
		fragment string
	}{
		{"ippool ipVersion 5", with(newIPPool("bad-1"), func(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.IPVersion = ptrTo[int64](5) }),
			"spec.ipVersion", unsupported + ": 5"},
		{"ippool without subnet", with(newIPPool("bad-2"), func(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.Subnet = "" }),
			"spec.subnet", required},
		{"ippool route without gw", with(newIPPool("bad-2a"), func(p *spiderpoolv2beta1.SpiderIPPool) {
			p.Spec.Routes = []spiderpoolv2beta1.Route{{Dst: "10.7.0.0/16"}}
		}), "spec.routes[0].gw", required},
		{"subnet route without dst", with(newSubnet("bad-3a"), func(s *spiderpoolv2beta1.SpiderSubnet) {
			s.Spec.Routes = []spiderpoolv2beta1.Route{{Gw: "fd00::1"}}
		}), "spec.routes[0].dst", required},
		{"subnet ipVersion 5", with(newSubnet("bad-3"), func(s *spiderpoolv2beta1.SpiderSubnet) { s.Spec.IPVersion = ptrTo[int64](5) }),
			"spec.ipVersion", unsupported},
		{"reservedip ipVersion 0", with(newReservedIP("bad-4"), func(r *spiderpoolv2beta1.SpiderReservedIP) { r.Spec.IPVersion = ptrTo[int64](0) }),
			"spec.ipVersion", unsupported},
		{"endpoint vlan 5000", with(newEndpoint(ns, "bad-5"), func(e *spiderpoolv2beta1.SpiderEndpoint) { e.Status.Current.IPs[0].Vlan = ptrTo[int64](5000) }),
			"status.current.ips[0].vlan", atMost + " 4094"},
		{"endpoint without ownerControllerName", without(t, newEndpoint(ns, "bad-6"), "status", "ownerControllerName"),
			"status.ownerControllerName", required},
		{"smc cniType foo", smc(ns, "bad-7", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) { s.CNIType = ptrTo("foo") }),
			"spec.cniType", unsupported + `: "foo"`},
		{"smc macvlan vlanID 5000", smc(ns, "bad-8", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) { s.Macvlan.VlanID = ptrTo[int32](5000) }),
			"spec.macvlan.vlanID", atMost + " 4094"},
		{"smc macvlan no master", smc(ns, "bad-9", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) { s.Macvlan.Master = []string{} }),
			"spec.macvlan.master", required},
		{"smc bond without name", smc(ns, "bad-9a", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
			s.Macvlan.Master, s.Macvlan.Bond = []string{"eth1", "eth2"}, &spiderpoolv2beta1.BondConfig{Mode: 1}
		}), "spec.macvlan.bond.name", required},
		{"smc bond mode 7", smc(ns, "bad-10", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
			s.Macvlan.Bond = &spiderpoolv2beta1.BondConfig{Name: "bond0", Mode: 7}
		}), "spec.macvlan.bond.mode", atMost + " 6"},
		{"smc ipvlan vlanID -1", smc(ns, "bad-11", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
			s.CNIType, s.Macvlan = ptrTo(spiderpoolv2beta1.CNITypeIPvlan), nil
			s.IPvlan = &spiderpoolv2beta1.IPvlanConfig{Master: []string{"eth1"}, VlanID: ptrTo[int32](-1)}
		}), "spec.ipvlan.vlanID", atLeast + " 0"},
		{"smc sriov minTxRate -1", smc(ns, "bad-12", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
			s.CNIType, s.Macvlan = ptrTo(spiderpoolv2beta1.CNITypeSRIOV), nil
			s.SRIOV = &spiderpoolv2beta1.SRIOVConfig{MinTxRateMbps: ptrTo(-1)}
		}), "spec.sriov.minTxRateMbps", atLeast + " 0"},
		{"smc ibsriov linkState bad", smc(ns, "bad-13", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
			s.CNIType, s.Macvlan = ptrTo(spiderpoolv2beta1.CNITypeIBSRIOV), nil
			s.IBSRIOV = &spiderpoolv2beta1.IBSRIOVConfig{LinkState: ptrTo("bad")}
		}), "spec.ibsriov.linkState", unsupported + `: "bad"`},
		{"smc ovs without bridge", smc(ns, "bad-14", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
			s.CNIType, s.Macvlan = ptrTo(spiderpoolv2beta1.CNITypeOVS), nil
			s.OVS = &spiderpoolv2beta1.OVSConfig{}
		}), "spec.ovs.bridge", required},
		{"smc ovs trunk id 4095", smc(ns, "bad-15", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
			s.CNIType, s.Macvlan = ptrTo(spiderpoolv2beta1.CNITypeOVS), nil
			s.OVS = &spiderpoolv2beta1.OVSConfig{BrName: "br1", Trunk: []spiderpoolv2beta1.Trunk{{ID: ptrTo[uint](4095)}}}
		}), "spec.ovs.trunk[0].id", atMost + " 4094"},
		{"smc coordinator mode bogus", smc(ns, "bad-16", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) { s.Coordinator.Mode = ptrTo("bogus") }),
			"spec.coordinator.mode", unsupported + `: "bogus"`},
		{"coordinator mode bogus", scc("bad-17", func(s *spiderpoolv2beta1.CoordinatorSpec) { s.Mode = ptrTo("bogus") }),
			"spec.mode", unsupported + `: "bogus"`},
		{"coordinator podCIDRType bad", scc("bad-18", func(s *spiderpoolv2beta1.CoordinatorSpec) { s.PodCIDRType = ptrTo("flannel") }),
			"spec.podCIDRType", unsupported + `: "flannel"`},
		{"coordinator txQueueLen -1", scc("bad-19", func(s *spiderpoolv2beta1.CoordinatorSpec) { s.TxQueueLen = ptrTo(-1) }),
			"spec.txQueueLen", atLeast + " 0"},
		{"coordinator podRPFilter 3", scc("bad-20", func(s *spiderpoolv2beta1.CoordinatorSpec) { s.PodRPFilter = ptrTo(3) }),
			"spec.podRPFilter", atMost + " 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantInvalid(t, env.client.Create(t.Context(), tt.obj), tt.field, tt.fragment)
		})
	}
}

func TestCoordinatorNegativeRPFilterAccepted(t *testing.T) {
	if err := env.client.Create(t.Context(), scc("rpfilter-minus-1", func(s *spiderpoolv2beta1.CoordinatorSpec) { s.PodRPFilter = ptrTo(-1) })); err != nil {
		t.Errorf("podRPFilter -1 rejected: %v", err)
	}
}

func TestStatusUpdateRejectsInvalid(t *testing.T) {
	t.Run("ippool allocatedIPCount -1", func(t *testing.T) {
		var pool spiderpoolv2beta1.SpiderIPPool
		create(t, newIPPool("bad-status-pool"), &pool)
		pool.Status.AllocatedIPCount = ptrTo[int64](-1)
		wantInvalid(t, env.client.Status().Update(t.Context(), &pool), "status.allocatedIPCount", atLeast+" 0")
	})
	t.Run("subnet totalIPCount -1", func(t *testing.T) {
		var subnet spiderpoolv2beta1.SpiderSubnet
		create(t, newSubnet("bad-status-subnet"), &subnet)
		subnet.Status.TotalIPCount = ptrTo[int64](-1)
		wantInvalid(t, env.client.Status().Update(t.Context(), &subnet), "status.totalIPCount", atLeast+" 0")
	})
	t.Run("coordinator phase bogus", func(t *testing.T) {
		var c spiderpoolv2beta1.SpiderCoordinator
		create(t, newCoordinator("bad-status-scc"), &c)
		c.Status.Phase = "Bogus"
		wantInvalid(t, env.client.Status().Update(t.Context(), &c), "status.phase", unsupported+`: "Bogus"`)
	})
}

// TestImmutableFieldsLeftToWebhook checks that no CRD of Spiderpool's group
// carries a CEL rule (our own SpiderIPClaim has no webhook: its rules are
// CEL, tested in internal/controller).
// The schema is checked before the validating webhook, and a CEL rule's
// message shows the schema type ("string") instead of the value; the
// webhook checks the immutable ipVersion and subnet and names the old and
// the new value (internal/webhook TestImmutableFieldsThroughAPI). The other
// spec fields may change.
func TestImmutableFieldsLeftToWebhook(t *testing.T) {
	for _, crd := range env.crds {
		if crd.Spec.Group != spiderpoolv2beta1.GroupName {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if paths := celRules(v.Schema.OpenAPIV3Schema, ""); len(paths) > 0 {
				t.Errorf("%s %s has CEL rules at %v; check those fields in internal/validation instead", crd.Name, v.Name, paths)
			}
		}
	}
	var pool spiderpoolv2beta1.SpiderIPPool
	create(t, newIPPool("mutable-pool-ips"), &pool)
	pool.Spec.IPs = []string{"10.6.0.10-10.6.0.30"}
	if err := env.client.Update(t.Context(), &pool); err != nil {
		t.Errorf("update of ips rejected: %v", err)
	}
}

// celRules returns the paths under s that carry x-kubernetes-validations.
func celRules(s *apiextensionsv1.JSONSchemaProps, path string) []string {
	if s == nil {
		return nil
	}
	var found []string
	if len(s.XValidations) > 0 {
		found = append(found, path)
	}
	for name := range s.Properties {
		p := s.Properties[name]
		found = append(found, celRules(&p, path+"."+name)...)
	}
	if s.Items != nil {
		found = append(found, celRules(s.Items.Schema, path+"[]")...)
	}
	if s.AdditionalProperties != nil {
		found = append(found, celRules(s.AdditionalProperties.Schema, path+"{}")...)
	}
	return found
}

func with[T client.Object](obj T, edit func(T)) client.Object {
	edit(obj)
	return obj
}

// without converts obj to unstructured and removes the field at path, which
// a typed object cannot leave out when its JSON tag has no omitempty.
func without(t *testing.T, obj client.Object, path ...string) client.Object {
	t.Helper()
	gvk, err := apiutil.GVKForObject(obj, env.client.Scheme())
	if err != nil {
		t.Fatal(err)
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: content}
	u.SetGroupVersionKind(gvk)
	unstructured.RemoveNestedField(u.Object, path...)
	return u
}

func smc(namespace, name string, edit func(*spiderpoolv2beta1.MultusCNIConfigSpec)) client.Object {
	m := newMultusConfig(namespace, name)
	edit(&m.Spec)
	return m
}

func scc(name string, edit func(*spiderpoolv2beta1.CoordinatorSpec)) client.Object {
	c := newCoordinator(name)
	edit(&c.Spec)
	return c
}
