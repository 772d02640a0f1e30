// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"slices"
	"strconv"
	"strings"
)

// firstNIC is the name under which unnamed item 0 is reported.
const firstNIC = "eth0"

// NICRequest is what a [KeyIPPools] item asks for one NIC.
type NICRequest struct {
	// Index is the item's position in the annotation.
	Index int
	// IPv4 lists IPv4 pool names, tried in order.
	IPv4 []string
	// IPv6 lists IPv6 pool names, tried in order.
	IPv6 []string
	// CleanGateway asks for no default route on this NIC.
	CleanGateway bool
}

// Named reports whether the items name their interfaces. An empty list is
// not named.
func (p IPPools) Named() bool {
	return len(p) > 0 && p[0].Interface != ""
}

// NICNames returns, in item order, the NIC name each item is recorded
// under: its interface when named; otherwise "eth0" for item 0 and the item
// number ("1", "2", ...) for the others.
func (p IPPools) NICNames() []string {
	names := make([]string, len(p))
	for i, item := range p {
		names[i] = item.Interface
		if !p.Named() {
			names[i] = unnamedNIC(i)
		}
	}
	return names
}

func unnamedNIC(i int) string {
	if i == 0 {
		return firstNIC
	}
	return strconv.Itoa(i)
}

// ForNIC returns the pools requested for nic, the ifName of a CNI call.
//
// When items are named, nic must be one of them
// (docs/reference/interface.md §3.1). When they are not, item i serves the
// NIC numbered i: "eth0" or "0" for item 0, and "<i>" or Multus's default
// name "net<i>" for item i > 0. A failure is an [*Error] for [KeyIPPools].
func (p IPPools) ForNIC(nic string) (NICRequest, error) {
	i, ok := p.indexOf(nic)
	if !ok {
		return NICRequest{}, p.notFound(nic)
	}
	return p.request(i), nil
}

// ForPodNIC is ForNIC for a pod whose [KeyMultusNetworks] are nets: an
// unnamed item i > 0 also serves the interface nets[i-1] names (Multus's
// "net@interface"), so that the unnamed form works whatever the
// interfaces are called.
func (p IPPools) ForPodNIC(nic string, nets []NetworkSelection) (NICRequest, error) {
	if !p.Named() {
		for i, n := range nets {
			if n.Interface == nic && i+1 < len(p) {
				return p.request(i + 1), nil
			}
		}
	}
	return p.ForNIC(nic)
}

// UnnamedNICName returns the interface that unnamed item i serves for a
// pod whose [KeyMultusNetworks] are nets: eth0 for item 0, the interface
// nets[i-1] names, or Multus's default name net<i>.
func UnnamedNICName(i int, nets []NetworkSelection) string {
	switch {
	case i == 0:
		return firstNIC
	case i <= len(nets) && nets[i-1].Interface != "":
		return nets[i-1].Interface
	default:
		return "net" + strconv.Itoa(i)
	}
}

func (p IPPools) request(i int) NICRequest {
	item := p[i]
	return NICRequest{
		Index: i, IPv4: slices.Clone(item.IPv4), IPv6: slices.Clone(item.IPv6), CleanGateway: item.CleanGateway,
	}
}

func (p IPPools) indexOf(nic string) (int, bool) {
	if p.Named() {
		for i, item := range p {
			if item.Interface == nic {
				return i, true
			}
		}
		return 0, false
	}
	i, ok := unnamedIndex(nic)
	return i, ok && i < len(p)
}

// unnamedIndex maps "eth0", "<i>" and "net<i>" (i > 0) to i.
func unnamedIndex(nic string) (int, bool) {
	if nic == firstNIC {
		return 0, true
	}
	digits, multus := strings.CutPrefix(nic, "net")
	i, err := strconv.Atoi(digits)
	if err != nil || strconv.Itoa(i) != digits || i < 0 || (multus && i == 0) {
		return 0, false
	}
	return i, true
}

func (p IPPools) notFound(nic string) *Error {
	if p.Named() {
		return errorf(KeyIPPools, "interface %q is not listed (listed: %s); add an item with \"interface\": %q",
			nic, strings.Join(p.NICNames(), ", "), nic)
	}
	return errorf(KeyIPPools, "interface %q matches none of the %d items without \"interface\"; "+
		"item 0 serves eth0 and item i serves net<i> or the interface network i of "+KeyMultusNetworks+
		" names, so name the interfaces if yours differ", nic, len(p))
}
