// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"fmt"
)

const (
	subnetForm  = `{"interface":"eth0","ipv4":["subnet-v4"],"ipv6":["subnet-v6"]}`
	subnetsForm = `[{"interface":"eth0","ipv4":["subnet-a"]},{"interface":"net1","ipv4":["subnet-b"]}]`
)

// Subnet asks for auto-created pools from SpiderSubnets for one NIC; it is
// the value of [KeySubnet] and an item of [KeySubnets]. Spiderpool uses only
// the first name of each family.
type Subnet struct {
	// Interface is the NIC; the parsers default it to eth0.
	Interface string `json:"interface"`
	// IPv4 lists IPv4 SpiderSubnet names (no wildcards).
	IPv4 []string `json:"ipv4,omitempty"`
	// IPv6 lists IPv6 SpiderSubnet names (no wildcards).
	IPv6 []string `json:"ipv6,omitempty"`
}

// ParseSubnet parses a [KeySubnet] value. It needs at least one subnet.
func ParseSubnet(value string) (Subnet, error) {
	var s Subnet
	if err := decodeJSON(KeySubnet, value, subnetForm, &s); err != nil {
		return Subnet{}, err
	}
	if err := s.normalize(KeySubnet, subnetForm, ""); err != nil {
		return Subnet{}, err
	}
	return s, nil
}

// ParseSubnets parses a [KeySubnets] value. It needs at least one item,
// at least one subnet per item, unique interfaces, and no subnet used by two
// interfaces.
func ParseSubnets(value string) ([]Subnet, error) {
	var list []Subnet
	if err := decodeJSON(KeySubnets, value, subnetsForm, &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errorf(KeySubnets, "lists no item; expected %s", subnetsForm)
	}
	for i := range list {
		if err := list[i].normalize(KeySubnets, subnetsForm, fmt.Sprintf("item %d ", i)); err != nil {
			return nil, err
		}
	}
	if err := checkSubnetsUnique(list); err != nil {
		return nil, err
	}
	return list, nil
}

// normalize defaults the interface and validates the names; prefix locates
// the item in messages.
func (s *Subnet) normalize(key, form, prefix string) error {
	if s.Interface == "" {
		s.Interface = firstNIC
	}
	if err := checkIfName(key, prefix+`"interface"`, s.Interface); err != nil {
		return err
	}
	if len(s.IPv4) == 0 && len(s.IPv6) == 0 {
		return errorf(key, "%snames no subnet in \"ipv4\" or \"ipv6\"; expected %s", prefix, form)
	}
	if err := checkSubnetNames(key, prefix+`"ipv4"`, s.IPv4); err != nil {
		return err
	}
	return checkSubnetNames(key, prefix+`"ipv6"`, s.IPv6)
}

// checkSubnetsUnique refuses a repeated interface and a subnet shared by
// two interfaces.
func checkSubnetsUnique(list []Subnet) error {
	nics := make(map[string]int, len(list))
	subnets := make(map[string]int)
	for i, s := range list {
		if j, dup := nics[s.Interface]; dup {
			return errorf(KeySubnets, "items %d and %d both use interface %q (an item without \"interface\" means eth0); "+
				"interfaces must be unique", j, i, s.Interface)
		}
		nics[s.Interface] = i
		for _, name := range append(append([]string(nil), s.IPv4...), s.IPv6...) {
			if j, dup := subnets[name]; dup && j != i {
				return errorf(KeySubnets, "subnet %q is used by items %d and %d; each subnet may serve one interface only",
					name, j, i)
			}
			subnets[name] = i
		}
	}
	return nil
}
