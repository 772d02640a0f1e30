// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"maps"

	toolscache "k8s.io/client-go/tools/cache"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
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
			o, ok1 := oldObj.(*spiderpoolv2beta1.SpiderIPPool)
			n, ok2 := newObj.(*spiderpoolv2beta1.SpiderIPPool)
			if !ok1 || !ok2 || o.Generation != n.Generation || !maps.Equal(o.Labels, n.Labels) ||
				(o.DeletionTimestamp == nil) != (n.DeletionTimestamp == nil) {
				w.PoolsChanged()
			}
		},
		DeleteFunc: func(any) { w.PoolsChanged() },
	}
}
