// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

// IP versions accepted by the ipVersion fields.
const (
	IPv4 int64 = 4
	IPv6 int64 = 6
)

// Route is a static route handed to the pod together with its IP address.
type Route struct {
	// Dst is the destination network in CIDR form, e.g. "10.7.0.0/16".
	// +kubebuilder:validation:Required
	Dst string `json:"dst,omitempty"`

	// Gw is the next-hop IP address of the route; it must lie inside the
	// subnet of the pool or subnet that carries the route.
	// +kubebuilder:validation:Required
	Gw string `json:"gw,omitempty"`
}
