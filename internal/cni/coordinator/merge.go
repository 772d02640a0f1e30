// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// merger resolves one field after the other and keeps the first error.
type merger struct {
	agent *agentapi.CoordinatorConfig
	nc    *NetConf
	conf  *Config
	err   error
}

func (m *merger) fail(field, source, reason string) {
	if m.err == nil {
		m.err = &ConfigError{Field: field, Source: source, Reason: reason}
	}
}

// pick returns the network config's value when it is set.
func pick[T comparable](nc, agent T) (T, string) {
	var zero T
	if nc != zero {
		return nc, sourceNetConf
	}
	return agent, sourceAgent
}

// pickList is pick for lists: a non-empty list wins.
func pickList[T any](nc, agent []T) ([]T, string) {
	if len(nc) > 0 {
		return nc, sourceNetConf
	}
	return agent, sourceAgent
}

// pickPtr is pick for optional numbers and booleans.
func pickPtr[T, U any](nc *T, agent U, conv func(T) U) (U, string) {
	if nc != nil {
		return conv(*nc), sourceNetConf
	}
	return agent, sourceAgent
}

func (m *merger) mode() {
	mode, src := pick(m.nc.Mode, m.agent.Mode)
	if mode == "" {
		mode, src = ModeAuto, sourceDefault
	}
	if !slices.Contains(Modes(), mode) {
		m.fail("mode", src, fmt.Sprintf("%q is not a mode; use one of %s", mode, strings.Join(Modes(), ", ")))
	}
	if mode == ModeDisable {
		mode = ModeDisabled
	}
	m.conf.Mode = mode
}

func (m *merger) cidrs() {
	m.conf.OverlayPodCIDR = m.prefixes("overlayPodCIDR", false, m.nc.OverlayPodCIDR, m.agent.OverlayPodCIDR)
	m.conf.ServiceCIDR = m.prefixes("serviceCIDR", false, m.nc.ServiceCIDR, m.agent.ServiceCIDR)
	m.conf.HijackCIDR = m.prefixes("hijackCIDR", true, m.nc.HijackCIDR, m.agent.HijackCIDR)
	routes, src := pickList(m.nc.PolicyRoutes, m.agent.PolicyRoutes)
	for i, r := range routes {
		field := fmt.Sprintf("policyRoutes[%d]", i)
		dst, err := netip.ParsePrefix(r.Dst)
		if err != nil {
			m.fail(field+".dst", src, fmt.Sprintf("%q is not a CIDR; use e.g. \"10.9.0.0/16\"", r.Dst))
			continue
		}
		gw, err := netip.ParseAddr(r.Gw)
		if err != nil || gw.Zone() != "" || gw.Is4() != dst.Addr().Is4() {
			m.fail(field+".gw", src, fmt.Sprintf("%q is not an IP address of the family of dst %s", r.Gw, r.Dst))
			continue
		}
		m.conf.PolicyRoutes = append(m.conf.PolicyRoutes, PolicyRoute{Dst: dst.Masked(), Gw: gw})
	}
}

// prefixes parses CIDRs; bareIP also accepts an address as its /32, /128.
func (m *merger) prefixes(field string, bareIP bool, nc, agent []string) []netip.Prefix {
	list, src := pickList(nc, agent)
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		p, err := netip.ParsePrefix(s)
		if a, aerr := netip.ParseAddr(s); err != nil && bareIP && aerr == nil && a.Zone() == "" {
			p, err = netip.PrefixFrom(a, a.BitLen()), nil
		}
		if err != nil {
			m.fail(fmt.Sprintf("%s[%d]", field, i), src, fmt.Sprintf("%q is not a CIDR; use e.g. \"10.96.0.0/12\"", s))
			continue
		}
		out = append(out, p.Masked())
	}
	return out
}

// mac checks podMACPrefix: two hex bytes, "xx:yy" (or "xx-yy"), with a
// unicast first byte.
func (m *merger) mac() {
	s, src := pick(m.nc.PodMACPrefix, m.agent.PodMACPrefix)
	if s == "" {
		return
	}
	b, err := hex.DecodeString(s[:min(len(s), 2)] + s[min(len(s), 3):])
	if len(s) != 5 || (s[2] != ':' && s[2] != '-') || err != nil {
		m.fail("podMACPrefix", src, fmt.Sprintf("%q must be two hex bytes like \"0a:1b\"", s))
		return
	}
	if b[0]&1 != 0 {
		m.fail("podMACPrefix", src, fmt.Sprintf("%q starts with a multicast byte; the lowest bit of the first byte must be 0, e.g. %02x:%02x", s, b[0]&^1, b[1]))
		return
	}
	m.conf.MACPrefix = b
}
