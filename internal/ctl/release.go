// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
)

var (
	// ErrHolderAlive refuses a release: a pod of the UID that holds the
	// address exists and is alive.
	ErrHolderAlive = errors.New("the pod holding the IP is alive")
	// ErrNotHeld is returned when no record and no endpoint holds the
	// address (in the pool asked for).
	ErrNotHeld = errors.New("no pool record and no SpiderEndpoint holds the IP")
)

// Action is one write of "ip release".
type Action struct {
	// Op is what is written: delete-ipclaim, remove-record,
	// remove-endpoint-address or delete-endpoint.
	Op string `json:"op"`
	// Pool is the pool whose record is removed, if that is the op.
	Pool string `json:"pool,omitempty"`
	// Endpoint is the SpiderEndpoint changed, as "namespace/name".
	Endpoint string `json:"endpoint,omitempty"`
	// Pod is the holder the record or endpoint names.
	Pod string `json:"pod"`
	// UID is the holder's pod UID.
	UID string `json:"uid"`
	// Result is "planned" (dry run), "done", or "skipped: <why>" when the
	// object changed meanwhile.
	Result string `json:"result"`
}

// Operations of an Action.
const (
	OpRemoveRecord          = "remove-record"
	OpRemoveEndpointAddress = "remove-endpoint-address"
	OpDeleteEndpoint        = "delete-endpoint"
)

// Results of an Action.
const (
	resultPlanned = "planned"
	resultDone    = "done"
)

// ReleaseReport is the report of "ip release".
type ReleaseReport struct {
	// IP is the address released.
	IP string `json:"ip"`
	// DryRun says nothing was written.
	DryRun bool `json:"dryRun"`
	// Actions are the writes, planned or done.
	Actions []Action `json:"actions"`
}

// ReleaseOptions says what "ip release" releases.
type ReleaseOptions struct {
	// IP is the address.
	IP netip.Addr
	// Pool limits the release to one pool; "" means every pool.
	Pool string
	// DryRun plans without writing.
	DryRun bool
}

// Release frees ip's records and endpoint entries whose holders are not
// alive. It refuses, with ErrHolderAlive and before writing anything, when
// any holder is alive. Every write is conditional on the holder's UID still
// being recorded (see Writer).
func Release(ctx context.Context, s *Snapshot, w *Writer, opts ReleaseOptions, judge judgeFunc) (ReleaseReport, error) {
	shown, err := ShowIP(ctx, s, opts.IP, judge)
	if err != nil {
		return ReleaseReport{}, err
	}
	rep := ReleaseReport{IP: shown.IP, DryRun: opts.DryRun, Actions: []Action{}}
	var holders []Holding
	for _, h := range shown.Holders {
		if opts.Pool == "" || h.Pool == opts.Pool {
			holders = append(holders, h)
		}
	}
	if len(holders) == 0 {
		return rep, fmt.Errorf("%w: %s", ErrNotHeld, poolScope(opts))
	}
	for _, h := range holders {
		if h.Alive {
			return rep, fmt.Errorf("%w: %s holds %s in pool %s (pod UID %s, %s); not released",
				ErrHolderAlive, h.Pod, rep.IP, h.Pool, h.UID, h.State)
		}
	}
	for _, h := range holders {
		acts, err := w.releaseHolding(ctx, rep.IP, h, opts.DryRun)
		rep.Actions = append(rep.Actions, acts...)
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func poolScope(opts ReleaseOptions) string {
	if opts.Pool != "" {
		return opts.IP.String() + " in pool " + opts.Pool
	}
	return opts.IP.String()
}
