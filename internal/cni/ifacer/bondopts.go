// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ifacer

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
)

// BondOption is one "key=value" of bond.options.
type BondOption struct {
	Key, Value string
}

// bondSetter sets one option on a bond, or says why the value is bad.
type bondSetter func(b *netlink.Bond, v string) error

// intOpt sets an integer option.
func intOpt(field func(*netlink.Bond) *int) bondSetter {
	return func(b *netlink.Bond, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a whole number ≥ 0", v)
		}
		*field(b) = n
		return nil
	}
}

// enumOpt sets an option given by its kernel name or number.
func enumOpt[T ~int](names map[string]T, set func(*netlink.Bond, T)) bondSetter {
	return func(b *netlink.Bond, v string) error {
		if n, ok := names[v]; ok {
			set(b, n)
			return nil
		}
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			set(b, T(n))
			return nil
		}
		keys := make([]string, 0, len(names))
		for k := range names {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return fmt.Errorf("%q is not one of %s (or its number)", v, strings.Join(keys, ", "))
	}
}

// bondSetters are the options Spiderpool accepts
// (docs/reference/interface.md §6.3), by their sysfs names.
func bondSetters() map[string]bondSetter {
	return map[string]bondSetter{
		"active_slave":      intOpt(func(b *netlink.Bond) *int { return &b.ActiveSlave }),
		"ad_actor_sys_prio": intOpt(func(b *netlink.Bond) *int { return &b.AdActorSysPrio }),
		"ad_user_port_key":  intOpt(func(b *netlink.Bond) *int { return &b.AdUserPortKey }),
		"all_slaves_active": intOpt(func(b *netlink.Bond) *int { return &b.AllSlavesActive }),
		"arp_interval":      intOpt(func(b *netlink.Bond) *int { return &b.ArpInterval }),
		"downdelay":         intOpt(func(b *netlink.Bond) *int { return &b.DownDelay }),
		"miimon":            intOpt(func(b *netlink.Bond) *int { return &b.Miimon }),
		"min_links":         intOpt(func(b *netlink.Bond) *int { return &b.MinLinks }),
		"packets_per_slave": intOpt(func(b *netlink.Bond) *int { return &b.PacketsPerSlave }),
		"primary":           intOpt(func(b *netlink.Bond) *int { return &b.Primary }),
		"tlb_dynamic_lb":    intOpt(func(b *netlink.Bond) *int { return &b.TlbDynamicLb }),
		"up_delay":          intOpt(func(b *netlink.Bond) *int { return &b.UpDelay }),
		"updelay":           intOpt(func(b *netlink.Bond) *int { return &b.UpDelay }),
		"use_carrier":       intOpt(func(b *netlink.Bond) *int { return &b.UseCarrier }),
		"lp_interval":       intOpt(func(b *netlink.Bond) *int { return &b.LpInterval }),
		"resend_igmp":       intOpt(func(b *netlink.Bond) *int { return &b.ResendIgmp }),
		"ad_select":         enumOpt(netlink.StringToBondAdSelectMap, func(b *netlink.Bond, v netlink.BondAdSelect) { b.AdSelect = v }),
		"arp_validate":      enumOpt(netlink.StringToBondArpValidateMap, func(b *netlink.Bond, v netlink.BondArpValidate) { b.ArpValidate = v }),
		"arp_all_targets":   enumOpt(netlink.StringToBondArpAllTargetsMap, func(b *netlink.Bond, v netlink.BondArpAllTargets) { b.ArpAllTargets = v }),
		"fail_over_mac":     enumOpt(netlink.StringToBondFailOverMacMap, func(b *netlink.Bond, v netlink.BondFailOverMac) { b.FailOverMac = v }),
		"lacp_rate":         enumOpt(netlink.StringToBondLacpRateMap, func(b *netlink.Bond, v netlink.BondLacpRate) { b.LacpRate = v }),
		"primary_reselect":  enumOpt(netlink.StringToBondPrimaryReselectMap, func(b *netlink.Bond, v netlink.BondPrimaryReselect) { b.PrimaryReselect = v }),
		"xmit_hash_policy":  enumOpt(netlink.StringToBondXmitHashPolicyMap, func(b *netlink.Bond, v netlink.BondXmitHashPolicy) { b.XmitHashPolicy = v }),
		"ad_actor_system":   setActorSystem,
		"arp_ip_target":     setArpTargets,
	}
}

func setActorSystem(b *netlink.Bond, v string) error {
	mac, err := net.ParseMAC(v)
	if err != nil {
		return fmt.Errorf("%q is not a MAC address", v)
	}
	b.AdActorSystem = mac
	return nil
}

// setArpTargets takes a JSON-like list, "[10.0.0.1,10.0.0.2]", or one
// address.
func setArpTargets(b *netlink.Bond, v string) error {
	list := strings.Trim(v, "[]")
	for _, s := range strings.Split(list, ",") {
		s = strings.Trim(strings.TrimSpace(s), `"`)
		ip := net.ParseIP(s)
		if ip == nil || ip.To4() == nil {
			return fmt.Errorf("%q is not a list of IPv4 addresses such as [10.0.0.1,10.0.0.2]", v)
		}
		b.ArpIpTargets = append(b.ArpIpTargets, ip)
	}
	return nil
}

// ParseBondOptions splits "k=v;k=v" and checks each key and value.
// Spiderpool skips what it cannot parse; we refuse it, naming the item.
func ParseBondOptions(s string) ([]BondOption, error) {
	var out []BondOption
	setters := bondSetters()
	probe := netlink.NewLinkBond(netlink.LinkAttrs{})
	for i, item := range strings.Split(s, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		field := fmt.Sprintf("bond.options item %d", i+1)
		key, value, ok := strings.Cut(item, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" || value == "" {
			return nil, invalid(field, "%q is not key=value, e.g. miimon=100", item)
		}
		set, known := setters[key]
		if !known {
			return nil, invalid(field, "%q is not a bonding option this plugin sets; see docs/ifacer.md for the list", key)
		}
		if err := set(probe, value); err != nil {
			return nil, invalid(field, "%s: %v", key, err)
		}
		out = append(out, BondOption{Key: key, Value: value})
	}
	return out, nil
}

// apply sets the option on b; ParseBondOptions checked it.
func (o BondOption) apply(b *netlink.Bond) error {
	if err := bondSetters()[o.Key](b, o.Value); err != nil {
		return invalid("bond.options", "%s: %v", o.Key, err)
	}
	return nil
}
