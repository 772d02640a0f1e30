// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// Judgement is the GC's decision on one pod incarnation, made without the
// collector running: spiderpoolctl judges with it so that the CLI and the
// GC agree on what is a leak.
type Judgement struct {
	// Release says the GC would release the incarnation now.
	Release bool
	// Wait, when positive, is how long until the decision may change (a
	// grace period running).
	Wait time.Duration
	// Reason says why.
	Reason string
	// KeptForSuccessor says the addresses are kept by design for the next
	// pod of the same name (StatefulSet ordinal in range, KubeVirt VM).
	KeptForSuccessor bool
	// HolderAlive says a pod of the incarnation's UID exists and is alive
	// (not terminating, not finished).
	HolderAlive bool
}

// Judge applies the GC decision table to the incarnation namespace/name
// with pod uid, on reads from r, at now. It writes nothing. Unlike the
// running GC it does not wait SPIDERPOOL_GC_ADDITIONAL_GRACE_DELAY for pods
// that are gone: it says what the GC will do once that delay has passed.
func Judge(ctx context.Context, opts Options, r client.Reader, namespace, name, uid string, now time.Time) (Judgement, error) {
	c := &collector{opts: opts, cache: r, api: r}
	f, err := c.observe(ctx, r, incarnation{Namespace: namespace, Name: name, UID: uid})
	if err != nil {
		return Judgement{}, err
	}
	v := opts.decide(f, uid, now)
	return Judgement{
		Release:          v.release,
		Wait:             v.wait,
		Reason:           v.reason,
		KeptForSuccessor: v.reason == reasonStaticKept,
		HolderAlive:      f.samePod(uid) && workload.PodAlive(f.pod),
	}, nil
}
