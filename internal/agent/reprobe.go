// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/go-logr/logr"
	"github.com/vishvananda/netlink"

	"github.com/spiderpool-go/spiderpool/internal/cni/detect"
	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

// reprobeEvery is how often the agent looks again at the quarantined
// addresses its node's pods found.
const reprobeEvery = 5 * time.Minute

// quarantineBook is what the re-prober needs of the records;
// quarantine.Store.
type quarantineBook interface {
	List(ctx context.Context) ([]quarantine.Entry, error)
	Add(ctx context.Context, pool string, ip netip.Addr, rec quarantine.Record) error
	Remove(ctx context.Context, ip netip.Addr, now time.Time, quiet time.Duration) (quarantine.Entry, error)
}

// reprober probes again, from the node, the quarantined addresses that
// pods of this node found in conflict, where the node itself has an
// on-link route to them: an answer renews lastAnswer; silence, once the
// last answer is older than quiet, clears the record (docs/conflict.md).
// Addresses the node has no on-link route to stay until an operator
// clears them.
type reprober struct {
	book  quarantineBook
	node  string
	quiet time.Duration
	now   func() time.Time
	// netns is the namespace to probe from: the agent's own.
	netns string
}

func (r *reprober) run(ctx context.Context) {
	t := time.NewTicker(reprobeEvery)
	defer t.Stop()
	for {
		if err := r.once(ctx); err != nil {
			logr.FromContextOrDiscard(ctx).Error(err, "Could not probe the quarantined addresses again")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// once probes every quarantined address this node found.
func (r *reprober) once(ctx context.Context) error {
	entries, err := r.book.List(ctx)
	var errs []error
	for _, e := range entries {
		if e.Node == r.node {
			errs = append(errs, r.probe(ctx, e))
		}
	}
	return errors.Join(append(errs, err)...)
}

func (r *reprober) probe(ctx context.Context, e quarantine.Entry) error {
	ifName, err := r.onLink(e.IP)
	if err != nil || ifName == "" {
		return err
	}
	err = detect.Check(r.netns, ifName, []detect.Target{{IP: e.IP, Conflict: true}}, detect.DefaultTiming)
	var conflict *detect.ConflictError
	switch {
	case errors.As(err, &conflict):
		rec := e.Record
		rec.LastAnswer, rec.MAC = r.now().UTC(), conflict.MAC.String()
		return r.book.Add(ctx, e.Pool, e.IP, rec)
	case err != nil:
		return fmt.Errorf("probe quarantined %s on %s: %w", e.IP, ifName, err)
	}
	_, err = r.book.Remove(ctx, e.IP, r.now(), r.quiet)
	if errors.Is(err, quarantine.ErrStillAnswers) || errors.Is(err, quarantine.ErrNotQuarantined) {
		return nil // answered recently: looked at again next time
	}
	return err
}

// onLink returns the interface of the node's on-link route to ip, or ""
// when the route goes through a gateway or there is none.
func (r *reprober) onLink(ip netip.Addr) (string, error) {
	var name string
	err := ns.WithNetNSPath(r.netns, func(ns.NetNS) error {
		routes, err := netlink.RouteGet(ip.AsSlice())
		if err != nil || len(routes) == 0 || routes[0].Gw != nil {
			return nil //nolint:nilerr // no route: nothing to probe from
		}
		ifi, err := net.InterfaceByIndex(routes[0].LinkIndex)
		if err != nil {
			return fmt.Errorf("find the interface of the route to %s: %w", ip, err)
		}
		if ifi.Flags&net.FlagLoopback == 0 {
			name = ifi.Name
		}
		return nil
	})
	return name, err
}
