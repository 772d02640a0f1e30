// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// The SpiderSubnet tests take the networks 10.252.60.0/24 to
// 10.252.69.0/24 (the blocks 60-69 of these tests): a SpiderSubnet may not
// overlap a pool of another network, and every pool of the other tests is
// in 10.250.0.0/16 (10.251.0.0/16 on eth1), so the subnets cannot be cut
// out of the lab's underlay network. Pods of one such network reach each
// other on the lab's L2 fabric.

// subnetAnno is the ipam.spidernet.io/subnet annotation for an IPv4 subnet.
func subnetAnno(name string) string { return `{"ipv4":["` + name + `"]}` }

// createSubnet creates an IPv4 SpiderSubnet over cidr offering ips, with
// gateway .1, and at the end of the test deletes it and waits until it is
// gone (its controller deletes its pools first). Create it before the
// workloads, so that it is deleted after them.
func createSubnet(t *testing.T, ctx context.Context, name, cidr string, ips ...string) *spiderpoolv2beta1.SpiderSubnet {
	t.Helper()
	gw := netip.MustParsePrefix(cidr).Addr().Next().String()
	sn := &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.SubnetSpec{IPVersion: ptr.To[int64](4), Subnet: cidr, IPs: ips, Gateway: ptr.To(gw),
			Routes: []spiderpoolv2beta1.Route{{Dst: "172.30.0.0/16", Gw: gw}}},
	}
	if err := shared.c.Create(ctx, sn); err != nil {
		t.Fatalf("create SpiderSubnet %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx := context.WithoutCancel(ctx)
		if err := shared.c.Delete(ctx, sn); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete SpiderSubnet %s: %v", name, err)
			return
		}
		err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
			err := shared.c.Get(ctx, client.ObjectKeyFromObject(sn), &spiderpoolv2beta1.SpiderSubnet{})
			return apierrors.IsNotFound(err), nil
		})
		if err != nil {
			t.Errorf("SpiderSubnet %s not gone after its delete: %v", name, err)
		}
	})
	return sn
}

// appPools lists the auto-created pools of application kind ns/name.
func appPools(ctx context.Context, kind, ns, name string) ([]spiderpoolv2beta1.SpiderIPPool, error) {
	list := &spiderpoolv2beta1.SpiderIPPoolList{}
	err := shared.c.List(ctx, list, client.MatchingLabels{
		spiderpoolv2beta1.LabelOwnerApplicationKind:      kind,
		spiderpoolv2beta1.LabelOwnerApplicationNamespace: ns,
		spiderpoolv2beta1.LabelOwnerApplicationName:      name,
	})
	if err != nil {
		return nil, fmt.Errorf("list the pools of %s %s/%s: %w", kind, ns, name, err)
	}
	return list.Items, nil
}

// poolSize is the number of IPs of a pool's spec.
func poolSize(p *spiderpoolv2beta1.SpiderIPPool) int64 {
	n, err := allocator.TotalIPCount(allocator.IPv4, p.Spec.IPs, p.Spec.ExcludeIPs)
	if err != nil {
		return -1
	}
	return n
}

// waitAppPool waits until application kind ns/name has exactly one auto
// pool for interface nic, of size IPs, and returns it.
func waitAppPool(t *testing.T, ctx context.Context, kind, ns, name, nic string, size int64) *spiderpoolv2beta1.SpiderIPPool {
	t.Helper()
	var got []string
	var pool *spiderpoolv2beta1.SpiderIPPool
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		pools, err := appPools(ctx, kind, ns, name)
		if err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		got, pool = got[:0], nil
		for i := range pools {
			p := &pools[i]
			if p.Labels[spiderpoolv2beta1.LabelIPPoolInterface] != nic {
				continue
			}
			got = append(got, fmt.Sprintf("%s(%d IPs)", p.Name, poolSize(p)))
			pool = p
		}
		return len(got) == 1 && poolSize(pool) == size, nil
	})
	if err != nil {
		t.Fatalf("%s %s/%s: want one %s auto pool of %d IPs, have %v: %v", kind, ns, name, nic, size, got, err)
	}
	return pool
}

// waitNoAppPool waits until application kind ns/name has no auto pool.
func waitNoAppPool(t *testing.T, ctx context.Context, kind, ns, name string) {
	t.Helper()
	var left int
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		pools, err := appPools(ctx, kind, ns, name)
		left = len(pools)
		return err == nil && left == 0, nil
	})
	if err != nil {
		t.Fatalf("%s %s/%s still has %d auto pool(s): %v", kind, ns, name, left, err)
	}
}

// assertPodsFromPool checks that each pod's SpiderEndpoint records its
// eth0 IPv4 address from pool, inside cidr, and no IPv6 address.
func assertPodsFromPool(t *testing.T, ctx context.Context, pods []corev1.Pod, pool *spiderpoolv2beta1.SpiderIPPool) {
	t.Helper()
	cidr := netip.MustParsePrefix(pool.Spec.Subnet)
	for _, p := range pods {
		ep := &spiderpoolv2beta1.SpiderEndpoint{}
		if err := shared.c.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: p.Name}, ep); err != nil {
			t.Errorf("SpiderEndpoint of %s: %v", p.Name, err)
			continue
		}
		for _, d := range ep.Status.Current.IPs {
			if d.NIC != "eth0" {
				continue
			}
			ip, err := netip.ParseAddr(addrOf(d.IPv4))
			if ptr.Deref(d.IPv4Pool, "") != pool.Name || err != nil || !cidr.Contains(ip) || d.IPv6 != nil {
				t.Errorf("pod %s: eth0 %s from pool %s (IPv6 %s); want an IPv4 address of %s from %s",
					p.Name, ptr.Deref(d.IPv4, "-"), ptr.Deref(d.IPv4Pool, "-"), ptr.Deref(d.IPv6, "-"), cidr, pool.Name)
			}
		}
	}
}

// waitSubnetPreAllocated waits until the subnet's status records n
// pre-allocated IPs in pools (allocatedIPCount).
func waitSubnetPreAllocated(t *testing.T, ctx context.Context, name string, n int64) {
	t.Helper()
	var got *int64
	var pools string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		sn := &spiderpoolv2beta1.SpiderSubnet{}
		if err := shared.c.Get(ctx, client.ObjectKey{Name: name}, sn); err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		got, pools = sn.Status.AllocatedIPCount, ptr.Deref(sn.Status.ControlledIPPools, "")
		return ptr.Deref(got, 0) == n, nil
	})
	if err != nil {
		t.Fatalf("SpiderSubnet %s: allocatedIPCount %v, want %d (controlledIPPools %s): %v", name, ptr.Deref(got, -1), n, pools, err)
	}
}

// annotations builds a map from key, value pairs.
func annotations(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
