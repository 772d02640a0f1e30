// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// Helpers of the GC tests. Most of them take the client of the lab they
// work on: several GC tests bring up a lab of their own.

const (
	// gcTimeout bounds one GC test, its own lab included.
	gcTimeout = 8 * time.Minute
	// releaseWait bounds waiting for the GC to release an address.
	releaseWait = 2 * time.Minute
	// notReadyWait bounds waiting for a stopped node to go NotReady.
	notReadyWait = 3 * time.Minute

	gcPoolV4, gcPoolV6 = "gc-v4", "gc-v6"
	gcMetric           = "spiderpool_ip_gc_counts_total"
)

// gcEnv is a lab a GC test brought up for itself, with its client.
type gcEnv struct {
	lab *lab.Lab
	c   client.Client
}

// upOwnLab brings up a lab of the test's own with opts, takes it down when
// the test ends, and returns it with a client.
func upOwnLab(t *testing.T, ctx context.Context, opts lab.Options) (*lab.Lab, client.Client) {
	t.Helper()
	l, err := lab.Up(ctx, opts)
	if err != nil {
		t.Fatalf("lab %s up: %v", opts.Name, err)
	}
	t.Cleanup(func() {
		if err := l.Down(context.WithoutCancel(ctx)); err != nil {
			t.Errorf("lab %s down: %v", opts.Name, err)
		}
	})
	c, err := newClient(l)
	if err != nil {
		t.Fatal(err)
	}
	return l, c
}

// upGCLab brings up a lab named after the shared one plus suffix, with
// nodes nodes and controllers replicas started with env, creates default
// dual-stack pools gc-v4 and gc-v6, and takes the lab down when the test
// ends.
func upGCLab(t *testing.T, ctx context.Context, suffix string, nodes, controllers int, env []string) gcEnv {
	t.Helper()
	opts := shared.opts
	opts.Name, opts.Nodes, opts.Dir = opts.Name+suffix, nodes, filepath.Join(t.TempDir(), "lab")
	opts.Controllers, opts.Progress = controllers, nil
	opts.ControllerEnv = append(slices.Clone(opts.ControllerEnv), env...)
	l, c := upOwnLab(t, ctx, opts)
	e := gcEnv{lab: l, c: c}
	asDefault := func(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.Default = ptr.To(true) }
	for _, p := range []*spiderpoolv2beta1.SpiderIPPool{
		ipPool(gcPoolV4, 4, []string{"10.250.30.10-10.250.30.200"}, asDefault),
		ipPool(gcPoolV6, 6, []string{"fd00:250::30:10-fd00:250::30:200"}, asDefault),
	} {
		if err := c.Create(ctx, p); err != nil {
			t.Fatalf("lab %s: create pool %s: %v", opts.Name, p.Name, err)
		}
	}
	return e
}

// runBarePods creates pods without controller pinned to node and waits
// until they run with an IP. The lab's Down removes them.
func runBarePods(t *testing.T, ctx context.Context, c client.Client, ns, node string, names ...string) []*corev1.Pod {
	t.Helper()
	for _, name := range names {
		if err := c.Create(ctx, barePod(ns, name, node, nil, nil)); err != nil {
			t.Fatalf("create pod %s/%s: %v", ns, name, err)
		}
	}
	pods := make([]*corev1.Pod, 0, len(names))
	for _, name := range names {
		pods = append(pods, waitRunningIn(t, ctx, c, ns, name))
	}
	return pods
}

// waitRunningIn waits until the pod runs with an IP and returns it.
func waitRunningIn(t *testing.T, ctx context.Context, c client.Client, ns, name string) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{}
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, pod); err != nil {
			return false, nil //nolint:nilerr // transient or not created yet
		}
		return pod.Status.Phase == corev1.PodRunning && len(pod.Status.PodIPs) > 0, nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s not Running with an IP (phase %s): %v", ns, name, pod.Status.Phase, err)
	}
	return pod
}

// forceDelete deletes the pod with grace period 0, as `kubectl delete
// --force --grace-period=0` does: the object goes at once and nobody runs
// CNI DEL.
func forceDelete(t *testing.T, ctx context.Context, c client.Client, pod *corev1.Pod) {
	t.Helper()
	err := c.Delete(ctx, pod, client.GracePeriodSeconds(0), client.Preconditions{UID: &pod.UID})
	if err != nil {
		t.Fatalf("force-delete pod %s/%s: %v", pod.Namespace, pod.Name, err)
	}
}

// poolsRecords reads the pools and returns their records by IP.
func poolsRecords(ctx context.Context, c client.Client, pools ...string) (spiderpoolv2beta1.PoolIPAllocations, error) {
	all := spiderpoolv2beta1.PoolIPAllocations{}
	for _, name := range pools {
		p := &spiderpoolv2beta1.SpiderIPPool{}
		if err := c.Get(ctx, client.ObjectKey{Name: name}, p); err != nil {
			return nil, fmt.Errorf("get pool %s: %w", name, err)
		}
		recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
		if err != nil {
			return nil, fmt.Errorf("pool %s: %w", name, err)
		}
		for ip, r := range recs {
			all[ip] = r
		}
	}
	return all, nil
}

