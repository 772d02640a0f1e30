// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package detect probes the wire from inside a pod's network namespace
// before the pod uses its addresses: an ARP probe (RFC 5227, sender
// 0.0.0.0) or a Neighbor Solicitation finds another holder of an address,
// an ARP request or Neighbor Solicitation for the gateway tells whether it
// answers, and gratuitous ARP / unsolicited Neighbor Advertisements
// announce the addresses afterwards (docs/reference/behaviour.md §7).
//
// IPv4 uses a raw AF_PACKET socket, so the interface needs no address
// yet; IPv6 speaks NDP from the interface's link-local address once that
// address has left the tentative state. The two families run in parallel,
// each checking conflicts before the gateway, so that a gateway probe
// never teaches a neighbour the wrong MAC.
package detect
