// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package multusconf

import (
	"bytes"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

var specPath = field.NewPath("spec")

// chain returns the plugins of cniType: the main part of the type, then
// the coordinator when enabled, then chainCNIJsonData.
func chain(spec *spiderpoolv2beta1.MultusCNIConfigSpec, cniType string) ([]any, error) {
	plugins, err := mainPlugins(spec, cniType)
	if err != nil {
		return nil, err
	}
	if deref(spec.EnableCoordinator, true) {
		plugins = append(plugins, coordinator(spec.Coordinator))
	}
	for i, s := range spec.ChainCNIJSONData {
		raw, err := chainItem(s, specPath.Child("chainCNIJsonData").Index(i))
		if err != nil {
			return nil, err
		}
		plugins = append(plugins, raw)
	}
	return plugins, nil
}

// mainPlugins returns the plugins of cniType before the coordinator.
func mainPlugins(spec *spiderpoolv2beta1.MultusCNIConfigSpec, cniType string) ([]any, error) {
	noIPAM := deref(spec.DisableIPAM, false)
	switch cniType {
	case spiderpoolv2beta1.CNITypeMacvlan:
		if c := spec.Macvlan; c != nil {
			return macvlanChain(c, noIPAM), nil
		}
	case spiderpoolv2beta1.CNITypeIPvlan:
		if c := spec.IPvlan; c != nil {
			return ipvlanChain(c, noIPAM), nil
		}
	case spiderpoolv2beta1.CNITypeVlan:
		if c := spec.Vlan; c != nil {
			return vlanChain(c, noIPAM), nil
		}
	case spiderpoolv2beta1.CNITypeSRIOV:
		if c := spec.SRIOV; c != nil {
			return sriovChain(c, noIPAM), nil
		}
	case spiderpoolv2beta1.CNITypeIBSRIOV:
		if c := spec.IBSRIOV; c != nil {
			return []any{ibSRIOV(c, noIPAM)}, nil
		}
	case spiderpoolv2beta1.CNITypeIPoIB:
		if c := spec.IPoIB; c != nil {
			return []any{ipoibConf{Type: typeIPoIB, Master: c.Master, IPAM: ipam(c.SpiderpoolConfigPools, noIPAM)}}, nil
		}
	case spiderpoolv2beta1.CNITypeOVS:
		if c := spec.OVS; c != nil {
			return []any{ovs(c, noIPAM)}, nil
		}
	default:
		return nil, fmt.Errorf("%w: %w", ErrInvalid, field.NotSupported(specPath.Child("cniType"), cniType,
			[]string{"macvlan", "ipvlan", "vlan", "sriov", "ovs", "ib-sriov", "ipoib", "custom"}))
	}
	return nil, fmt.Errorf("%w: %w", ErrInvalid, field.Required(specPath.Child(blockKey(cniType)),
		fmt.Sprintf("cniType %s is configured by this block; add it", cniType)))
}

// blockKey is the spec key of cniType's block: the same but for ib-sriov.
func blockKey(cniType string) string {
	if cniType == spiderpoolv2beta1.CNITypeIBSRIOV {
		return "ibsriov"
	}
	return cniType
}

// ipam returns the spiderpool IPAM block with the default pools, or nil
// when IPAM is disabled.
func ipam(pools *spiderpoolv2beta1.SpiderpoolPools, disabled bool) *ipamConf {
	if disabled {
		return nil
	}
	c := &ipamConf{Type: typeSpiderpool}
	if pools != nil {
		c.DefaultIPv4IPPool, c.DefaultIPv6IPPool = pools.IPv4IPPool, pools.IPv6IPPool
		c.MatchMasterSubnet = pools.MatchMasterSubnet
	}
	return c
}

// chainItem returns one chainCNIJsonData entry, compacted: a JSON object.
func chainItem(s string, path *field.Path) (json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
		return nil, invalid(path, s, `is not the JSON object of one CNI plugin; write e.g. {"type":"tuning"}`)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		return nil, invalid(path, s, "is not valid JSON")
	}
	return buf.Bytes(), nil
}

// coordinator returns the coordinator plugin with every field c sets.
func coordinator(c *spiderpoolv2beta1.CoordinatorSpec) coordinatorConf {
	conf := coordinatorConf{Type: typeCoordinator}
	if c == nil {
		return conf
	}
	conf.TxQueueLen, conf.TunePodRoutes, conf.PodRPFilter = c.TxQueueLen, c.TunePodRoutes, c.PodRPFilter
	conf.HostRuleTable, conf.VethMTU, conf.HijackCIDR = c.HostRuleTable, c.VethMTU, c.HijackCIDR
	conf.VethLinkAddress, conf.PodMACPrefix = deref(c.VethLinkAddress, ""), deref(c.PodMACPrefix, "")
	conf.Mode, conf.PodDefaultRouteNIC = deref(c.Mode, ""), deref(c.PodDefaultRouteNIC, "")
	for _, r := range c.PolicyRoutes {
		conf.PolicyRoutes = append(conf.PolicyRoutes, routeConf{Dst: r.Dst, Gw: r.Gw})
	}
	return conf
}
