// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

func selector(k, v string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{k: v}}
}

// TestFilters lists a filtered-out pool first and an acceptable one second:
// the address must come from "good", and with "good" absent the error must
// give the reason.
func TestFilters(t *testing.T) {
	terminating := func(p *spiderpoolv2beta1.SpiderIPPool) {
		p.DeletionTimestamp = &metav1.Time{Time: time.Now()}
		p.Finalizers = []string{spiderpoolv2beta1.SpiderFinalizer}
	}
	spec := func(f func(*spiderpoolv2beta1.IPPoolSpec)) poolOpt { return withSpec(f) }
	tests := []struct {
		name   string
		bad    poolOpt
		pod    []podOpt
		ifName string
		reason string
	}{
		{name: "terminating", bad: terminating, reason: "terminating"},
		{name: "disabled", bad: withDisabled, reason: "disabled"},
		{name: "version", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.IPVersion = new(int64) }), reason: "spec.ipVersion"},
		{name: "nodeName", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.NodeName = []string{"node2"} }),
			reason: "not in spec.nodeName"},
		{name: "nodeName wins over nodeAffinity", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) {
			s.NodeName, s.NodeAffinity = []string{"node2"}, selector("zone", "z1")
		}), reason: "not in spec.nodeName"},
		{name: "nodeAffinity", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.NodeAffinity = selector("zone", "z2") }),
			reason: "spec.nodeAffinity"},
		{name: "namespaceName", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.NamespaceName = []string{"other"} }),
			reason: "spec.namespaceName"},
		{name: "namespaceAffinity", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.NamespaceAffinity = selector("team", "b") }),
			reason: "spec.namespaceAffinity"},
		{name: "podAffinity", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.PodAffinity = selector("app", "other") }),
			reason: "spec.podAffinity"},
		{name: "auto pool of another application", bad: func(p *spiderpoolv2beta1.SpiderIPPool) {
			p.Labels = map[string]string{spiderpoolv2beta1.LabelOwnerApplicationName: "other"}
			p.Spec.PodAffinity = &metav1.LabelSelector{MatchLabels: map[string]string{
				spiderpoolv2beta1.AppLabelAPIGroup: "apps", spiderpoolv2beta1.AppLabelAPIVersion: "v1", spiderpoolv2beta1.AppLabelKind: "Deployment",
				spiderpoolv2beta1.AppLabelNamespace: testNS, spiderpoolv2beta1.AppLabelName: "other",
			}}
		}, reason: "another application"},
		{name: "multusName of eth0 (cluster network)", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) {
			s.MultusName = []string{"macvlan-other"}
		}), reason: "network kube-system/macvlan-eth0 of interface eth0 is not in spec.multusName"},
		{name: "multusName of eth0 (pod default-network)", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) {
			s.MultusName = []string{"macvlan-eth0"}
		}), pod: []podOpt{withAnno(annotation.KeyMultusDefaultNetwork, "other/net")},
			reason: "network other/net of interface eth0"},
		{name: "multusName of net1", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.MultusName = []string{"default/b"} }),
			pod: []podOpt{withAnno(annotation.KeyMultusNetworks, "a,b")}, ifName: "net1",
			reason: "network default/a of interface net1"},
		{name: "multusName without network", bad: spec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.MultusName = []string{"x"} }),
			ifName: "net3", reason: "has no Multus network"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ifName := "eth0"
			if tt.ifName != "" {
				ifName = tt.ifName
			}
			anno := withAnno(annotation.KeyIPPool, `{"ipv4":["bad","good"]}`)
			pod := newPod("p", append(tt.pod, anno)...)
			bad := newPool("bad", "10.1.0.0/24", []string{"10.1.0.10"}, tt.bad)
			good := newPool("good", "10.2.0.0/24", []string{"10.2.0.10"})
			e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, bad, good)
			res, err := e.svc.Allocate(t.Context(), addReq(pod, ifName))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{ifName + ":good=10.2.0.10/24"}, addrs(res)); diff != "" {
				t.Errorf("addresses (-want +got):\n%s", diff)
			}

			if err := e.client.Delete(t.Context(), good); err != nil {
				t.Fatal(err)
			}
			only := newPod("q", append(tt.pod, withAnno(annotation.KeyIPPool, `{"ipv4":["bad"]}`))...)
			if err := e.client.Create(t.Context(), only); err != nil {
				t.Fatal(err)
			}
			_, err = e.svc.Allocate(t.Context(), addReq(only, ifName))
			if !errors.Is(err, ipam.ErrNoPool) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("err = %v, want ErrNoPool with %q", err, tt.reason)
			}
		})
	}
}

