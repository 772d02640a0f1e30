// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// selectionPools are one pool per source, so the chosen pool tells which
// source won.
func selectionPools() []client.Object {
	return []client.Object{
		newPool("anno-multi-a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}),
		newPool("anno-multi-b", "10.2.0.0/24", []string{"10.2.0.10-10.2.0.20"}),
		newPool("anno-one", "10.3.0.0/24", []string{"10.3.0.10-10.3.0.20"}),
		newPool("anno-one6", "fd03::/64", []string{"fd03::10-fd03::20"}),
		newPool("ns-pool", "10.4.0.0/24", []string{"10.4.0.10-10.4.0.20"}),
		newPool("netconf-pool", "10.5.0.0/24", []string{"10.5.0.10-10.5.0.20"}),
		newPool("cluster-default", "10.6.0.0/24", []string{"10.6.0.10-10.6.0.20"}, withDefault),
		newPool("cluster-default6", "fd06::/64", []string{"fd06::10-fd06::20"}, withDefault),
	}
}

func TestSelectionSourcesAndPriority(t *testing.T) {
	ippools := `[{"interface":"eth0","ipv4":["anno-multi-a"]},{"interface":"net1","ipv4":["anno-multi-b"],"cleangateway":true}]`
	ippool := `{"ipv4":["anno-one"],"ipv6":["anno-one6"]}`
	tests := []struct {
		name      string
		pod       []podOpt
		nsAnno    map[string]string
		netconf   []string
		ifName    string
		want      []string
		wantClean map[string]bool
	}{{
		name:      "ippools annotation allocates every NIC at once",
		pod:       []podOpt{withAnno(annotation.KeyIPPools, ippools), withAnno(annotation.KeyIPPool, ippool)},
		want:      []string{"eth0:anno-multi-a=10.1.0.10/24", "net1:anno-multi-b=10.2.0.10/24"},
		wantClean: map[string]bool{"eth0": false, "net1": true},
	}, {
		name:   "ippools annotation from the second NIC's ADD",
		pod:    []podOpt{withAnno(annotation.KeyIPPools, ippools)},
		ifName: "net1",
		want:   []string{"eth0:anno-multi-a=10.1.0.10/24", "net1:anno-multi-b=10.2.0.10/24"},
	}, {
		name:    "ippool annotation beats namespace and netconf",
		pod:     []podOpt{withAnno(annotation.KeyIPPool, ippool)},
		nsAnno:  map[string]string{annotation.KeyNamespaceDefaultIPv4Pool: `["ns-pool"]`},
		netconf: []string{"netconf-pool"},
		want:    []string{"eth0:anno-one=10.3.0.10/24", "eth0:anno-one6=fd03::10/64"},
	}, {
		name:    "namespace beats netconf",
		nsAnno:  map[string]string{annotation.KeyNamespaceDefaultIPv4Pool: `["ns-pool"]`},
		netconf: []string{"netconf-pool"},
		want:    []string{"eth0:ns-pool=10.4.0.10/24"},
	}, {
		name:    "netconf beats cluster default",
		netconf: []string{"netconf-pool"},
		want:    []string{"eth0:netconf-pool=10.5.0.10/24"},
	}, {
		name: "cluster default pools of both families",
		want: []string{"eth0:cluster-default=10.6.0.10/24", "eth0:cluster-default6=fd06::10/64"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := newPod("p", tt.pod...)
			ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "sel", Annotations: tt.nsAnno}}
			pod.Namespace = ns.Name
			e := newEnv(t, testConfig(), interceptor.Funcs{}, append(selectionPools(), ns, pod)...)
			req := addReq(pod, "eth0")
			if tt.ifName != "" {
				req.IfName = tt.ifName
			}
			req.DefaultIPv4Pools = tt.netconf
			res, err := e.svc.Allocate(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, addrs(res)); diff != "" {
				t.Errorf("addresses (-want +got):\n%s", diff)
			}
			for nic, clean := range tt.wantClean {
				if n, _ := res.NIC(nic); n.CleanGateway != clean {
					t.Errorf("%s cleanGateway = %v, want %v", nic, n.CleanGateway, clean)
				}
			}
		})
	}
}

