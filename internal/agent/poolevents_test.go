// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

type countingWatcher struct{ n int }

func (c *countingWatcher) PoolsChanged() { c.n++ }

func TestPoolEventsSkipStatusWrites(t *testing.T) {
	pool := func(gen int64, labels map[string]string, status string) *spiderpoolv2beta1.SpiderIPPool {
		p := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "p", Generation: gen, Labels: labels}}
		p.Status.AllocatedIPs = &status
		return p
	}
	base := pool(1, map[string]string{"a": "1"}, "{}")
	now := metav1.Now()
	deleting := pool(1, map[string]string{"a": "1"}, "{}")
	deleting.DeletionTimestamp = &now
	for _, tc := range []struct {
		name string
		new  *spiderpoolv2beta1.SpiderIPPool
		want int
	}{
		{"status write", pool(1, map[string]string{"a": "1"}, `{"10.0.0.1":{}}`), 0},
		{"spec change", pool(2, map[string]string{"a": "1"}, "{}"), 1},
		{"label change", pool(1, map[string]string{"a": "2"}, "{}"), 1},
		{"deletion", deleting, 1},
	} {
		w := &countingWatcher{}
		poolEvents(w).OnUpdate(base, tc.new)
		if w.n != tc.want {
			t.Errorf("%s: %d notifications, want %d", tc.name, w.n, tc.want)
		}
	}
	w := &countingWatcher{}
	h := poolEvents(w)
	h.OnAdd(base, false)
	h.OnDelete(base)
	if w.n != 2 {
		t.Errorf("add and delete: %d notifications, want 2", w.n)
	}
}
