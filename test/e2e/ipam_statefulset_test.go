// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestIPAMStatefulSetKeepsIPs: a StatefulSet pod deleted and re-created
// under the same name gets the same IPv4 and IPv6 addresses; its
// SpiderEndpoint survives with the new pod's UID, and so do the pools'
// records.
func TestIPAMStatefulSetKeepsIPs(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, ipamTimeout)
	const ns, v4Range, v6Range = "ipam-sts", "10.250.24.10-10.250.24.19", "fd00:250::24:10-fd00:250::24:1f"
	createPool(t, ctx, ipPool("e2e-sts-v4", 4, []string{v4Range}))
	createPool(t, ctx, ipPool("e2e-sts-v6", 6, []string{v6Range}))
	createNamespaceMeta(t, ctx, ns, nil, nil)
	sts := statefulSet(ns, "db", 2)
	withPodAnnotations(sts, ippoolAnnotation([]string{"e2e-sts-v4"}, []string{"e2e-sts-v6"}))
	createWorkload(t, ctx, sts)

	waitRunningPods(t, ctx, shared.c, ns, "db", 2)
	old := waitPodRunning(t, ctx, ns, "db-0")
	assertPodIPs(t, old, v4Range, v6Range)
	if err := shared.c.Delete(ctx, old); err != nil {
		t.Fatalf("delete db-0: %v", err)
	}
	renewed := waitPodReplaced(t, ctx, old)
	if got, want := podIPStrings(renewed), podIPStrings(old); !slices.Equal(got, want) {
		t.Errorf("re-created db-0 has %v; want the old pod's %v", got, want)
	}

	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := shared.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "db-0"}, ep); err != nil {
		t.Fatalf("SpiderEndpoint db-0: %v", err)
	}
	if ep.Status.Current.UID != string(renewed.UID) || ep.Status.Current.Node != renewed.Spec.NodeName {
		t.Errorf("SpiderEndpoint db-0 records uid %s node %s; want the new pod's %s on %s",
			ep.Status.Current.UID, ep.Status.Current.Node, renewed.UID, renewed.Spec.NodeName)
	}
	if ep.Status.OwnerControllerType != "StatefulSet" || ep.Status.OwnerControllerName != "db" {
		t.Errorf("SpiderEndpoint db-0 owner %s %s; want StatefulSet db",
			ep.Status.OwnerControllerType, ep.Status.OwnerControllerName)
	}
	assertEndpointIPs(t, ep, podIP(renewed, 4), podIP(renewed, 6))
	for _, pool := range []string{"e2e-sts-v4", "e2e-sts-v6"} {
		var stale []string // the records follow the claims with a lag (docs/ipam.md)
		_ = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, recordsWait, true, func(ctx context.Context) (bool, error) {
			_, recs := poolRecords(t, ctx, pool)
			stale = stale[:0]
			for ip, rec := range recs {
				if rec.Name() == "db-0" && rec.PodUID != string(renewed.UID) {
					stale = append(stale, ip+" for uid "+rec.PodUID)
				}
			}
			return len(stale) == 0, nil
		})
		if len(stale) > 0 {
			t.Errorf("pool %s records %v of db-0; want uid %s", pool, stale, renewed.UID)
		}
	}
}

// waitPodReplaced waits for a Running pod with old's name and another UID.
func waitPodReplaced(t *testing.T, ctx context.Context, old *corev1.Pod) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{}
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		if err := shared.c.Get(ctx, client.ObjectKeyFromObject(old), pod); err != nil {
			return false, nil //nolint:nilerr // gone for now: keep polling
		}
		return pod.UID != old.UID && pod.Status.Phase == corev1.PodRunning && len(pod.Status.PodIPs) > 0, nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s not re-created and Running: %v; events: %v", old.Namespace, old.Name, err,
			podEvents(context.WithoutCancel(ctx), old.Namespace, old.Name))
	}
	return pod
}

func podIPStrings(p *corev1.Pod) []string {
	out := make([]string, 0, len(p.Status.PodIPs))
	for _, ip := range p.Status.PodIPs {
		out = append(out, ip.IP)
	}
	slices.Sort(out)
	return out
}

// assertEndpointIPs checks the eth0 entry of ep holds ip4 and ip6.
func assertEndpointIPs(t *testing.T, ep *spiderpoolv2beta1.SpiderEndpoint, ip4, ip6 string) {
	t.Helper()
	for _, d := range ep.Status.Current.IPs {
		if d.NIC != "eth0" {
			continue
		}
		if got4, got6 := addrOf(d.IPv4), addrOf(d.IPv6); got4 != ip4 || got6 != ip6 {
			t.Errorf("SpiderEndpoint %s eth0 holds %q and %q; want %q and %q", ep.Name, got4, got6, ip4, ip6)
		}
		return
	}
	t.Errorf("SpiderEndpoint %s has no eth0 entry: %+v", ep.Name, ep.Status.Current.IPs)
}

// addrOf strips the prefix length of an endpoint address ("" for nil).
func addrOf(cidr *string) string {
	s := ptr.Deref(cidr, "")
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i]
	}
	return s
}
