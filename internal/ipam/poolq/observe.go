// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolq

import "slices"

// observeQueueWait reports the wait of the operations of batch tried for
// the first time.
func (q *queue) observeQueueWait(batch []*Op) {
	now := q.deps.Clock.Now()
	for _, op := range batch {
		if op.tried {
			continue
		}
		op.tried = true
		q.deps.Observer.QueueWait(op.Kind, now.Sub(op.queued))
	}
}

// observeConflict reports a refused write of batch with the kinds of
// operation it carried.
func (q *queue) observeConflict(batch []*Op) {
	var kinds []Kind
	for _, op := range batch {
		if !slices.Contains(kinds, op.Kind) {
			kinds = append(kinds, op.Kind)
		}
	}
	q.deps.Observer.Conflict(kinds)
}
