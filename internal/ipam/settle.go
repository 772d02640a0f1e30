// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/go-logr/logr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// settlement is what becomes of an existing endpoint
// (docs/reference/behaviour.md §1.3, §3.2, §3.3).
type settlement struct {
	// keep are the recorded entries the pod goes on using.
	keep []spiderpoolv2beta1.IPAllocationDetail
	// release are entries whose addresses, held by oldUID, are freed.
	release []spiderpoolv2beta1.IPAllocationDetail
	oldUID  string
	// adopt rewrites the kept addresses' records to the pod's UID.
	adopt bool
	// retire deletes the old endpoint: a new one is created.
	retire bool
	// adopted are the entries whose records the adoption may have
	// rewritten, for undo; set once the adoption has started.
	adopted []spiderpoolv2beta1.IPAllocationDetail
}

// settle decides, without writing, what to do with the existing endpoint:
//   - same pod UID: keep every entry, allocate the missing interfaces;
//     when an entry's address is another pod's now (relocate), adopt
//     the entries and allocate those lost anew;
//   - StatefulSet pod: keep the entries whose pools are still selected and
//     adopt their addresses; release the others and allocate again;
//   - KubeVirt VM (a re-created or migration target virt-launcher pod):
//     keep and adopt every entry;
//   - other pods: the endpoint is a previous incarnation's (Spiderpool
//     v1.0.4+): release its addresses, retire it, allocate afresh.
func (a *allocation) settle() settlement {
	ep := a.ep
	switch {
	case ep == nil:
		return settlement{}
	case ep.Status.Current.UID == a.uid && a.relocate:
		return settlement{keep: ep.Status.Current.IPs, oldUID: a.uid, adopt: true}
	case ep.Status.Current.UID == a.uid:
		return settlement{keep: ep.Status.Current.IPs}
	case a.static != workload.NotStatic:
		st := settlement{oldUID: ep.Status.Current.UID, adopt: true}
		for _, d := range ep.Status.Current.IPs {
			if a.static == workload.StaticStatefulSet && a.outdated(&d) {
				st.release = append(st.release, d)
			} else {
				st.keep = append(st.keep, d)
			}
		}
		return st
	default:
		return settlement{release: ep.Status.Current.IPs, oldUID: ep.Status.Current.UID, retire: true}
	}
}

// outdated reports whether the pools recorded for an entry no longer match
// the pod's current selection for that interface: a recorded pool that is
// not selected, or a selected family that is not recorded. Interfaces the
// selection does not cover are kept.
func (a *allocation) outdated(d *spiderpoolv2beta1.IPAllocationDetail) bool {
	plan := a.sel.nic(d.NIC)
	if plan == nil {
		return false
	}
	check := func(v int64, pool *string) bool {
		wants := plan.names(v)
		if pool == nil {
			return len(wants) > 0
		}
		return !slices.Contains(wants, *pool)
	}
	return check(spiderpoolv2beta1.IPv4, d.IPv4Pool) || check(spiderpoolv2beta1.IPv6, d.IPv6Pool)
}

// missing returns the planned interfaces that keep does not cover.
func (a *allocation) missing(keep []spiderpoolv2beta1.IPAllocationDetail) []*nicPlan {
	var out []*nicPlan
	for i := range a.sel.nics {
		plan := &a.sel.nics[i]
		if !hasNIC(keep, plan.nic) {
			out = append(out, plan)
		}
	}
	return out
}

func hasNIC(details []spiderpoolv2beta1.IPAllocationDetail, nic string) bool {
	for i := range details {
		if details[i].NIC == nic {
			return true
		}
	}
	return false
}

