// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
)

// tracker follows the pods of a namespace from a watch and checks, on
// every event, that no two live pods report the same address. A pod stops
// holding its addresses when it starts terminating: from then on the node
// may have released them (CNI DEL runs before the pod object goes), so a
// replacement may legitimately report them while the old object lingers.
type tracker struct {
	mu         sync.Mutex
	pods       map[types.UID]podState
	holders    map[string]types.UID // address -> live pod reporting it
	duplicates []string
	events     int
}

type podState struct {
	name        string
	ips         []string
	running     bool
	terminating bool
}

func newTracker() *tracker {
	return &tracker{pods: map[types.UID]podState{}, holders: map[string]types.UID{}}
}

// handler feeds the tracker from an informer.
func (t *tracker) handler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { t.update(obj) },
		UpdateFunc: func(_, obj any) { t.update(obj) },
		DeleteFunc: t.remove,
	}
}

func (t *tracker) update(obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	st := podState{name: pod.Name, running: pod.Status.Phase == corev1.PodRunning, terminating: pod.DeletionTimestamp != nil}
	for _, ip := range pod.Status.PodIPs {
		st.ips = append(st.ips, ip.IP)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events++
	t.release(pod.UID)
	t.pods[pod.UID] = st
	if st.terminating {
		return
	}
	for _, ip := range st.ips {
		if holder, taken := t.holders[ip]; taken && holder != pod.UID {
			t.duplicates = append(t.duplicates, fmt.Sprintf("%s held by %s and %s", ip, t.pods[holder].name, pod.Name))
			continue
		}
		t.holders[ip] = pod.UID
	}
}

func (t *tracker) remove(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events++
	t.release(pod.UID)
	delete(t.pods, pod.UID)
}

// release drops the addresses uid last reported from holders; t.mu is
// held.
func (t *tracker) release(uid types.UID) {
	for _, ip := range t.pods[uid].ips {
		if t.holders[ip] == uid {
			delete(t.holders, ip)
		}
	}
}

// counts is a snapshot of the tracker.
type counts struct {
	// Pods is every pod object, terminating ones included.
	Pods int
	// Ready is pods Running with both addresses, not terminating, and not
	// in the excluded set.
	Ready int
	// Duplicates is how many times an address was seen on two live pods.
	Duplicates int
}

func (t *tracker) counts(exclude map[types.UID]bool) counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := counts{Pods: len(t.pods), Duplicates: len(t.duplicates)}
	for uid, st := range t.pods {
		if st.running && !st.terminating && len(st.ips) == 2 && !exclude[uid] {
			c.Ready++
		}
	}
	return c
}

// uids returns the set of pods now known.
func (t *tracker) uids() map[types.UID]bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[types.UID]bool, len(t.pods))
	for uid := range t.pods {
		out[uid] = true
	}
	return out
}

// firstDuplicates returns up to n of the duplicates seen.
func (t *tracker) firstDuplicates(n int) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.duplicates[:min(n, len(t.duplicates))]...)
}
