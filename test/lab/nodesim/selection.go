// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/containernetworking/cni/pkg/utils"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Multus annotations the simulator reads and writes.
const (
	// AnnotationNetworks lists a pod's additional networks.
	AnnotationNetworks = "k8s.v1.cni.cncf.io/networks"
	// AnnotationDefaultNetwork names a NetworkAttachmentDefinition that
	// replaces the node's default network for eth0.
	AnnotationDefaultNetwork = "v1.multus-cni.io/default-network"
	// AnnotationNetworkStatus is written with what every attachment returned.
	AnnotationNetworkStatus = "k8s.v1.cni.cncf.io/network-status"
)

// ErrInvalidNetworkSelection is returned for a malformed network annotation.
var ErrInvalidNetworkSelection = errors.New("invalid network selection")

// networkSelection is one element of a Multus network annotation. Keys
// the simulator does not act on are ignored, as Multus ignores unknown ones.
type networkSelection struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	Interface string `json:"interface,omitempty"`
	// IPs are the addresses asked for, as CIDRs or bare IPs (JSON form only).
	IPs []string `json:"ips,omitempty"`
	// MAC is the MAC address asked for (JSON form only).
	MAC string `json:"mac,omitempty"`
}

// parseNetworkSelections parses a Multus network annotation: a JSON list of
// {name, namespace, interface, ips, mac} or the comma form
// "ns/name@ifname, name2".
// A missing namespace is podNamespace. An empty value selects nothing.
func parseNetworkSelections(value, podNamespace string) ([]networkSelection, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, nil
	}
	var sels []networkSelection
	if strings.HasPrefix(value, "[") {
		if err := json.Unmarshal([]byte(value), &sels); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidNetworkSelection, err)
		}
	} else {
		for _, item := range strings.Split(value, ",") {
			sels = append(sels, parseShortSelection(strings.TrimSpace(item)))
		}
	}
	for i := range sels {
		if sels[i].Namespace == "" {
			sels[i].Namespace = podNamespace
		}
		if err := sels[i].validate(); err != nil {
			return nil, err
		}
	}
	return sels, nil
}

// parseShortSelection parses "[namespace/]name[@interface]".
func parseShortSelection(item string) networkSelection {
	var sel networkSelection
	rest, ifName, hasIf := strings.Cut(item, "@")
	if hasIf {
		sel.Interface = ifName
	}
	if ns, name, hasNS := strings.Cut(rest, "/"); hasNS {
		sel.Namespace, sel.Name = ns, name
	} else {
		sel.Name = rest
	}
	return sel
}

func (s networkSelection) validate() error {
	if errs := validation.IsDNS1123Subdomain(s.Name); len(errs) > 0 {
		return fmt.Errorf("%w: name %q: %s", ErrInvalidNetworkSelection, s.Name, strings.Join(errs, "; "))
	}
	if errs := validation.IsDNS1123Label(s.Namespace); len(errs) > 0 {
		return fmt.Errorf("%w: namespace %q: %s", ErrInvalidNetworkSelection, s.Namespace, strings.Join(errs, "; "))
	}
	if !validIfName(s.Interface) {
		return fmt.Errorf("%w: interface %q", ErrInvalidNetworkSelection, s.Interface)
	}
	for _, ip := range s.IPs {
		if _, err := netip.ParsePrefix(ip); err != nil && net.ParseIP(ip) == nil {
			return fmt.Errorf("%w: ips: %q is neither an IP nor a CIDR", ErrInvalidNetworkSelection, ip)
		}
	}
	if _, err := net.ParseMAC(s.MAC); s.MAC != "" && err != nil {
		return fmt.Errorf("%w: mac %q: %w", ErrInvalidNetworkSelection, s.MAC, err)
	}
	return nil
}

// validIfName accepts an empty name (chosen by the simulator) or a name the
// CNI spec allows.
func validIfName(name string) bool {
	return name == "" || utils.ValidateInterfaceName(name) == nil
}
