// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"strings"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

// fieldVars maps the fields of a built object to the environment variables
// they come from, so that a rule broken by a field names what to fix.
type fieldVars struct {
	// name is the variable of metadata.name, and of any field not listed.
	name string
	// fields maps a field path ("spec.gateway") to its variable; the
	// path's children ("spec.ips[2]") map with it.
	fields map[string]string
}

// of returns the variable that field path comes from.
func (v fieldVars) of(path string) string {
	best, bestLen := v.name, -1
	for prefix, name := range v.fields {
		if covers(prefix, path) && len(prefix) > bestLen {
			best, bestLen = name, len(prefix)
		}
	}
	return best
}

// covers reports whether path is prefix or one of its children.
func covers(prefix, path string) bool {
	rest, ok := strings.CutPrefix(path, prefix)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}

// coordinatorVars are the variables of the default SpiderCoordinator.
var coordinatorVars = fieldVars{
	name: config.EnvInitCoordinatorName,
	fields: map[string]string{
		"spec.mode":            config.EnvInitCoordinatorMode,
		"spec.podCIDRType":     config.EnvInitCoordinatorPodCIDRType,
		"spec.tunePodRoutes":   config.EnvInitCoordinatorTunePodRoutes,
		"spec.hijackCIDR":      config.EnvInitCoordinatorHijackCIDR,
		"spec.vethLinkAddress": config.EnvInitCoordinatorVethLinkAddress,
	},
}

// poolVars returns the variables of family v's default SpiderSubnet
// (subnet true) or SpiderIPPool: they share all but the name.
func poolVars(v allocator.IPVersion, subnet bool) fieldVars {
	name, cidr, ranges, gateway := config.EnvInitIPv4IPPoolName, config.EnvInitIPv4IPPoolSubnet,
		config.EnvInitIPv4IPPoolIPRanges, config.EnvInitIPv4IPPoolGateway
	subnetName := config.EnvInitIPv4SubnetName
	if v == allocator.IPv6 {
		name, cidr, ranges, gateway = config.EnvInitIPv6IPPoolName, config.EnvInitIPv6IPPoolSubnet,
			config.EnvInitIPv6IPPoolIPRanges, config.EnvInitIPv6IPPoolGateway
		subnetName = config.EnvInitIPv6SubnetName
	}
	if subnet {
		name = subnetName
	}
	return fieldVars{name: name, fields: map[string]string{
		"spec.ipVersion":  cidr,
		"spec.subnet":     cidr,
		"spec.ips":        ranges,
		"spec.excludeIPs": ranges,
		"spec.gateway":    gateway,
	}}
}

// multusVars returns the variables of the default SpiderMultusConfig: its
// name comes from nameVar (SPIDERPOOL_INIT_DEFAULT_CNI_NAME, or the CNI
// directory whose file named it), its spec from the CNI directory, and its
// namespace from nsVar.
func multusVars(nameVar, nsVar string) fieldVars {
	return fieldVars{name: nameVar, fields: map[string]string{
		"metadata.namespace": nsVar,
		"spec":               config.EnvInitDefaultCNIDir,
	}}
}
