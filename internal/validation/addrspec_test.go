// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestAddressSpec covers the rules pools and subnets share, through
// ValidateIPPool with no other object.
func TestAddressSpec(t *testing.T) {
	type pool = *spiderpoolv2beta1.SpiderIPPool
	base := pool4("a", "10.6.0.10-10.6.0.20")
	base.Spec.Gateway = ptrTo("10.6.0.1")
	tests := []struct {
		name string
		pool pool
		cfg  Config
		want []want
	}{
		{name: "valid v4", pool: base, cfg: allOn},
		{name: "valid v6", pool: with(pool6("a", "fd00::10-fd00::20"), func(p pool) { p.Spec.Gateway = ptrTo("fd00::1") }), cfg: allOn},
		{name: "valid without ips", pool: pool4("a"), cfg: allOn},
		{name: "ipVersion missing", pool: with(base, func(p pool) { p.Spec.IPVersion = nil }), cfg: allOn,
			want: []want{w("spec.ipVersion", field.ErrorTypeRequired, "derives it from spec.subnet")}},
		{name: "ipVersion 5", pool: with(base, func(p pool) { p.Spec.IPVersion = ptrTo[int64](5) }), cfg: allOn,
			want: []want{w("spec.ipVersion", field.ErrorTypeNotSupported, `"4", "6"`)}},
		{name: "IPv4 disabled", pool: base, cfg: Config{EnableIPv6: true},
			want: []want{w("spec.ipVersion", field.ErrorTypeInvalid, "IPv4 is disabled", "enableIPv4: true")}},
		{name: "IPv6 disabled", pool: pool6("a"), cfg: Config{EnableIPv4: true},
			want: []want{w("spec.ipVersion", field.ErrorTypeInvalid, "IPv6 is disabled", "enableIPv6: true")}},
		{name: "subnet empty", pool: with(base, func(p pool) { p.Spec.Subnet = "" }), cfg: allOn,
			want: []want{w("spec.subnet", field.ErrorTypeRequired, "10.6.0.0/16")}},
		{name: "subnet not a CIDR", pool: with(base, func(p pool) { p.Spec.Subnet = "10.6.0.0" }), cfg: allOn,
			want: []want{w("spec.subnet", field.ErrorTypeInvalid, "invalid CIDR")}},
		{name: "subnet not canonical", pool: with(base, func(p pool) { p.Spec.Subnet = "10.6.0.1/16" }), cfg: allOn,
			want: []want{w("spec.subnet", field.ErrorTypeInvalid, "please change it to 10.6.0.0/16")}},
		{name: "subnet of the other family", pool: with(base, func(p pool) { p.Spec.Subnet = "fd00::/64" }), cfg: allOn,
			want: []want{w("spec.subnet", field.ErrorTypeInvalid, "is an IPv6 subnet but spec.ipVersion is 4")}},
		{name: "ips entry not a range", pool: pool4("a", "10.6.0.10", "10.6.0.x"), cfg: allOn,
			want: []want{w("spec.ips[1]", field.ErrorTypeInvalid, `"10.6.0.x" is not an IP address`)}},
		{name: "ips entry reversed", pool: pool4("a", "10.6.0.20-10.6.0.10"), cfg: allOn,
			want: []want{w("spec.ips[0]", field.ErrorTypeInvalid, "start is above the end")}},
		{name: "ips entry of the other family", pool: pool4("a", "fd00::1"), cfg: allOn,
			want: []want{w("spec.ips[0]", field.ErrorTypeInvalid, "not an IPv4 address")}},
		{name: "ips entry outside the subnet", pool: pool4("a", "10.6.0.10", "10.7.0.1-10.7.0.3"), cfg: allOn,
			want: []want{w("spec.ips[1]", field.ErrorTypeInvalid, "not inside spec.subnet 10.6.0.0/16", "10.6.0.0-10.6.255.255")}},
		{name: "ips entry straddling the subnet", pool: pool4("a", "10.6.255.250-10.7.0.3"), cfg: allOn,
			want: []want{w("spec.ips[0]", field.ErrorTypeInvalid, "not inside spec.subnet")}},
		{name: "ips entries overlapping", pool: pool4("a", "10.6.0.10-10.6.0.20", "10.6.0.1", "10.6.0.15"), cfg: allOn,
			want: []want{w("spec.ips[2]", field.ErrorTypeInvalid, `overlaps spec.ips[0] ("10.6.0.10-10.6.0.20")`, "merge them")}},
		{name: "excludeIPs entry outside", pool: with(base, func(p pool) { p.Spec.ExcludeIPs = []string{"10.9.0.1"} }), cfg: allOn,
			want: []want{w("spec.excludeIPs[0]", field.ErrorTypeInvalid, "not inside spec.subnet")}},
		{name: "gateway not an IP", pool: with(base, func(p pool) { p.Spec.Gateway = ptrTo("gw") }), cfg: allOn,
			want: []want{w("spec.gateway", field.ErrorTypeInvalid, "not an IP address", `e.g. "10.6.0.1"`)}},
		{name: "gateway outside", pool: with(base, func(p pool) { p.Spec.Gateway = ptrTo("10.7.0.1") }), cfg: allOn,
			want: []want{w("spec.gateway", field.ErrorTypeInvalid, "outside spec.subnet 10.6.0.0/16", `e.g. "10.6.0.1", or remove spec.gateway`)}},
		{name: "gateway handed out", pool: with(base, func(p pool) { p.Spec.Gateway = ptrTo("10.6.0.12") }), cfg: allOn,
			want: []want{w("spec.gateway", field.ErrorTypeInvalid, `inside spec.ips[0] ("10.6.0.10-10.6.0.20")`, "add it to spec.excludeIPs")}},
		{name: "gateway in ips but excluded", pool: with(base, func(p pool) {
			p.Spec.Gateway, p.Spec.ExcludeIPs = ptrTo("10.6.0.12"), []string{"10.6.0.12"}
		}), cfg: allOn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrs(t, ValidateIPPool(tt.pool, IPPoolEnv{Config: tt.cfg}), tt.want...)
		})
	}
}

