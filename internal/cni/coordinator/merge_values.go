// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"fmt"
	"net/netip"
	"strings"
)

// Kernel route tables a host rule table must not be.
const (
	tableDefault = 253
	tableMain    = 254
	tableLocal   = 255
	maxTable     = 1<<32 - 1
)

func identity[T any](v T) T { return v }

func (m *merger) numbers() {
	m.conf.TunePodRoutes, _ = pickPtr(m.nc.TunePodRoutes, m.agent.TunePodRoutes, identity[bool])
	table, src := pickPtr(m.nc.HostRuleTable, m.agent.HostRuleTable, func(v int64) int { return int(v) })
	if table == 0 && src == sourceAgent {
		table = DefaultHostRuleTable
	}
	switch {
	case table <= 0 || int64(table) > maxTable:
		m.fail("hostRuleTable", src, fmt.Sprintf("%d is not a route table; use 1 to %d (default %d)", table, int64(maxTable), DefaultHostRuleTable))
	case table == tableDefault || table == tableMain || table == tableLocal:
		m.fail("hostRuleTable", src, fmt.Sprintf("%d is a kernel table (default, main or local); use another, such as %d", table, DefaultHostRuleTable))
	}
	m.conf.HostRuleTable = table
	rp, src := pickPtr(m.nc.PodRPFilter, m.agent.PodRPFilter, func(v int32) int { return int(v) })
	if rp > 2 {
		m.fail("podRPFilter", src, fmt.Sprintf("%d is out of range; use 0 (off), 1 (strict), 2 (loose), or -1 to leave rp_filter alone", rp))
	}
	m.conf.RPFilter = rp
	txq, src := pickPtr(m.nc.TxQueueLen, m.agent.TxQueueLen, func(v int64) int { return int(v) })
	if txq < 0 {
		m.fail("txQueueLen", src, fmt.Sprintf("%d is negative; use 0 to leave it alone or a length such as 1000", txq))
	}
	m.conf.TxQueueLen = txq
	mtu, src := pickPtr(m.nc.VethMTU, m.agent.VethMTU, identity[int])
	if mtu == 0 && src == sourceAgent {
		mtu = DefaultVethMTU
	}
	if mtu < 68 || mtu > 65535 {
		m.fail("vethMTU", src, fmt.Sprintf("%d is not an MTU a veth takes; use 68 to 65535 (default %d)", mtu, DefaultVethMTU))
	}
	m.conf.VethMTU = mtu
}

func (m *merger) addresses() {
	s, src := pick(m.nc.VethLinkAddress, m.agent.VethLinkAddress)
	if s == "" {
		return
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		m.fail("vethLinkAddress", src, fmt.Sprintf("%q is not an IPv4 address; use e.g. \"169.254.100.1\", or leave it empty", s))
		return
	}
	m.conf.VethLinkAddress = a
}

func (m *merger) names() {
	nic, src := pick(m.nc.PodDefaultRouteNIC, m.agent.PodDefaultRouteNIC)
	if nic != "" && !validIfName(nic) {
		m.fail("podDefaultRouteNic", src, fmt.Sprintf("%q is not an interface name (1-15 bytes, no '/', ':' or space)", nic))
	}
	m.conf.DefaultRouteNIC = nic
	m.conf.PodCniNic = DefaultPodCniNic
	if s := m.nc.PodDefaultCniNic; s != "" {
		if !validIfName(s) {
			m.fail("podDefaultCniNic", sourceNetConf, fmt.Sprintf("%q is not an interface name (1-15 bytes, no '/', ':' or space)", s))
		}
		m.conf.PodCniNic = s
	}
}

// validIfName applies the kernel's rules for interface names.
func validIfName(s string) bool {
	return s != "" && len(s) <= 15 && s != "." && s != ".." && !strings.ContainsAny(s, "/: \t\n\v\f\r\x00")
}
