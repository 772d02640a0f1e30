// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package multusconf_test

import (
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/multusconf"
)

func smc(spec spiderpoolv2beta1.MultusCNIConfigSpec, annotations map[string]string) *spiderpoolv2beta1.SpiderMultusConfig {
	return &spiderpoolv2beta1.SpiderMultusConfig{
		ObjectMeta: metav1.ObjectMeta{Name: "net", Namespace: "ns", Annotations: annotations}, Spec: spec}
}

// TestInvalidNamesTheField checks that an SMC the webhook would refuse is
// refused with an error that wraps ErrInvalid and names the field.
func TestInvalidNamesTheField(t *testing.T) {
	macvlan := ptr.To(spiderpoolv2beta1.CNITypeMacvlan)
	for name, tc := range map[string]struct {
		smc  *spiderpoolv2beta1.SpiderMultusConfig
		want string
	}{
		"unknown type":  {smc(spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("bridge")}, nil), "spec.cniType"},
		"missing block": {smc(spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: macvlan}, nil), "spec.macvlan"},
		"no master": {smc(spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: macvlan,
			Macvlan: &spiderpoolv2beta1.MacvlanConfig{}}, nil), "spec.macvlan.master"},
		"bond missing": {smc(spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: macvlan,
			Macvlan: &spiderpoolv2beta1.MacvlanConfig{Master: []string{"a", "b"}}}, nil), "spec.macvlan.bond.name"},
		"chain not JSON": {smc(spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: macvlan,
			Macvlan: &spiderpoolv2beta1.MacvlanConfig{Master: []string{"a"}}, ChainCNIJSONData: []string{"{"}}, nil), "spec.chainCNIJsonData[0]"},
		"custom not JSON": {smc(spiderpoolv2beta1.MultusCNIConfigSpec{CustomCNI: ptr.To("{x")}, nil), "spec.customCNI"},
		"cni version": {smc(spiderpoolv2beta1.MultusCNIConfigSpec{}, map[string]string{spiderpoolv2beta1.AnnoMultusConfigCNIVersion: "2.0"}),
			"multus.spidernet.io/cni-version"},
		"cr-name": {smc(spiderpoolv2beta1.MultusCNIConfigSpec{}, map[string]string{spiderpoolv2beta1.AnnoMultusConfigName: "Not_A_Name"}),
			"multus.spidernet.io/cr-name"},
		"vlan manual without ID": {smc(spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To(spiderpoolv2beta1.CNITypeVlan),
			Vlan: &spiderpoolv2beta1.VlanConfig{Master: []string{"a"}}}, nil), "spec.vlan.vlanID"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := multusconf.NAD(tc.smc)
			if !errors.Is(err, multusconf.ErrInvalid) {
				t.Fatalf("error %v, want one wrapping ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s", err, tc.want)
			}
		})
	}
}

// TestAnnotationsAreCopies checks that the NAD's annotations are a copy:
// adding the resource name leaves the SMC alone.
func TestAnnotationsAreCopies(t *testing.T) {
	in := smc(spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To(spiderpoolv2beta1.CNITypeSRIOV),
		SRIOV: &spiderpoolv2beta1.SRIOVConfig{ResourceName: ptr.To("vendor/vf")}}, map[string]string{"a": "b"})
	nad, err := multusconf.NAD(in)
	if err != nil {
		t.Fatal(err)
	}
	if nad.Annotations[spiderpoolv2beta1.AnnoNADResourceName] != "vendor/vf" || nad.Annotations["a"] != "b" {
		t.Errorf("annotations %v", nad.Annotations)
	}
	if _, ok := in.Annotations[spiderpoolv2beta1.AnnoNADResourceName]; ok {
		t.Error("the SMC's annotations were changed")
	}
}
