// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

const (
	subnetAnno  = `{"ipv4":["sub4"],"ipv6":["sub6"]}`
	ippoolAnno  = `{"ipv4":["named"]}`
	subnetsAnno = `[{"interface":"eth0","ipv4":["sub4"]},{"interface":"net1","ipv4":["sub4-net1"]}]`
)

// subnetObjects are two subnets, a named pool, a default pool and
// testDeploy with replicas 2 (desired pool size 3 with the default +1).
func subnetObjects() []client.Object {
	return []client.Object{
		subnet(testSubnet4, "10.60.0.0/24", "10.60.0.10-10.60.0.99"),
		subnet(testSubnet6, "fd60::/64", "fd60::10-fd60::99"),
		subnet(testSubnetNet1, "10.61.0.0/24", "10.61.0.10-10.61.0.99"),
		newPool("named", "10.62.0.0/24", []string{"10.62.0.10-10.62.0.20"}),
		newPool("default4", "10.63.0.0/24", []string{"10.63.0.10-10.63.0.20"}, withDefault),
		deployment(2), replicaSetOf(),
	}
}

func TestSubnetOutranksIPPoolAnnotations(t *testing.T) {
	objs := subnetObjects()
	sn4, sn6 := objs[0].(*spiderpoolv2beta1.SpiderSubnet), objs[1].(*spiderpoolv2beta1.SpiderSubnet)
	pod := deployPod("web-1", withAnno(annotation.KeySubnet, subnetAnno), withAnno(annotation.KeyIPPool, ippoolAnno),
		withAnno(annotation.KeyRoutes, `[{"dst":"172.16.0.0/16","gw":"10.60.0.254"}]`))
	p4, p6 := deployPool(sn4, "eth0", 3), deployPool(sn6, "eth0", 3)
	e := newSubnetEnv(t, subnetConfig(), append(objs, pod, p4, p6)...)
	res, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"eth0:" + p4.Name + "=10.60.0.10/24", "eth0:" + p6.Name + "=fd60::10/64"}
	if diff := cmp.Diff(want, addrs(res)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	// The subnet's route, copied into the pool, is overridden by the pod's.
	var gw string
	for _, r := range res.NICs[0].Routes {
		if r.Dst.String() == "172.16.0.0/16" {
			gw = r.GW.String()
		}
	}
	if gw != "10.60.0.254" {
		t.Errorf("route 172.16.0.0/16 via %q, want the pod annotation's 10.60.0.254; routes %v", gw, res.NICs[0].Routes)
	}
}

// TestSubnetsAnnotationAllocatesEachNICOnItsADD: with the subnets
// annotation each interface's ADD allocates that interface from its auto
// pool, with that network's clean_gateway, and the endpoint keeps every
// interface's entry.
func TestSubnetsAnnotationAllocatesEachNICOnItsADD(t *testing.T) {
	objs := subnetObjects()
	sn4, snNet1 := objs[0].(*spiderpoolv2beta1.SpiderSubnet), objs[2].(*spiderpoolv2beta1.SpiderSubnet)
	pod := deployPod("web-2", withAnno(annotation.KeySubnets, subnetsAnno), withAnno(annotation.KeySubnet, subnetAnno))
	p0, p1 := deployPool(sn4, "eth0", 3), deployPool(snNet1, "net1", 3)
	e := newSubnetEnv(t, subnetConfig(), append(objs, pod, p0, p1)...)
	net1 := addReq(pod, "net1")
	net1.CleanGateway = true
	res, err := e.svc.Allocate(t.Context(), net1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"net1:" + p1.Name + "=10.61.0.10/24"}, addrs(res)); diff != "" {
		t.Errorf("net1's ADD (-want +got):\n%s", diff)
	}
	if n := res.NICs[0]; !n.CleanGateway || hasDefaultRoute(n.Routes) {
		t.Errorf("net1 with clean_gateway: cleanGateway %v, routes %v; want no default route", n.CleanGateway, n.Routes)
	}
	if res, err = e.svc.Allocate(t.Context(), addReq(pod, "eth0")); err != nil {
		t.Fatal(err)
	}
	want := []string{"net1:" + p1.Name + "=10.61.0.10/24", "eth0:" + p0.Name + "=10.60.0.10/24"}
	if diff := cmp.Diff(want, addrs(res)); diff != "" {
		t.Errorf("eth0's ADD (-want +got):\n%s", diff)
	}
	for _, n := range res.NICs {
		if n.Interface == "eth0" && !hasDefaultRoute(n.Routes) {
			t.Errorf("eth0 without clean_gateway has no default route: %v", n.Routes)
		}
	}
}

