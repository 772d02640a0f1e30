// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// rawObject builds an object of kind from JSON, so that a test can leave
// out fields the Go types would always send.
func rawObject(t *testing.T, kind, namespace, name, spec string) *unstructured.Unstructured {
	t.Helper()
	meta := fmt.Sprintf(`{"name":%q}`, name)
	if namespace != "" {
		meta = fmt.Sprintf(`{"name":%q,"namespace":%q}`, name, namespace)
	}
	u := &unstructured.Unstructured{}
	doc := fmt.Sprintf(`{"apiVersion":%q,"kind":%q,"metadata":%s,"spec":%s}`,
		spiderpoolv2beta1.GroupVersion, kind, meta, spec)
	if err := u.UnmarshalJSON([]byte(doc)); err != nil {
		t.Fatalf("build %s %s: %v", kind, name, err)
	}
	return u
}

// TestRequiredFieldsThroughAPI sends objects that leave out a field the CRD
// marks required. The mutating webhook decodes and re-encodes them; the
// field must stay missing, so that the API server reports it as required
// rather than as an invalid "".
func TestRequiredFieldsThroughAPI(t *testing.T) {
	c := sharedEnv(t).client
	pool, subnet, smc := spiderpoolv2beta1.KindSpiderIPPool, spiderpoolv2beta1.KindSpiderSubnet, spiderpoolv2beta1.KindSpiderMultusConfig
	for _, tc := range []struct {
		name, kind, namespace, spec, want string
	}{
		{"pool route without gw", pool, "", `{"subnet":"10.50.0.0/16","routes":[{"dst":"10.51.0.0/16"}]}`,
			"spec.routes[0].gw: Required value"},
		{"pool route without dst", pool, "", `{"subnet":"10.50.0.0/16","routes":[{"gw":"10.50.0.1"}]}`,
			"spec.routes[0].dst: Required value"},
		{"pool without subnet", pool, "", `{"ips":["10.50.0.10"]}`, "spec.subnet: Required value"},
		{"subnet route without gw", subnet, "", `{"subnet":"10.52.0.0/16","routes":[{"dst":"10.51.0.0/16"}]}`,
			"spec.routes[0].gw: Required value"},
		{"macvlan without master", smc, "default", `{"cniType":"macvlan","macvlan":{"vlanID":10}}`,
			"spec.macvlan.master: Required value"},
		{"bond without name", smc, "default", `{"cniType":"ipvlan","ipvlan":{"master":["eth1","eth2"],"bond":{"mode":1}}}`,
			"spec.ipvlan.bond.name: Required value"},
		{"ovs without bridge", smc, "default", `{"cniType":"ovs","ovs":{"vlan":10}}`, "spec.ovs.bridge: Required value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Create(t.Context(), rawObject(t, tc.kind, tc.namespace, "required-missing", tc.spec), client.DryRunAll)
			rejected(t, err, apierrors.IsInvalid, tc.want)
			if strings.Contains(err.Error(), `Invalid value: ""`) {
				t.Errorf("the missing field came back as an empty value: %v", err)
			}
		})
	}
}

// TestBondModeDefaultsToZero checks that a bond without mode is accepted as
// mode 0 (balance-rr), as Spiderpool accepts it.
func TestBondModeDefaultsToZero(t *testing.T) {
	c := sharedEnv(t).client
	u := rawObject(t, spiderpoolv2beta1.KindSpiderMultusConfig, "default", "bond-no-mode",
		`{"cniType":"macvlan","macvlan":{"master":["eth1","eth2"],"bond":{"name":"bond0"}}}`)
	if err := c.Create(t.Context(), u, client.DryRunAll); err != nil {
		t.Fatalf("a bond without mode was rejected: %v", err)
	}
	mode, found, err := unstructured.NestedInt64(u.Object, "spec", "macvlan", "bond", "mode")
	if err != nil || !found || mode != 0 {
		t.Errorf("stored bond mode = %d (found %v, %v), want 0", mode, found, err)
	}
}

// TestImmutableFieldsThroughAPI changes the immutable fields: the rejection
// names the field, the new and the old value and the fix.
func TestImmutableFieldsThroughAPI(t *testing.T) {
	c := sharedEnv(t).client
	pool := ipPool("pool-immutable", "10.56.0.0/16", "10.56.0.10")
	subnet := spiderSubnet("subnet-immutable", "10.57.0.0/16")
	rip := &spiderpoolv2beta1.SpiderReservedIP{}
	rip.Name, rip.Spec.IPs = "reserved-immutable", []string{"10.58.0.1"}
	for _, obj := range []client.Object{pool, subnet, rip} {
		create(t, c, obj)
		t.Cleanup(func() { release(t, c, obj) })
	}
	for _, tc := range []struct {
		name string
		obj  client.Object
		want string
	}{
		{"pool subnet", with(pool.DeepCopy(), func(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.Subnet = "10.59.0.0/16" }),
			`spec.subnet: Invalid value: "10.59.0.0/16": field is immutable (was "10.56.0.0/16"); set it back, or create a new SpiderIPPool instead`},
		{"pool ipVersion", with(pool.DeepCopy(), func(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.IPVersion = ptr.To(spiderpoolv2beta1.IPv6) }),
			`spec.ipVersion: Invalid value: 6: field is immutable (was 4); set it back, or create a new SpiderIPPool for IPv6 instead`},
		{"subnet subnet", with(subnet.DeepCopy(), func(s *spiderpoolv2beta1.SpiderSubnet) { s.Spec.Subnet = "10.59.0.0/16" }),
			`spec.subnet: Invalid value: "10.59.0.0/16": field is immutable (was "10.57.0.0/16"); set it back, or create a new SpiderSubnet instead`},
		{"reserved ipVersion", with(rip.DeepCopy(), func(r *spiderpoolv2beta1.SpiderReservedIP) { r.Spec.IPVersion = ptr.To(spiderpoolv2beta1.IPv6) }),
			`spec.ipVersion: Invalid value: 6: field is immutable (was 4); set it back, or create a new SpiderReservedIP for IPv6 instead`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Update(t.Context(), tc.obj, client.DryRunAll)
			rejected(t, err, apierrors.IsInvalid, tc.want)
			if strings.Contains(err.Error(), `Invalid value: "string"`) {
				t.Errorf("the message shows the schema type, not the value: %v", err)
			}
		})
	}
}
