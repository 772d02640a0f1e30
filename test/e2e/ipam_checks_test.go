// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Checks of the IPAM tests: sandbox failure events, pod addresses and pool
// records.

// waitSandboxFailure waits for a FailedCreatePodSandBox event of the pod
// whose message holds every one of want, and returns the message.
func waitSandboxFailure(t *testing.T, ctx context.Context, ns, name string, want ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, podWait)
	defer cancel()
	var msg string
	err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		for _, m := range podEvents(ctx, ns, name) {
			if containsAll(m, want) {
				msg = m
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no %s event of pod %s/%s naming %q: %v; events: %v",
			reasonFailedSandbox, ns, name, want, err, podEvents(context.WithoutCancel(ctx), ns, name))
	}
	return msg
}

// podEvents returns the messages of the pod's FailedCreatePodSandBox events.
func podEvents(ctx context.Context, ns, name string) []string {
	list := &corev1.EventList{}
	err := shared.c.List(ctx, list, client.InNamespace(ns),
		client.MatchingFields{"involvedObject.name": name, "reason": reasonFailedSandbox})
	if err != nil {
		return []string{"list events: " + err.Error()}
	}
	out := make([]string, 0, len(list.Items))
	for _, e := range list.Items {
		out = append(out, e.Message)
	}
	return out
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// assertNoIP checks that the pod got no address.
func assertNoIP(t *testing.T, ctx context.Context, ns, name string) {
	t.Helper()
	pod := &corev1.Pod{}
	if err := shared.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, pod); err != nil {
		t.Fatalf("get pod %s/%s: %v", ns, name, err)
	}
	if len(pod.Status.PodIPs) > 0 || pod.Status.Phase == corev1.PodRunning {
		t.Errorf("pod %s/%s is %s with IPs %v; want no address", ns, name, pod.Status.Phase, pod.Status.PodIPs)
	}
}

// ipRange is an inclusive address range.
type ipRange struct{ first, last netip.Addr }

// mustRange parses "a-b" or a single address.
func mustRange(s string) ipRange {
	a, b, found := strings.Cut(s, "-")
	if !found {
		b = a
	}
	return ipRange{netip.MustParseAddr(a), netip.MustParseAddr(b)}
}

func (r ipRange) contains(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Compare(r.first) >= 0 && a.Compare(r.last) <= 0
}

// podIP returns the pod's address of version v ("" if it has none).
func podIP(p *corev1.Pod, v int) string {
	for _, ip := range p.Status.PodIPs {
		if a, err := netip.ParseAddr(ip.IP); err == nil && (a.Is4() == (v == 4)) {
			return ip.IP
		}
	}
	return ""
}

// assertPodIPs checks the pod's addresses: IPv4 in want4 (or none when
// want4 is empty), IPv6 in want6 (or none).
func assertPodIPs(t *testing.T, p *corev1.Pod, want4, want6 string) {
	t.Helper()
	check := func(v int, want string) {
		ip := podIP(p, v)
		switch {
		case want == "" && ip != "":
			t.Errorf("pod %s/%s has IPv%d %s; want none (IPs %v)", p.Namespace, p.Name, v, ip, p.Status.PodIPs)
		case want != "" && !mustRange(want).contains(ip):
			t.Errorf("pod %s/%s has IPv%d %q; want one in %s (IPs %v)", p.Namespace, p.Name, v, ip, want, p.Status.PodIPs)
		}
	}
	check(4, want4)
	check(6, want6)
}

// poolRecords reads a pool and decodes its status.allocatedIPs.
func poolRecords(t *testing.T, ctx context.Context, name string) (*spiderpoolv2beta1.SpiderIPPool, spiderpoolv2beta1.PoolIPAllocations) {
	t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := shared.c.Get(ctx, client.ObjectKey{Name: name}, p); err != nil {
		t.Fatalf("get pool %s: %v", name, err)
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
	if err != nil {
		t.Fatalf("pool %s: %v", name, err)
	}
	return p, recs
}

// allocatedCount is status.allocatedIPCount, 0 when unset.
// recordsWait bounds the projection's lag with the claim storage, where
// the pools' records follow the claims (docs/ipam.md); with the pool
// storage the records are written before the ADD returns.
const recordsWait = 15 * time.Second

// waitPoolRecords reads pool name until its allocatedIPCount and records
// both number want, and reports an error when they do not within
// recordsWait; it returns the last read.
func waitPoolRecords(t *testing.T, ctx context.Context, name string, want int) (*spiderpoolv2beta1.SpiderIPPool, spiderpoolv2beta1.PoolIPAllocations) {
	t.Helper()
	var p *spiderpoolv2beta1.SpiderIPPool
	var recs spiderpoolv2beta1.PoolIPAllocations
	_ = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, recordsWait, true, func(ctx context.Context) (bool, error) {
		p, recs = poolRecords(t, ctx, name)
		return allocatedCount(p) == int64(want) && len(recs) == want, nil
	})
	if allocatedCount(p) != int64(want) || len(recs) != want {
		t.Errorf("pool %s: allocatedIPCount %d, %d records; want %d", name, allocatedCount(p), len(recs), want)
	}
	return p, recs
}

func allocatedCount(p *spiderpoolv2beta1.SpiderIPPool) int64 {
	return ptr.Deref(p.Status.AllocatedIPCount, 0)
}