// applySettlement performs the writes of st. Each is idempotent, so that a
// retried ADD may perform them again. It reports whether an adopted entry
// was lost (st.keep then no longer holds it: its interface is allocated
// afresh).
func (a *allocation) applySettlement(ctx context.Context, st *settlement) (bool, error) {
	s := a.svc
	if len(st.release) > 0 {
		if err := s.releaseAddrs(ctx, a.podKey, st.oldUID, addrsByPool(st.release)); err != nil {
			return false, fmt.Errorf("settle previous allocation of pod %s: %w", a.podKey, err)
		}
	}
	lost := false
	if st.adopt && len(st.keep) > 0 {
		if err := s.confirmIncarnation(ctx, a.pc.pod); err != nil {
			return false, err
		}
		st.adopted = st.keep
		kept, err := a.adoptEntries(ctx, st.keep)
		if err != nil {
			return false, fmt.Errorf("settle previous allocation of pod %s: %w", a.podKey, err)
		}
		lost, st.keep = len(kept) < len(st.keep), kept
	}
	if st.retire {
		return lost, s.retireEndpoint(ctx, a.ep)
	}
	return lost, nil
}

// adoptEntries gives the pod's UID the records of the kept entries, each
// entry on its own (the pools' queues batch them into one write per pool).
// An entry whose address another pod holds now, or that its pool no
// longer offers, is lost: it is dropped from the result, so that its
// interface gets a new address, and the loss is logged.
func (a *allocation) adoptEntries(ctx context.Context, keep []spiderpoolv2beta1.IPAllocationDetail) (
	[]spiderpoolv2beta1.IPAllocationDetail, error,
) {
	errs := make([]error, len(keep))
	var wg sync.WaitGroup
	for i := range keep {
		wg.Go(func() { errs[i] = a.svc.adoptAddrs(ctx, a.podKey, a.uid, detailAddrs(&keep[i])) })
	}
	wg.Wait()
	var kept []spiderpoolv2beta1.IPAllocationDetail
	var fatal []error
	for i, err := range errs {
		switch {
		case err == nil:
			kept = append(kept, keep[i])
		case errors.Is(err, ErrBadRecord):
			logr.FromContextOrDiscard(ctx).Info("fixed address of the previous pod lost; allocating anew",
				"pod", a.podKey, "interface", keep[i].NIC, "reason", err.Error())
		default:
			fatal = append(fatal, err)
		}
	}
	return kept, errors.Join(fatal...)
}

// undo reverses what a failed attempt changed: it releases the addresses
// the attempt allocated and undoes an adoption.
func (a *allocation) undo(ctx context.Context, st *settlement, results []slotResult) error {
	err := a.rollback(ctx, results)
	if len(st.adopted) == 0 {
		return err
	}
	return errors.Join(err, a.undoAdoption(ctx, st))
}

// undoAdoption gives the adopted records back to the incarnation the
// endpoint still records, or, when the endpoint is gone or records another
// incarnation, releases them: nobody else would ever free them. When the
// endpoint already records this incarnation (the attempt read a lagging
// copy of it), the adopted addresses it does not list are released: the
// pod goes on with those it lists, and the GC leaves a live pod's records
// alone.
func (a *allocation) undoAdoption(ctx context.Context, st *settlement) error {
	wctx, cancel := a.svc.writeContext(ctx)
	defer cancel()
	ep, err := a.svc.readEndpoint(wctx, a.pc.pod.Namespace, a.name, true)
	if err != nil {
		return fmt.Errorf("undo adoption by pod %s: %w", a.podKey, err)
	}
	addrs := addrsByPool(st.adopted)
	switch {
	case ep != nil && ep.Status.Current.UID == a.uid:
		addrs = withoutAddrs(addrs, addrsByPool(ep.Status.Current.IPs))
		if len(addrs) > 0 {
			err = a.svc.releaseAddrs(wctx, a.podKey, a.uid, addrs)
		}
	case ep != nil && ep.Status.Current.UID == st.oldUID:
		err = a.svc.adoptAddrs(wctx, a.podKey, st.oldUID, addrs)
	default:
		err = a.svc.releaseAddrs(wctx, a.podKey, a.uid, addrs)
	}
	if err != nil {
		return fmt.Errorf("undo adoption by pod %s: %w", a.podKey, err)
	}
	return nil
}