// heldBy returns the IPs the records give to the pod incarnation.
func heldBy(recs spiderpoolv2beta1.PoolIPAllocations, pod *corev1.Pod) []string {
	var ips []string
	for ip, r := range recs {
		if r.NamespacedName == pod.Namespace+"/"+pod.Name && r.PodUID == string(pod.UID) {
			ips = append(ips, ip)
		}
	}
	return ips
}

// waitReleased waits until no record of pools names the pod incarnation
// and its SpiderEndpoint is gone (or belongs to another incarnation) when
// endpointGone is set.
func waitReleased(t *testing.T, ctx context.Context, c client.Client, pod *corev1.Pod, endpointGone bool, pools ...string) {
	t.Helper()
	var held []string
	var epUID string
	err := wait.PollUntilContextTimeout(ctx, time.Second, releaseWait, true, func(ctx context.Context) (bool, error) {
		recs, err := poolsRecords(ctx, c, pools...)
		if err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		held, epUID = heldBy(recs, pod), ""
		if !endpointGone {
			return len(held) == 0, nil
		}
		ep := &spiderpoolv2beta1.SpiderEndpoint{}
		switch err := c.Get(ctx, client.ObjectKeyFromObject(pod), ep); {
		case apierrors.IsNotFound(err):
		case err != nil:
			return false, nil
		default:
			epUID = ep.Status.Current.UID
		}
		return len(held) == 0 && epUID != string(pod.UID), nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s (uid %s) not released: records still hold %v, endpoint uid %q: %v",
			pod.Namespace, pod.Name, pod.UID, held, epUID, err)
	}
}

// assertStillHeld checks that every pod still runs under the same UID
// with the same IPs and that the pools still record those IPs for it.
func assertStillHeld(t *testing.T, ctx context.Context, c client.Client, pods []*corev1.Pod, pools ...string) {
	t.Helper()
	recs, err := poolsRecords(ctx, c, pools...)
	if err != nil {
		t.Fatal(err)
	}
	for _, old := range pods {
		now := &corev1.Pod{}
		if err := c.Get(ctx, client.ObjectKeyFromObject(old), now); err != nil {
			t.Errorf("live pod %s/%s: %v", old.Namespace, old.Name, err)
			continue
		}
		if now.UID != old.UID || now.Status.Phase != corev1.PodRunning || now.DeletionTimestamp != nil {
			t.Errorf("pod %s/%s is now uid %s %s (deleting %v); want uid %s Running", old.Namespace, old.Name,
				now.UID, now.Status.Phase, now.DeletionTimestamp != nil, old.UID)
		}
		for _, ip := range old.Status.PodIPs {
			if r, ok := recs[ip.IP]; !ok || r.NamespacedName != old.Namespace+"/"+old.Name || r.PodUID != string(old.UID) {
				t.Errorf("live pod %s/%s lost %s: record %+v (present %v)", old.Namespace, old.Name, ip.IP, r, ok)
			}
		}
	}
}

// gcCount scrapes spiderpool_ip_gc_counts_total of a controller replica.
func gcCount(t *testing.T, ctx context.Context, l *lab.Lab, replica int) float64 {
	t.Helper()
	url := "http://127.0.0.1:" + strconv.Itoa(l.Controllers[replica].Metrics) + "/metrics"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	var sum float64
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, gcMetric) {
			continue
		}
		fields := strings.Fields(line)
		if v, err := strconv.ParseFloat(fields[len(fields)-1], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// waitNodeReady waits until the node's Ready condition is ready.
func waitNodeReady(t *testing.T, ctx context.Context, c client.Client, name string, ready bool) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(ctx, time.Second, notReadyWait, true, func(ctx context.Context) (bool, error) {
		n := &corev1.Node{}
		if err := c.Get(ctx, client.ObjectKey{Name: name}, n); err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady {
				last = string(cond.Status)
				return (cond.Status == corev1.ConditionTrue) == ready, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("node %s Ready=%s; want ready %v: %v", name, last, ready, err)
	}
}

// stoppedNode stops a node's simulator and starts it again when the test
// ends, unless restart was called before.
type stoppedNode struct {
	l       *lab.Lab
	n       lab.Node
	started bool
}

// stopNode stops the simulator of node n of l.
func stopNode(t *testing.T, l *lab.Lab, n lab.Node) *stoppedNode {
	t.Helper()
	if err := l.StopNode(n); err != nil {
		t.Fatalf("stop node %s: %v", n.Name, err)
	}
	s := &stoppedNode{l: l, n: n}
	t.Cleanup(func() {
		if !s.started {
			s.restart(t)
		}
	})
	return s
}

func (s *stoppedNode) restart(t *testing.T) {
	t.Helper()
	s.started = true
	if err := s.l.StartNode(s.n); err != nil {
		t.Errorf("start node %s: %v", s.n.Name, err)
	}
}
