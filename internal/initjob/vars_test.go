// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

func TestFieldVarsOf(t *testing.T) {
	pool6 := poolVars(allocator.IPv6, false)
	smc := multusVars(config.EnvInitDefaultCNIName, config.EnvInitDefaultCNINamespace)
	tests := []struct {
		name string
		vars fieldVars
		path string
		want string
	}{
		{"the field itself", pool6, "spec.gateway", config.EnvInitIPv6IPPoolGateway},
		{"an element", pool6, "spec.ips[3]", config.EnvInitIPv6IPPoolIPRanges},
		{"ipVersion comes from the subnet", pool6, "spec.ipVersion", config.EnvInitIPv6IPPoolSubnet},
		{"a field not listed is the name's", pool6, "spec.podAffinity", config.EnvInitIPv6IPPoolName},
		{"a longer name is not a child", pool6, "spec.gatewayX", config.EnvInitIPv6IPPoolName},
		{"metadata.name", poolVars(allocator.IPv4, true), "metadata.name", config.EnvInitIPv4SubnetName},
		{"nested child of spec", smc, "spec.macvlan.master", config.EnvInitDefaultCNIDir},
		{"namespace", smc, "metadata.namespace", config.EnvInitDefaultCNINamespace},
		{"coordinator", coordinatorVars, "spec.hijackCIDR[0]", config.EnvInitCoordinatorHijackCIDR},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.vars.of(tc.path); got != tc.want {
				t.Errorf("of(%q) = %s, want %s", tc.path, got, tc.want)
			}
		})
	}
}
