// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// released are the addresses Spiderpool freed (web-3, web-7): holes below
// the highest record, free for new pods.
var released = map[string][]string{"fx-v4": {"10.77.0.16", "10.77.0.21"}, "fx-v6": {"fd00:77::16", "fd00:77::1b"}}

// fillPools allocates for new pods of namespace fresh, spread over the
// three agents, until each fixture pool is full: dual-stack pods until
// fx-v4 is full (172), IPv6-only pods until fx-v6 is (306 more), IPv4 pods
// of fx-v4-b (38). One more pod of each kind must fail with "pool
// exhausted". No new address may be an adopted one, none is given twice,
// the four released addresses are handed out, and no adopted record
// changes.
func (cl *cluster) fillPools(t *testing.T, pods []recorded) {
	before := cl.pools()
	adopted := map[string]bool{}
	for _, p := range pods {
		for pool, ips := range p.addresses() {
			for ip := range ips {
				adopted[pool+"/"+ip] = true
			}
		}
	}
	if err := cl.c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "fresh"}}); err != nil {
		t.Fatal(err)
	}
	phases := []struct {
		name, annotation string
		fit              int
	}{
		{"dual", `{"ipv4":["fx-v4"],"ipv6":["fx-v6"]}`, 172},
		{"v6", `{"ipv6":["fx-v6"]}`, 478 - 172},
		{"v4b", `{"ipv4":["fx-v4-b"]}`, 38},
	}
	for _, ph := range phases {
		errs := cl.allocateNew(t, ph.name, ph.annotation, ph.fit+1)
		failed := 0
		for i, err := range errs {
			if err != nil {
				failed++
				if !errors.Is(err, ipam.ErrPoolExhausted) {
					t.Errorf("%s pod %d: %v", ph.name, i, err)
				}
			}
		}
		if failed != 1 {
			t.Errorf("%s: %d of %d ADDs failed, want exactly the one that did not fit", ph.name, failed, ph.fit+1)
		}
	}
	after := cl.pools()
	sameRecords(t, "after filling the pools", before, after, nil)
	for pool, total := range map[string]int{"fx-v4": 191, "fx-v6": 497, "fx-v4-b": 41} {
		if n := len(after[pool].records); n != total {
			t.Errorf("pool %s holds %d records, want %d (full)", pool, n, total)
		}
		for ip, raw := range after[pool].records {
			_, old := before[pool].records[ip]
			if !old && adopted[pool+"/"+ip] {
				t.Errorf("pool %s: adopted address %s handed out again: %s", pool, ip, raw)
			}
		}
	}
	for pool, ips := range released {
		for _, ip := range ips {
			if raw, ok := after[pool].records[ip]; !ok || !strings.Contains(string(raw), `"fresh/`) {
				t.Errorf("released address %s of %s not handed to a new pod: %s", ip, pool, raw)
			}
		}
	}
}

// allocateNew creates n pods <phase>-<i> in namespace fresh, pod i on
// fx-node-(i mod 3), and runs their eth0 ADDs on the three agents, at most
// four in flight per agent.
func (cl *cluster) allocateNew(t *testing.T, phase, annotation string, n int) []error {
	pods := make([]*corev1.Pod, n)
	for i := range pods {
		pods[i] = &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "fresh", Name: fmt.Sprintf("%s-%03d", phase, i),
				Annotations: map[string]string{"ipam.spidernet.io/ippool": annotation}},
			Spec: corev1.PodSpec{NodeName: fmt.Sprintf("fx-node-%d", i%3), Containers: []corev1.Container{{Name: "c", Image: "pause"}}},
		}
		if err := cl.c.Create(t.Context(), pods[i]); err != nil {
			t.Fatal(err)
		}
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for a := range 3 {
		svc := cl.agent(fmt.Sprintf("fx-node-%d", a))
		wg.Go(func() { // one agent, at most four ADDs in flight
			var agent sync.WaitGroup
			slots := make(chan struct{}, 4)
			for i := a; i < n; i += 3 {
				slots <- struct{}{}
				agent.Go(func() {
					defer func() { <-slots }()
					p := pods[i]
					_, errs[i] = svc.Allocate(t.Context(), ipam.AllocateRequest{ContainerID: "c-" + p.Name, IfName: "eth0",
						PodNamespace: p.Namespace, PodName: p.Name, PodUID: string(p.UID)})
				})
			}
			agent.Wait()
		})
	}
	wg.Wait()
	return errs
}