func TestNoSelectionRule(t *testing.T) {
	pod := newPod("p")
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10"}))
	_, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if !errors.Is(err, ipam.ErrNoPool) || !strings.Contains(err.Error(), "no pool selection rules") {
		t.Fatalf("err = %v, want ErrNoPool about selection rules", err)
	}
}

func TestWildcards(t *testing.T) {
	pools := []client.Object{
		newPool("blue-2", "10.2.0.0/24", []string{"10.2.0.10"}),
		newPool("blue-1", "10.1.0.0/24", []string{"10.1.0.10"}),
		newPool("blue-6", "fd01::/64", []string{"fd01::10"}),
		newPool("red-1", "10.9.0.0/24", []string{"10.9.0.10"}),
	}
	tests := []struct {
		name, anno string
		pods       int
		want       []string
		wantErr    error
	}{
		// blue-1 then blue-2 by name; blue-6 is IPv6 and never an IPv4 match.
		{name: "star in name order, then alternate", anno: `{"ipv4":["blue-*"]}`, pods: 2,
			want: []string{"eth0:blue-1=10.1.0.10/24", "eth0:blue-2=10.2.0.10/24"}},
		{name: "literal first keeps its place", anno: `{"ipv4":["blue-2","blue-?"]}`, pods: 2,
			want: []string{"eth0:blue-2=10.2.0.10/24", "eth0:blue-1=10.1.0.10/24"}},
		{name: "class", anno: `{"ipv4":["[r]ed-1"]}`, pods: 1, want: []string{"eth0:red-1=10.9.0.10/24"}},
		{name: "no match", anno: `{"ipv4":["green-*"]}`, pods: 1, wantErr: ipam.ErrNoPool},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var objs []client.Object
			var pods []*corev1.Pod
			for i := range tt.pods {
				pod := newPod(string(rune('a'+i)), withAnno(annotation.KeyIPPool, tt.anno))
				pods = append(pods, pod)
				objs = append(objs, pod)
			}
			e := newEnv(t, testConfig(), interceptor.Funcs{}, append(objs, pools...)...)
			var got []string
			for _, pod := range pods {
				res, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("err = %v, want %v", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, addrs(res)...)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("addresses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDisabledFamilyDropped(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["v4"],"ipv6":["v6"]}`))
	cfg := testConfig()
	cfg.EnableIPv6 = false
	e := newEnv(t, cfg, interceptor.Funcs{}, pod,
		newPool("v4", "10.1.0.0/24", []string{"10.1.0.10"}), newPool("v6", "fd01::/64", []string{"fd01::10"}))
	res, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"eth0:v4=10.1.0.10/24"}, addrs(res)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}

	only6 := newPod("q", withAnno(annotation.KeyIPPool, `{"ipv6":["v6"]}`))
	if err := e.client.Create(t.Context(), only6); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Allocate(t.Context(), addReq(only6, "eth0")); !errors.Is(err, ipam.ErrNoPool) {
		t.Fatalf("IPv6-only pod with IPv6 disabled: err = %v, want ErrNoPool", err)
	}
}

func TestMissingPoolIsNamed(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["exists","ghost"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("exists", "10.1.0.0/24", []string{"10.1.0.10"}))
	_, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if !errors.Is(err, ipam.ErrPoolNotFound) || !strings.Contains(err.Error(), "ghost") {
		t.Fatalf("err = %v, want ErrPoolNotFound naming ghost", err)
	}
	if n := e.store.Calls("UpdatePoolStatus"); n != 0 {
		t.Errorf("%d pool writes, want none", n)
	}
}

func TestMalformedAnnotationTouchesNothing(t *testing.T) {
	tests := []struct{ key, value string }{
		{annotation.KeyIPPool, `{"ipv4":"not-a-list"}`},
		{annotation.KeyIPPools, `[{"interface":"net1","ipv4":["a"]}]`}, // eth0 not listed
		{annotation.KeyRoutes, `[{"dst":"10.0.0.0/33","gw":"10.1.0.1"}]`},
		{annotation.KeyMultusNetworks, `[{"namespace":"x"}]`}, // only read for multusName
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			pod := newPod("p", withAnno(tt.key, tt.value))
			pool := newPool("a", "10.1.0.0/24", []string{"10.1.0.10"}, withDefault,
				withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.MultusName = []string{"x/y"} }))
			other := newPod("other")
			e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, other, pool)
			req := addReq(pod, "net1")
			if tt.key != annotation.KeyMultusNetworks {
				req.IfName = "eth0"
				pool.Spec.MultusName = nil
				if err := e.client.Update(t.Context(), pool); err != nil {
					t.Fatal(err)
				}
			}
			_, err := e.svc.Allocate(t.Context(), req)
			var annErr *annotation.Error
			if !errors.As(err, &annErr) || annErr.Key != tt.key {
				t.Fatalf("err = %v, want *annotation.Error for %s", err, tt.key)
			}
			if n := e.store.Calls("UpdatePoolStatus") + e.store.Calls("CreateEndpoint"); n != 0 {
				t.Errorf("%d writes for a malformed annotation, want none", n)
			}
			if _, err := e.svc.Allocate(t.Context(), addReq(other, "eth0")); tt.key != annotation.KeyMultusNetworks && err != nil {
				t.Errorf("another pod is affected: %v", err)
			}
		})
	}
}

