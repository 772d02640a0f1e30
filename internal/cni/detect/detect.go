// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package detect

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
)

// Target is one address of the pod interface and what to check for it.
type Target struct {
	// IP is the pod's address.
	IP netip.Addr
	// Gateway is the pool's gateway; the zero value means none.
	Gateway netip.Addr
	// Conflict asks for a probe for another holder of IP.
	Conflict bool
	// GatewayCheck asks whether Gateway answers; ignored without one.
	GatewayCheck bool
}

// wantsProbe reports whether t sends anything before the announcement.
func (t Target) wantsProbe() bool {
	return t.Conflict || (t.GatewayCheck && t.Gateway.IsValid())
}

// Check runs the checks of targets on ifName inside the network namespace
// at netnsPath, IPv4 and IPv6 in parallel. It returns a [*ConflictError],
// a [*GatewayError], or another error when a probe could not be made;
// with no check asked for, it sends nothing.
func Check(netnsPath, ifName string, targets []Target, t Timing) error {
	v4, v6 := split(targets, Target.wantsProbe)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	if len(v4) > 0 {
		wg.Go(func() { errs[0] = inNetNS(netnsPath, func() error { return checkIPv4(ifName, v4, t) }) })
	}
	if len(v6) > 0 {
		wg.Go(func() { errs[1] = inNetNS(netnsPath, func() error { return checkIPv6(ifName, v6, t) }) })
	}
	wg.Wait()
	return firstDetection(errs)
}

// firstDetection prefers a conflict, then an unreachable gateway, then any
// other failure, so the caller sees the finding that matters most.
func firstDetection(errs []error) error {
	for _, want := range []error{ErrConflict, ErrGatewayUnreachable} {
		for _, err := range errs {
			if errors.Is(err, want) {
				return err
			}
		}
	}
	return errors.Join(errs...)
}

// split returns the targets of each family that keep is true for.
func split(targets []Target, keep func(Target) bool) (v4, v6 []Target) {
	for _, t := range targets {
		switch {
		case !keep(t):
		case t.IP.Is4():
			v4 = append(v4, t)
		case t.IP.Is6():
			v6 = append(v6, t)
		}
	}
	return v4, v6
}

// inNetNS runs fn on a thread inside the network namespace at path.
func inNetNS(path string, fn func() error) error {
	return ns.WithNetNSPath(path, func(ns.NetNS) error { return fn() })
}

// iface finds the interface by name in the current namespace.
func iface(name string) (*net.Interface, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, fmt.Errorf("find interface %s for the IP checks: %w", name, err)
	}
	return ifi, nil
}

// probe sends up to t.Sends probes and listens t.Read after each, until
// read finds an answer or watchdog passes. A send error is retried; only
// when no send succeeded is it returned.
func probe(t Timing, watchdog time.Time, send func() error, read func(until time.Time) (net.HardwareAddr, error)) (net.HardwareAddr, error) {
	var sendErrs []error
	sent := 0
	for range t.Sends {
		now := time.Now()
		if !now.Before(watchdog) {
			return nil, fmt.Errorf("probing did not finish within %s", t.Watchdog)
		}
		if err := send(); err != nil {
			sendErrs = append(sendErrs, err)
			continue
		}
		sent++
		mac, err := read(minTime(now.Add(t.Read), watchdog))
		if mac != nil || err != nil {
			return mac, err
		}
	}
	if sent == 0 {
		return nil, fmt.Errorf("no probe could be sent after %d attempts: %w", t.Sends, errors.Join(sendErrs...))
	}
	return nil, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
