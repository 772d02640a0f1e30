// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// v12Manifests use the fields Spiderpool v1.1 and v1.2 added: mtu,
// ippools.matchMasterSubnet, cniType vlan with vlanMode, and the
// coordinator's policyRoutes and vethMTU.
var v12Manifests = []string{`
apiVersion: spiderpool.spidernet.io/v2beta1
kind: SpiderMultusConfig
metadata: {name: macvlan-v12}
spec:
  cniType: macvlan
  macvlan:
    master: [eth1]
    mtu: 1400
    ippools: {ipv4: [v4], matchMasterSubnet: true}
  coordinator:
    mode: underlay
    policyRoutes: [{dst: 192.168.0.0/16, gw: 10.6.0.1}]
    vethMTU: 1450
`, `
apiVersion: spiderpool.spidernet.io/v2beta1
kind: SpiderMultusConfig
metadata: {name: vlan-manual}
spec:
  cniType: vlan
  vlan:
    master: [eth1, eth2]
    mtu: 1500
    vlanMode: manual
    vlanID: 20
    bond: {name: bond0, mode: 1, options: miimon=100}
    rdmaResourceName: spidernet.io/rdma
    ippools: {ipv4: [v4], ipv6: [v6], matchMasterSubnet: true}
`, `
apiVersion: spiderpool.spidernet.io/v2beta1
kind: SpiderMultusConfig
metadata: {name: vlan-auto}
spec:
  cniType: vlan
  vlan: {master: [eth1], vlanMode: auto}
`, `
apiVersion: spiderpool.spidernet.io/v2beta1
kind: SpiderMultusConfig
metadata: {name: sriov-mtu}
spec:
  cniType: sriov
  sriov: {resourceName: spidernet.io/vf, mtu: 9000, ippools: {ipv4: [v4], matchMasterSubnet: true}}
`, `
apiVersion: spiderpool.spidernet.io/v2beta1
kind: SpiderCoordinator
metadata: {name: v12-coordinator}
spec:
  podCIDRType: none
  policyRoutes: [{dst: 172.16.0.0/12, gw: 10.6.0.254}]
  vethMTU: 9000
`}

// TestV12ManifestsKeepEveryField creates each manifest through the real
// webhooks and checks that the stored object holds every field it set,
// with the same value: nothing pruned or rewritten.
func TestV12ManifestsKeepEveryField(t *testing.T) {
	c := sharedEnv(t).client
	ns := newTestNamespace(t, c)
	for _, m := range v12Manifests {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(m), &obj.Object); err != nil {
			t.Fatal(err)
		}
		if obj.GetKind() != "SpiderCoordinator" {
			obj.SetNamespace(ns)
		}
		t.Run(obj.GetName(), func(t *testing.T) {
			want := obj.DeepCopy()
			create(t, c, obj)
			t.Cleanup(func() { release(t, c, obj) })
			stored := &unstructured.Unstructured{}
			stored.SetGroupVersionKind(obj.GroupVersionKind())
			if err := c.Get(t.Context(), client.ObjectKeyFromObject(obj), stored); err != nil {
				t.Fatal(err)
			}
			for _, lost := range missing("", want.Object["spec"], stored.Object["spec"]) {
				t.Errorf("spec%s", lost)
			}
		})
	}
}

// missing lists the paths of want's leaves that got lacks or holds with
// another value.
func missing(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		var out []string
		for k, v := range w {
			out = append(out, missing(path+"."+k, v, g[k])...)
		}
		return out
	case []any:
		g, _ := got.([]any)
		if len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %v stored as %v", path, w, got)}
		}
		var out []string
		for i := range w {
			out = append(out, missing(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	}
	if !reflect.DeepEqual(want, got) && !strings.EqualFold(fmt.Sprint(want), fmt.Sprint(got)) {
		return []string{fmt.Sprintf("%s: %v stored as %v", path, want, got)}
	}
	return nil
}
