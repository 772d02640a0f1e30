// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"strings"
	"testing"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func TestMultusConfigWarnings(t *testing.T) {
	matching := func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
		macvlan(s)
		s.Macvlan.SpiderpoolConfigPools = pools4("p4")
		s.Macvlan.SpiderpoolConfigPools.MatchMasterSubnet = true
	}
	sriov := func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
		s.SRIOV = &spiderpoolv2beta1.SRIOVConfig{SpiderpoolConfigPools: &spiderpoolv2beta1.SpiderpoolPools{MatchMasterSubnet: true}}
	}
	for _, tc := range []struct {
		name string
		smc  smc
		want string
	}{
		{"matchMasterSubnet on macvlan", newSMC("a", spiderpoolv2beta1.CNITypeMacvlan, matching), "spec.macvlan.ippools.matchMasterSubnet: true"},
		{"matchMasterSubnet on sriov", newSMC("b", spiderpoolv2beta1.CNITypeSRIOV, sriov), "spec.sriov.ippools.matchMasterSubnet: true"},
		{"pools without it", newSMC("c", spiderpoolv2beta1.CNITypeMacvlan, func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
			macvlan(s)
			s.Macvlan.SpiderpoolConfigPools = pools4("p4")
		}), ""},
		{"no block", newSMC("d", spiderpoolv2beta1.CNITypeMacvlan, nil), ""},
		{"custom", newSMC("e", spiderpoolv2beta1.CNITypeCustom, nil), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MultusConfigWarnings(tc.smc)
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("warnings %q; want none", got)
			case tc.want != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tc.want) || !strings.Contains(got[0], "instead")):
				t.Errorf("warnings %q; want one starting %q that says what to do instead", got, tc.want)
			}
		})
	}
}
