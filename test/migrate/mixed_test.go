// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// errExhausted is the stand-in's "exhaust all retries (5 times)".
var errExhausted = errors.New("exhaust all retries (5 times)")

// TestMixedAgents: while nodes mix agents (docs/migration.md), a node
// still running Spiderpool's agent writes the same pool as our agents on
// the other nodes. The stand-in here writes as Spiderpool v1.0's agent
// does: GET the pool from the API server, take the lowest free address,
// Status().Update with the resourceVersion read, retry a conflict five
// times (10 ms, x1.5) and give up. Our two agents allocate at the same
// time from the same pool. Every allocation that succeeded on either side
// is in the pool afterwards, for its pod, and no address is held twice.
func TestMixedAgents(t *testing.T) {
	cl := newCluster(t, nil)
	const pool, n = "fx-v4-b", 12
	ours := make([]string, 2*n)
	theirs := make([]string, n)
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 2 * n {
		pod := cl.newPod(t, fmt.Sprintf("ours-%02d", i), fmt.Sprintf("fx-node-%d", i%2), `{"ipv4":["`+pool+`"]}`)
		wg.Go(func() {
			res, err := cl.agent(pod.Spec.NodeName).Allocate(t.Context(), ipam.AllocateRequest{ContainerID: "c-" + pod.Name,
				IfName: "eth0", PodNamespace: "fx", PodName: pod.Name, PodUID: string(pod.UID)})
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			nic, _ := res.NIC("eth0")
			ours[i] = nic.IPv4.Address.Addr().String()
		})
	}
	wg.Go(func() { // one at a time, as Spiderpool's per-pool limiter serialises one node's writes
		for i := range n {
			theirs[i] = cl.spiderpoolAllocate(t, pool, fmt.Sprintf("fx/theirs-%02d", i), fmt.Sprintf("uid-theirs-%02d", i))
		}
	})
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Errorf("our agents: %v", err)
	}
	recs := cl.pools()[pool].records
	held := 0
	for i, ip := range ours {
		if ip == "" {
			continue
		}
		held++
		if !stringsHasPod(recs[ip], fmt.Sprintf("fx/ours-%02d", i)) {
			t.Errorf("ours-%02d got %s, recorded as %s", i, ip, recs[ip])
		}
	}
	gaveUp := 0
	for i, ip := range theirs {
		if ip == "" {
			gaveUp++
			continue
		}
		held++
		if !stringsHasPod(recs[ip], fmt.Sprintf("fx/theirs-%02d", i)) {
			t.Errorf("theirs-%02d got %s, recorded as %s", i, ip, recs[ip])
		}
	}
	if len(recs) != 3+held {
		t.Errorf("%d records, want the 3 of before and the %d allocations that succeeded", len(recs), held)
	}
	t.Logf("%d allocations by our agents, %d by the Spiderpool-like writer (%d gave up after five conflicts)",
		len(ours), n-gaveUp, gaveUp)
}

func stringsHasPod(raw []byte, pod string) bool {
	var rec spiderpoolv2beta1.PoolIPAllocation
	return json.Unmarshal(raw, &rec) == nil && rec.NamespacedName == pod
}

// newPod creates a bare pod of namespace fx on node with an ippool
// annotation.
func (cl *cluster) newPod(t *testing.T, name, node, annotation string) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "fx", Name: name,
		Annotations: map[string]string{spiderpoolv2beta1.AnnoPodIPPool: annotation}},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Image: "pause"}}}}
	if err := cl.c.Create(t.Context(), pod); err != nil {
		t.Fatal(err)
	}
	return pod
}

// spiderpoolAllocate records the lowest free address of an IPv4 pool with
// a single range for pod, the way Spiderpool v1.0's agent writes a pool;
// it returns the address, or "" when it gave up.
func (cl *cluster) spiderpoolAllocate(t *testing.T, pool, pod, uid string) string {
	delay := 10 * time.Millisecond
	for range 5 {
		ip, err := cl.spiderpoolTry(t, pool, pod, uid)
		switch {
		case err == nil:
			return ip
		case !apierrors.IsConflict(err):
			t.Errorf("Spiderpool-like write for %s: %v", pod, err)
			return ""
		}
		time.Sleep(delay)
		delay = delay * 3 / 2
	}
	t.Logf("%s: %v", pod, errExhausted)
	return ""
}

func (cl *cluster) spiderpoolTry(t *testing.T, pool, pod, uid string) (string, error) {
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := cl.c.Get(t.Context(), client.ObjectKey{Name: pool}, p); err != nil {
		return "", err
	}
	recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
	if err != nil {
		return "", err
	}
	ip := ""
	for last := 10; last <= 50 && ip == ""; last++ { // 10.78.0.10-10.78.0.50
		if _, used := recs[fmt.Sprintf("10.78.0.%d", last)]; !used {
			ip = fmt.Sprintf("10.78.0.%d", last)
		}
	}
	if ip == "" {
		return "", errors.New("pool full")
	}
	ns, name, _ := strings.Cut(pod, "/")
	recs[ip] = spiderpoolv2beta1.NewPoolIPAllocation(ns, name, uid)
	p.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(recs)
	p.Status.AllocatedIPCount = ptr.To(int64(len(recs)))
	return ip, cl.c.Status().Update(t.Context(), p)
}
