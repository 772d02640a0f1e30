// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// MultusConfigWarnings are the admission warnings for fields of smc that
// are stored, and carried into the generated NetworkAttachmentDefinition,
// but that this version does not act on yet: the user learns it at apply
// time instead of finding out later (docs/compatibility.md, "Other
// differences").
func MultusConfigWarnings(smc *spiderpoolv2beta1.SpiderMultusConfig) []string {
	inj, _ := injectableOf(&smc.Spec)
	if inj.pools == nil || !inj.pools.MatchMasterSubnet {
		return nil
	}
	return []string{inj.poolsPath.Child("matchMasterSubnet").String() + ": true is written into the NAD " +
		"(match_master_subnet) but the spiderpool IPAM plugin of this version does not narrow the candidate " +
		"pools by the master's subnet yet; name only the pools of the master's subnet in the ippools list instead"}
}