func TestUnnamedMultiNIC(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPools, `[{"ipv4":["a"]},{"ipv4":["b"],"cleangateway":true}]`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod,
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10"}), newPool("b", "10.2.0.0/24", []string{"10.2.0.10"}))
	want := []string{"eth0:a=10.1.0.10/24", "net1:b=10.2.0.10/24"}
	for _, ifName := range []string{"eth0", "net1"} {
		res, err := e.svc.Allocate(t.Context(), addReq(pod, ifName))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, addrs(res)); diff != "" {
			t.Errorf("ADD %s (-want +got):\n%s", ifName, diff)
		}
	}
	if n := e.store.Calls("UpdatePoolStatus"); n != 2 {
		t.Errorf("%d pool writes, want 2 (one per pool, on the first ADD)", n)
	}
	if _, err := e.svc.Allocate(t.Context(), addReq(pod, "net2")); err == nil {
		t.Error("ADD of an interface the annotation does not cover succeeded")
	}
}

// TestUnnamedMultiNICCustomInterfaces: with Multus interface names of its
// own ("net@vf0"), an unnamed ippools item serves the interface of its
// network, recorded under that name at the first ADD.
func TestUnnamedMultiNICCustomInterfaces(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPools, `[{"ipv4":["a"]},{"ipv4":["b"]},{"ipv4":["c"]}]`),
		withAnno(annotation.KeyMultusNetworks, "kube-system/sriov-a@vf0,kube-system/sriov-b"))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, newPool("a", "10.1.0.0/24", []string{"10.1.0.10"}),
		newPool("b", "10.2.0.0/24", []string{"10.2.0.10"}), newPool("c", "10.3.0.0/24", []string{"10.3.0.10"}))
	want := []string{"eth0:a=10.1.0.10/24", "vf0:b=10.2.0.10/24", "net2:c=10.3.0.10/24"}
	for _, ifName := range []string{"vf0", "eth0", "net2"} {
		res, err := e.svc.Allocate(t.Context(), addReq(pod, ifName))
		if err != nil {
			t.Fatalf("ADD %s: %v", ifName, err)
		}
		if diff := cmp.Diff(want, addrs(res)); diff != "" {
			t.Errorf("ADD %s (-want +got):\n%s", ifName, diff)
		}
	}
}