func TestRoutes(t *testing.T) {
	route := func(dst, gw string) spiderpoolv2beta1.Route { return spiderpoolv2beta1.Route{Dst: dst, Gw: gw} }
	tests := []struct {
		name   string
		pool   *spiderpoolv2beta1.SpiderIPPool
		routes []spiderpoolv2beta1.Route
		want   []want
	}{
		{name: "valid", pool: pool4("a"), routes: []spiderpoolv2beta1.Route{route("10.7.0.0/16", "10.6.0.1"), route("10.8.0.1/32", "10.6.0.2")}},
		{name: "valid v6", pool: pool6("a"), routes: []spiderpoolv2beta1.Route{route("fd01::/64", "fd00::1")}},
		{name: "dst not a CIDR", pool: pool4("a"), routes: []spiderpoolv2beta1.Route{route("10.7.0.0", "10.6.0.1")},
			want: []want{w("spec.routes[0].dst", field.ErrorTypeInvalid, "not a CIDR")}},
		{name: "dst of the other family", pool: pool4("a"), routes: []spiderpoolv2beta1.Route{route("fd01::/64", "10.6.0.1")},
			want: []want{w("spec.routes[0].dst", field.ErrorTypeInvalid, "not an IPv4 network")}},
		{name: "default route", pool: pool4("a"), routes: []spiderpoolv2beta1.Route{route("0.0.0.0/0", "10.6.0.1")},
			want: []want{w("spec.routes[0].dst", field.ErrorTypeInvalid, "default route", "set spec.gateway instead")}},
		{name: "default route v6", pool: pool6("a"), routes: []spiderpoolv2beta1.Route{route("::/0", "fd00::1")},
			want: []want{w("spec.routes[0].dst", field.ErrorTypeInvalid, "default route")}},
		{name: "duplicate dst", pool: pool4("a"), routes: []spiderpoolv2beta1.Route{route("10.7.0.0/16", "10.6.0.1"), route("10.7.0.1/16", "10.6.0.2")},
			want: []want{w("spec.routes[1].dst", field.ErrorTypeInvalid, "destination of spec.routes[0] too")}},
		{name: "gw outside", pool: pool4("a"), routes: []spiderpoolv2beta1.Route{route("10.7.0.0/16", "10.9.0.1")},
			want: []want{w("spec.routes[0].gw", field.ErrorTypeInvalid, "outside spec.subnet 10.6.0.0/16", `use a next hop inside the subnet, e.g. "10.6.0.1"`)}},
		{name: "gw not an IP", pool: pool4("a"), routes: []spiderpoolv2beta1.Route{route("10.7.0.0/16", "10.6.0")},
			want: []want{w("spec.routes[0].gw", field.ErrorTypeInvalid, "not an IP address")}},
		{name: "gw missing", pool: pool4("a"), routes: []spiderpoolv2beta1.Route{route("10.7.0.0/16", "")},
			want: []want{w("spec.routes[0].gw", field.ErrorTypeRequired, "spec.routes[0].gw: Required value: set the next hop of the route, an address of spec.subnet 10.6.0.0/16")}},
		{name: "dst missing", pool: pool4("a"), routes: []spiderpoolv2beta1.Route{route("", "10.6.0.1")},
			want: []want{w("spec.routes[0].dst", field.ErrorTypeRequired, `spec.routes[0].dst: Required value: set the destination network of the route, e.g. "10.7.0.0/16"`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.pool.DeepCopy()
			p.Spec.Routes = tt.routes
			checkErrs(t, ValidateIPPool(p, IPPoolEnv{Config: allOn}), tt.want...)
		})
	}
}
