// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package ifacer is the ifacer CNI plugin: as the first plugin of a chain
// it makes the node devices the main plugin (macvlan, ipvlan) needs as its
// master: a VLAN sub-interface "<master>.<vlanID>", a bond of several
// masters, or a VLAN on that bond (docs/reference/behaviour.md §8.7,
// docs/reference/interface.md §6.3, docs/ifacer.md).
//
// The devices stay when pods go: DEL, CHECK, GC and STATUS do nothing.
// ADD passes a prevResult through, or returns an empty result.
//
// Every netlink call goes through the small [Links] interface, so that the
// calls ADD would issue are unit-tested where the kernel has no VLAN or
// bonding support.
package ifacer
