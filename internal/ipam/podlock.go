// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"sync"
)

// podLocks serialises the operations of this agent on one pod (ADD, DEL,
// batch release, GC). A runtime may retry an ADD while the first is still
// running; without this, one call's rollback could free an address the
// other call has just recorded. Pods of other nodes never come here, and a
// re-created pod elsewhere has another UID, which every record is scoped by.
type podLocks struct {
	mu    sync.Mutex
	locks map[string]*podLock
}

type podLock struct {
	ch    chan struct{} // holds one token while locked
	users int
}

func newPodLocks() *podLocks {
	return &podLocks{locks: map[string]*podLock{}}
}

// lock waits for the pod's lock, or for ctx. The returned func unlocks.
func (p *podLocks) lock(ctx context.Context, key string) (func(), error) {
	p.mu.Lock()
	l, ok := p.locks[key]
	if !ok {
		l = &podLock{ch: make(chan struct{}, 1)}
		p.locks[key] = l
	}
	l.users++
	p.mu.Unlock()
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; p.done(key, l) }, nil
	case <-ctx.Done():
		p.done(key, l)
		return nil, ctx.Err()
	}
}

func (p *podLocks) done(key string, l *podLock) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l.users--; l.users == 0 {
		delete(p.locks, key)
	}
}
