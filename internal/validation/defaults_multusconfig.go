// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// DefaultMultusConfig fills in what the mutating webhook adds to a
// SpiderMultusConfig (docs/reference/behaviour.md §6.5,
// docs/reference/interface.md §2.6): cniType custom, the defaults of the
// block of that type, chainCNIJsonData [], the inject annotations copied
// into labels for the pod webhook, and the coordinator: off and dropped for
// custom, otherwise on with defaults.
//
// Spiderpool's webhook fills a nil tunePodRoutes of a partial coordinator
// block with false, although the CRD default (and its documentation) is
// true; the CRD default usually applies first anyway. This fills in true.
func DefaultMultusConfig(smc *spiderpoolv2beta1.SpiderMultusConfig) {
	if smc.DeletionTimestamp != nil {
		return // see DefaultIPPool
	}
	s := &smc.Spec
	setDefault(&s.CNIType, spiderpoolv2beta1.CNITypeCustom)
	setDefault(&s.DisableIPAM, false)
	if s.ChainCNIJSONData == nil {
		s.ChainCNIJSONData = []string{}
	}
	for _, key := range injectKeys {
		if v, ok := smc.Annotations[key]; ok {
			setLabel(smc, key, v)
		}
	}
	defaultCNIBlock(s)
	if *s.CNIType == spiderpoolv2beta1.CNITypeCustom {
		off := false
		s.EnableCoordinator, s.Coordinator = &off, nil
		setDefault(&s.CustomCNI, "")
		return
	}
	setDefault(&s.EnableCoordinator, true)
	s.Coordinator = defaultMultusCoordinator(s.Coordinator)
}

// defaultMultusCoordinator returns the coordinator block with its nil
// fields filled in; a nil block becomes the default one.
func defaultMultusCoordinator(c *spiderpoolv2beta1.CoordinatorSpec) *spiderpoolv2beta1.CoordinatorSpec {
	if c == nil {
		c = &spiderpoolv2beta1.CoordinatorSpec{}
		setDefault(&c.VethLinkAddress, "")
	}
	setDefault(&c.Mode, spiderpoolv2beta1.CoordinatorModeAuto)
	setDefault(&c.PodMACPrefix, "")
	setDefault(&c.PodDefaultRouteNIC, "")
	setDefault(&c.TunePodRoutes, true)
	setDefault(&c.PodRPFilter, 0)
	setDefault(&c.TxQueueLen, 0)
	c.HijackCIDR = NormaliseHijackCIDR(c.HijackCIDR)
	return c
}

// defaultCNIBlock fills in the block of the configured cniType.
func defaultCNIBlock(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
	switch *s.CNIType {
	case spiderpoolv2beta1.CNITypeMacvlan:
		if c := s.Macvlan; c != nil {
			defaultVlanBlock(&c.VlanID, &c.RdmaResourceName, c.Bond, &c.SpiderpoolConfigPools)
		}
	case spiderpoolv2beta1.CNITypeIPvlan:
		if c := s.IPvlan; c != nil {
			defaultVlanBlock(&c.VlanID, &c.RdmaResourceName, c.Bond, &c.SpiderpoolConfigPools)
		}
	case spiderpoolv2beta1.CNITypeVlan:
		if c := s.Vlan; c != nil {
			setDefault(&c.VlanMode, spiderpoolv2beta1.VlanModeManual)
			setDefault(&c.RdmaResourceName, "")
			if c.Bond != nil {
				setDefault(&c.Bond.Options, "")
			}
			defaultPools(&c.SpiderpoolConfigPools)
		}
	case spiderpoolv2beta1.CNITypeSRIOV:
		if c := s.SRIOV; c != nil {
			setDefault(&c.VlanID, 0)
			setDefault(&c.MinTxRateMbps, 0)
			setDefault(&c.MaxTxRateMbps, 0)
			setDefault(&c.EnableRdma, false)
			defaultPools(&c.SpiderpoolConfigPools)
		}
	case spiderpoolv2beta1.CNITypeIBSRIOV:
		if c := s.IBSRIOV; c != nil {
			setDefault(&c.Pkey, "")
			setDefault(&c.LinkState, "enable")
			setDefault(&c.RdmaIsolation, true)
			setDefault(&c.IbKubernetesEnabled, false)
			defaultPools(&c.SpiderpoolConfigPools)
		}
	case spiderpoolv2beta1.CNITypeIPoIB:
		if c := s.IPoIB; c != nil {
			defaultPools(&c.SpiderpoolConfigPools)
		}
	case spiderpoolv2beta1.CNITypeOVS:
		if c := s.OVS; c != nil {
			setDefault(&c.VlanTag, 0)
			defaultPools(&c.SpiderpoolConfigPools)
		}
	}
}

// defaultVlanBlock fills in a macvlan or ipvlan block.
func defaultVlanBlock(vlanID **int32, rdma **string, bond *spiderpoolv2beta1.BondConfig, pools **spiderpoolv2beta1.SpiderpoolPools) {
	setDefault(vlanID, 0)
	setDefault(rdma, "")
	if bond != nil {
		setDefault(&bond.Options, "")
	}
	defaultPools(pools)
}

// defaultPools sets empty pool lists when there are none.
func defaultPools(p **spiderpoolv2beta1.SpiderpoolPools) {
	if *p == nil {
		*p = &spiderpoolv2beta1.SpiderpoolPools{IPv4IPPool: []string{}, IPv6IPPool: []string{}}
	}
}
