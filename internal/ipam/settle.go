// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"slices"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
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
}

// settle decides, without writing, what to do with the existing endpoint:
//   - same pod UID: keep every entry, allocate the missing interfaces;
//   - StatefulSet pod: keep the entries whose pools are still selected and
//     adopt their addresses; release the others and allocate again;
//   - other pods: the endpoint is a previous incarnation's (Spiderpool
//     v1.0.4+): release its addresses, retire it, allocate afresh.
func (a *allocation) settle() settlement {
	ep := a.ep
	switch {
	case ep == nil:
		return settlement{}
	case ep.Status.Current.UID == a.uid:
		return settlement{keep: ep.Status.Current.IPs}
	case a.sts:
		st := settlement{oldUID: ep.Status.Current.UID, adopt: true}
		for _, d := range ep.Status.Current.IPs {
			if a.outdated(&d) {
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
// retried ADD may perform them again.
func (a *allocation) applySettlement(ctx context.Context, st *settlement) error {
	s := a.svc
	var errs []error
	if len(st.release) > 0 {
		errs = append(errs, s.releaseAddrs(ctx, a.podKey, st.oldUID, addrsByPool(st.release)))
	}
	if st.adopt && len(st.keep) > 0 {
		errs = append(errs, s.adoptAddrs(ctx, a.podKey, a.uid, addrsByPool(st.keep)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("settle previous allocation of pod %s: %w", a.podKey, err)
	}
	if st.retire {
		return s.retireEndpoint(ctx, a.ep)
	}
	return nil
}
