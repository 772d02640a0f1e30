// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"fmt"
)

const (
	ipPoolForm  = `{"ipv4":["pool-v4"],"ipv6":["pool-v6"]}`
	ipPoolsForm = `[{"interface":"eth0","ipv4":["pool-a"],"ipv6":["pool-a6"],"cleangateway":false},` +
		`{"interface":"net1","ipv4":["pool-b"],"cleangateway":true}]`
)

// IPPool is the value of [KeyIPPool]: pools for the NIC of the current CNI
// call, tried in order. Names may be shell wildcards.
type IPPool struct {
	// IPv4 lists IPv4 pool names.
	IPv4 []string `json:"ipv4,omitempty"`
	// IPv6 lists IPv6 pool names.
	IPv6 []string `json:"ipv6,omitempty"`
}

// ParseIPPool parses a [KeyIPPool] value. At least one pool must be named.
func ParseIPPool(value string) (IPPool, error) {
	var p IPPool
	if err := decodeJSON(KeyIPPool, value, ipPoolForm, &p); err != nil {
		return IPPool{}, err
	}
	if len(p.IPv4) == 0 && len(p.IPv6) == 0 {
		return IPPool{}, errorf(KeyIPPool, "names no pool; expected %s", ipPoolForm)
	}
	if err := checkPoolNames(KeyIPPool, `"ipv4"`, p.IPv4); err != nil {
		return IPPool{}, err
	}
	if err := checkPoolNames(KeyIPPool, `"ipv6"`, p.IPv6); err != nil {
		return IPPool{}, err
	}
	return p, nil
}

// NICPools is one item of [KeyIPPools].
type NICPools struct {
	// Interface is the NIC name. It is set on every item or on none.
	Interface string `json:"interface,omitempty"`
	// IPv4 lists IPv4 pool names, tried in order.
	IPv4 []string `json:"ipv4,omitempty"`
	// IPv6 lists IPv6 pool names, tried in order.
	IPv6 []string `json:"ipv6,omitempty"`
	// CleanGateway asks for no default route on this NIC.
	CleanGateway bool `json:"cleangateway"`
}

// IPPools is the value of [KeyIPPools]: pools for several NICs, allocated
// together on the pod's first CNI ADD.
//
// Either every item names its interface, or none does. Unnamed items are
// numbered 0, 1, 2... by position, and item 0 is reported as eth0.
type IPPools []NICPools

// ParseIPPools parses a [KeyIPPools] value. It needs at least one item,
// interface set on all items or on none, unique interface names, and at
// least one pool per item.
func ParseIPPools(value string) (IPPools, error) {
	var p IPPools
	if err := decodeJSON(KeyIPPools, value, ipPoolsForm, &p); err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, errorf(KeyIPPools, "lists no item; expected %s", ipPoolsForm)
	}
	if err := p.checkInterfaces(); err != nil {
		return nil, err
	}
	for i, item := range p {
		if err := item.check(i); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkInterfaces enforces "all named or none" and unique names.
func (p IPPools) checkInterfaces() error {
	named := p[0].Interface != ""
	seen := make(map[string]int, len(p))
	for i, item := range p {
		if err := p.checkNaming(i, named); err != nil {
			return err
		}
		if !named {
			continue
		}
		if err := checkIfName(KeyIPPools, fmt.Sprintf("item %d \"interface\"", i), item.Interface); err != nil {
			return err
		}
		if j, dup := seen[item.Interface]; dup {
			return errorf(KeyIPPools, "items %d and %d both use interface %q; interface names must be unique",
				j, i, item.Interface)
		}
		seen[item.Interface] = i
	}
	return nil
}

func (p IPPools) checkNaming(i int, named bool) error {
	has := p[i].Interface != ""
	switch {
	case has == named:
		return nil
	case named:
		return errorf(KeyIPPools, "item %d has no \"interface\" but item 0 has; set \"interface\" on every item or on none", i)
	default:
		return errorf(KeyIPPools, "item %d has \"interface\" %q but item 0 has none; "+
			"set \"interface\" on every item or on none", i, p[i].Interface)
	}
}

func (n NICPools) check(i int) error {
	if len(n.IPv4) == 0 && len(n.IPv6) == 0 {
		return errorf(KeyIPPools, "item %d names no pool in \"ipv4\" or \"ipv6\"; expected %s", i, ipPoolsForm)
	}
	if err := checkPoolNames(KeyIPPools, fmt.Sprintf("item %d \"ipv4\"", i), n.IPv4); err != nil {
		return err
	}
	return checkPoolNames(KeyIPPools, fmt.Sprintf("item %d \"ipv6\"", i), n.IPv6)
}