// hasDefaultRoute reports whether routes hold 0.0.0.0/0 or ::/0.
func hasDefaultRoute(routes []ipam.Route) bool {
	return slices.ContainsFunc(routes, func(r ipam.Route) bool { return r.Dst.Bits() == 0 })
}

func TestSubnetSwitchesOffFailNamingTheSwitch(t *testing.T) {
	for _, tc := range []struct{ name, off string }{
		{"subnet off", "enableSpiderSubnet"}, {"auto pool off", "enableAutoPoolForApplication"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := subnetConfig()
			if tc.off == "enableSpiderSubnet" {
				cfg.EnableSpiderSubnet = false
			} else {
				cfg.EnableAutoPoolForApplication = false
			}
			pod := deployPod("web-3", withAnno(annotation.KeySubnet, subnetAnno))
			plain := deployPod("web-4")
			e := newSubnetEnv(t, cfg, append(subnetObjects(), pod, plain)...)
			_, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
			if !errors.Is(err, ipam.ErrSubnetFeatureOff) || !strings.Contains(err.Error(), tc.off) ||
				!strings.Contains(err.Error(), annotation.KeySubnet) {
				t.Fatalf("err = %v, want ErrSubnetFeatureOff naming %s and the annotation", err, tc.off)
			}
			if recs := records(t, e.client, "default4"); len(recs) != 0 {
				t.Errorf("the default pool records %v, want nothing", recs)
			}
			if _, err := e.svc.Allocate(t.Context(), addReq(plain, "eth0")); err != nil {
				t.Errorf("a pod without subnet annotation: %v", err)
			}
		})
	}
}

func TestSubnetBarePodFails(t *testing.T) {
	pod := newPod("bare", withAnno(annotation.KeySubnet, subnetAnno))
	e := newSubnetEnv(t, subnetConfig(), append(subnetObjects(), pod)...)
	_, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if !errors.Is(err, ipam.ErrSubnetBarePod) || !strings.Contains(err.Error(), annotation.KeySubnet) {
		t.Fatalf("err = %v, want ErrSubnetBarePod naming the annotation", err)
	}
}

func TestSubnetMalformedAnnotationsFailOnlyThatPod(t *testing.T) {
	for _, tc := range []struct{ name, key, value string }{
		{"subnet JSON", annotation.KeySubnet, `{"ipv4":`},
		{"subnet empty name", annotation.KeySubnet, `{"ipv4":[""]}`},
		{"subnets duplicate interface", annotation.KeySubnets, `[{"ipv4":["a"]},{"interface":"eth0","ipv4":["b"]}]`},
		{"negative ip number", annotation.KeyIPPoolIPNumber, "-1"},
		{"two plus signs", annotation.KeyIPPoolIPNumber, "++1"},
		{"reclaim not a bool", annotation.KeyIPPoolReclaim, "maybe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []podOpt{withAnno(annotation.KeySubnet, subnetAnno), withAnno(tc.key, tc.value)}
			pod := deployPod("web-5", opts...)
			e := newSubnetEnv(t, subnetConfig(), append(subnetObjects(), pod)...)
			_, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
			var aerr *annotation.Error
			if !errors.As(err, &aerr) || aerr.Key != tc.key {
				t.Fatalf("err = %v, want an *annotation.Error for %s", err, tc.key)
			}
			if recs := records(t, e.client, "default4"); len(recs) != 0 {
				t.Errorf("the default pool records %v, want nothing", recs)
			}
		})
	}
}
