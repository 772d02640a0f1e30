// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"fmt"
	"strings"
)

const (
	networksForm = `a JSON list such as [{"name":"macvlan-conf","namespace":"kube-system","interface":"net1"}] ` +
		`or a comma list such as "kube-system/macvlan-conf@net1,other-conf"`
	defaultNetworkForm = `one network: "name", "namespace/name" or [{"name":"name","namespace":"namespace"}]`
)

// NetworkSelection is one network of a Multus annotation. Only the fields
// Spiderpool reads are kept; others in the JSON form are ignored.
type NetworkSelection struct {
	// Name is the NetworkAttachmentDefinition name; always set.
	Name string `json:"name"`
	// Namespace is the NAD's namespace; empty means the pod's namespace.
	Namespace string `json:"namespace,omitempty"`
	// Interface is the pod NIC name; empty means Multus's default, net<i+1>
	// for element i of [KeyMultusNetworks].
	Interface string `json:"interface,omitempty"`
}

// ParseMultusNetworks parses a [KeyMultusNetworks] value in either Multus
// form: a JSON list of {"name","namespace","interface"}, or a comma list
// of "[namespace/]name[@interface]". As in Multus, a value with any of
// '[', '{' or '"' is JSON, and an empty value means no networks.
func ParseMultusNetworks(value string) ([]NetworkSelection, error) {
	return parseNetworks(KeyMultusNetworks, value, networksForm)
}

// ParseMultusDefaultNetwork parses a [KeyMultusDefaultNetwork] value: the
// same forms as [ParseMultusNetworks], holding exactly one network.
func ParseMultusDefaultNetwork(value string) (NetworkSelection, error) {
	nets, err := parseNetworks(KeyMultusDefaultNetwork, value, defaultNetworkForm)
	if err != nil {
		return NetworkSelection{}, err
	}
	if len(nets) != 1 {
		return NetworkSelection{}, errorf(KeyMultusDefaultNetwork, "names %d networks; expected %s",
			len(nets), defaultNetworkForm)
	}
	return nets[0], nil
}

func parseNetworks(key, value, form string) ([]NetworkSelection, error) {
	if strings.ContainsAny(value, `[{"`) {
		return parseNetworksJSON(key, value, form)
	}
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	items := strings.Split(value, ",")
	nets := make([]NetworkSelection, 0, len(items))
	for i, item := range items {
		n, err := parseNetworkItem(key, form, i, strings.TrimSpace(item))
		if err != nil {
			return nil, err
		}
		nets = append(nets, n)
	}
	return nets, nil
}

func parseNetworksJSON(key, value, form string) ([]NetworkSelection, error) {
	var nets []NetworkSelection
	if err := decodeJSON(key, value, form, &nets); err != nil {
		return nil, err
	}
	for i, n := range nets {
		if n.Name == "" {
			return nil, errorf(key, "item %d has no \"name\"; expected %s", i, form)
		}
	}
	return nets, nil
}

// parseNetworkItem parses "[namespace/]name[@interface]". As in Multus,
// each non-empty part must be lower-case alphanumerics and '-', starting and
// ending alphanumeric, and an empty namespace or interface means the
// default.
func parseNetworkItem(key, form string, i int, item string) (NetworkSelection, error) {
	var n NetworkSelection
	rest := item
	if ns, name, ok := strings.Cut(rest, "/"); ok {
		n.Namespace, rest = ns, name
	}
	if name, ifName, ok := strings.Cut(rest, "@"); ok {
		rest, n.Interface = name, ifName
	}
	n.Name = rest
	parts := []struct{ what, s string }{{"namespace", n.Namespace}, {"name", n.Name}, {"interface", n.Interface}}
	for _, p := range parts {
		if p.what != "name" && p.s == "" {
			continue
		}
		if problem := labelProblem(p.s); problem != "" {
			return n, errorf(key, "item %d %q: %s %q %s; expected %s", i, item, p.what, p.s, problem, form)
		}
	}
	return n, nil
}

// labelProblem checks the Multus comma-form rule for one part.
func labelProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return fmt.Sprintf("has %q; use lower-case letters, digits and '-'", r)
		}
	}
	if s[0] == '-' || s[len(s)-1] == '-' {
		return "must start and end with a letter or digit"
	}
	return ""
}
