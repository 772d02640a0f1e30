// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"net/netip"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// DefaultHostRuleTable is the default of the coordinator's hostRuleTable.
const DefaultHostRuleTable = 500

// DefaultCoordinator fills in what the mutating webhook adds to a
// SpiderCoordinator (docs/reference/behaviour.md §6.4): mode auto,
// tunePodRoutes true, hostRuleTable 500, podRPFilter 0, txQueueLen 0,
// vethLinkAddress "", hijackCIDR in prefix form, and the finalizer. A
// terminating coordinator is left alone.
func DefaultCoordinator(c *spiderpoolv2beta1.SpiderCoordinator) {
	if c.DeletionTimestamp != nil {
		return
	}
	addFinalizer(c)
	s := &c.Spec
	setDefault(&s.Mode, spiderpoolv2beta1.CoordinatorModeAuto)
	setDefault(&s.TunePodRoutes, true)
	setDefault(&s.HostRuleTable, DefaultHostRuleTable)
	setDefault(&s.PodRPFilter, 0)
	setDefault(&s.TxQueueLen, 0)
	setDefault(&s.VethLinkAddress, "")
	s.HijackCIDR = NormaliseHijackCIDR(s.HijackCIDR)
}

// NormaliseHijackCIDR returns list with every bare IP turned into a /32 or
// /128 prefix; other entries, CIDRs or invalid ones, are kept as they are.
func NormaliseHijackCIDR(list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s
		if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
			out[i] = netip.PrefixFrom(a, a.BitLen()).String()
		}
	}
	return out
}

// setDefault sets *p to v when it is nil.
func setDefault[T any](p **T, v T) {
	if *p == nil {
		*p = &v
	}
}
