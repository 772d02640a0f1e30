// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"fmt"
	"net"
	"net/netip"
)

// Detection is the finding of the plugin's IP conflict or gateway check
// on one pod interface (docs/reference/behaviour.md §7).
type Detection struct {
	// IfName is the pod interface that was checked. Required.
	IfName string `json:"ifName"`
	// ConflictIP is the pod's address that another host answered for.
	ConflictIP string `json:"conflictIP,omitempty"`
	// ConflictMAC is the hardware address of that host, such as
	// "02:00:00:00:00:01"; empty when its answer carried none.
	ConflictMAC string `json:"conflictMAC,omitempty"`
	// UnreachableGateway is the gateway that did not answer.
	UnreachableGateway string `json:"unreachableGateway,omitempty"`
	// IPPool is the SpiderIPPool of the address in conflict, or of the
	// address whose gateway did not answer.
	IPPool string `json:"ipPool,omitempty"`
}

// Validate checks that the addresses parse and that one finding is given.
func (d *Detection) Validate() error {
	if err := checkIfName("detection.ifName", d.IfName); err != nil {
		return err
	}
	if (d.ConflictIP == "") == (d.UnreachableGateway == "") {
		return invalidField("detection", "must give exactly one of conflictIP and unreachableGateway")
	}
	for _, f := range []required{{"detection.conflictIP", d.ConflictIP}, {"detection.unreachableGateway", d.UnreachableGateway}} {
		if _, err := netip.ParseAddr(f.value); f.value != "" && err != nil {
			return invalidField(f.field, fmt.Sprintf("%q is not an IP address", f.value))
		}
	}
	if _, err := net.ParseMAC(d.ConflictMAC); d.ConflictMAC != "" && err != nil {
		return invalidField("detection.conflictMAC", fmt.Sprintf("%q is not a MAC address such as 02:00:00:00:00:01", d.ConflictMAC))
	}
	return nil
}
