// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"
)

// poolWatcher is told when the cached pools change in a way an ADD waiting
// for an auto-created pool cares about.
type poolWatcher interface {
	PoolsChanged()
}

// poolEvents tells w of every pool added or deleted and of every change
// of a pool's spec (its generation), labels or deletion; the frequent
// status writes of allocations are left out.
func poolEvents(w poolWatcher) toolscache.ResourceEventHandler {
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { w.PoolsChanged() },
		UpdateFunc: func(oldObj, newObj any) {
			o, ok1 := oldObj.(metav1.Object)
			n, ok2 := newObj.(metav1.Object)
			if !ok1 || !ok2 || o.GetGeneration() != n.GetGeneration() || !maps.Equal(o.GetLabels(), n.GetLabels()) ||
				(o.GetDeletionTimestamp() == nil) != (n.GetDeletionTimestamp() == nil) {
				w.PoolsChanged()
			}
		},
		DeleteFunc: func(any) { w.PoolsChanged() },
	}
}