// TestFilterPasses covers the accepting side of each filter.
func TestFilterPasses(t *testing.T) {
	tests := []struct {
		name   string
		opt    poolOpt
		pod    []podOpt
		ifName string
	}{
		{name: "nodeName", opt: withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.NodeName = []string{"node0", testNode} })},
		{name: "nodeAffinity", opt: withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.NodeAffinity = selector("zone", "z1") })},
		{name: "namespaceName", opt: withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.NamespaceName = []string{testNS} })},
		{name: "namespaceAffinity", opt: withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.NamespaceAffinity = selector("team", "a") })},
		{name: "podAffinity", opt: withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.PodAffinity = selector("app", "p") })},
		{name: "auto pool of the pod's Deployment skips multusName", opt: func(p *spiderpoolv2beta1.SpiderIPPool) {
			p.Labels = map[string]string{spiderpoolv2beta1.LabelOwnerApplicationName: "web"}
			p.Spec.MultusName = []string{"never/matches"}
			p.Spec.PodAffinity = &metav1.LabelSelector{MatchLabels: map[string]string{
				spiderpoolv2beta1.AppLabelAPIGroup: "apps", spiderpoolv2beta1.AppLabelAPIVersion: "v1", spiderpoolv2beta1.AppLabelKind: "Deployment",
				spiderpoolv2beta1.AppLabelNamespace: testNS, spiderpoolv2beta1.AppLabelName: "web",
			}}
		}, pod: []podOpt{withOwner("apps/v1", "ReplicaSet", testReplicaSet)}},
		{name: "multusName bare name in agent namespace",
			opt: withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.MultusName = []string{"macvlan-eth0"} })},
		{name: "multusName by position", opt: withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.MultusName = []string{"x/b"} }),
			pod: []podOpt{withAnno(annotation.KeyMultusNetworks, `[{"name":"a"},{"name":"b","namespace":"x"}]`)}, ifName: "net2"},
		{name: "multusName by interface name", opt: withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.MultusName = []string{"default/a"} }),
			pod: []podOpt{withAnno(annotation.KeyMultusNetworks, "b@ens2,a@ens1")}, ifName: "ens1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ifName := "eth0"
			if tt.ifName != "" {
				ifName = tt.ifName
			}
			pod := newPod("p", append(tt.pod, withAnno(annotation.KeyIPPool, `{"ipv4":["pool"]}`))...)
			objs := []client.Object{pod, newPool("pool", "10.1.0.0/24", []string{"10.1.0.10"}, tt.opt), replicaSet()}
			e := newEnv(t, testConfig(), interceptor.Funcs{}, objs...)
			if _, err := e.svc.Allocate(t.Context(), addReq(pod, ifName)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOrderingByPriorityThenUserOrder(t *testing.T) {
	// Every pool has one address: the allocation order is the try order.
	aff := func(f func(*spiderpoolv2beta1.IPPoolSpec)) poolOpt { return withSpec(f) }
	pools := []client.Object{
		newPool("plain-b", "10.1.0.0/24", []string{"10.1.0.1"}, withNoGateway),
		newPool("multus", "10.2.0.0/24", []string{"10.2.0.1"}, withNoGateway,
			aff(func(s *spiderpoolv2beta1.IPPoolSpec) { s.MultusName = []string{"macvlan-eth0"} })),
		newPool("plain-a", "10.3.0.0/24", []string{"10.3.0.1"}, withNoGateway),
		newPool("node-ns", "10.4.0.0/24", []string{"10.4.0.1"}, withNoGateway, aff(func(s *spiderpoolv2beta1.IPPoolSpec) {
			s.NodeName, s.NamespaceName = []string{testNode}, []string{testNS}
		})),
		newPool("node", "10.5.0.0/24", []string{"10.5.0.1"}, withNoGateway,
			aff(func(s *spiderpoolv2beta1.IPPoolSpec) { s.NodeName = []string{testNode} })),
		newPool("pod", "10.6.0.0/24", []string{"10.6.0.1"}, withNoGateway,
			aff(func(s *spiderpoolv2beta1.IPPoolSpec) { s.PodAffinity = selector("group", "g") })),
		newPool("nsaff", "10.7.0.0/24", []string{"10.7.0.1"}, withNoGateway,
			aff(func(s *spiderpoolv2beta1.IPPoolSpec) { s.NamespaceAffinity = selector("team", "a") })),
	}
	order := `{"ipv4":["plain-b","multus","plain-a","nsaff","node","node-ns","pod"]}`
	var objs []client.Object
	var pods []*corev1.Pod
	for i := range 7 {
		pod := newPod(string(rune('a'+i)), withAnno(annotation.KeyIPPool, order), func(p *corev1.Pod) {
			p.Labels["group"] = "g"
		})
		pods, objs = append(pods, pod), append(objs, pod)
	}
	e := newEnv(t, testConfig(), interceptor.Funcs{}, append(objs, pools...)...)
	var got []string
	for _, pod := range pods {
		res, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res.NICs[0].IPv4.Pool)
	}
	want := []string{"pod", "node-ns", "node", "nsaff", "multus", "plain-b", "plain-a"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("try order (-want +got):\n%s", diff)
	}
}
